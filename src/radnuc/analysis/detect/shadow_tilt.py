"""The vehicle's shadow is deeper at low energy: estimate that change of the background's shape over an
occupancy and take it out of the counts before the statistics see them.

A vehicle shadows the ground's photons by absorbing them, and its load absorbs low-energy photons more than
high-energy ones: under a loaded vehicle the background is both lower (the suppression profile m_t learned on
empty vehicles, :func:`.background.suppression_factor`) and harder. With h_w = ln E_w centred so that
sum_w b_w h_w = 0 (b: lane background rate per window; h carries no level), the occupancy's expected background is
live_t b_w (m_t - gamma (1 - m_t) h_w): the shadow's depth 1 - m_t, tilted by gamma. Physics fixes the sign:
gamma <= 0 (more suppression below the mean energy). gamma is estimated once per occupancy from the whole
occupancy's residual against the lane background (least squares in the Poisson metric), clipped to its physical
sign, and the tilt it predicts is added back to every slice. A point source's excess lies in a second or two:
the slices of the point kernel that departs most from a first tilt fit, harder or softer, are left out of the
final one (with one estimate over the whole occupancy a Co-60 source of 60 kBq at the vehicle's centre lost
0.3 sigma of matched-filter signal, and HEU of 2 MBq in a vehicle shadowing 8 % through 10 g/cm2 of iron 0.4
sigma: its soft excess pulled the tilt to 0 and left the vehicle's low-energy deficit under it). A distributed
source dominated by low-energy lines pulls gamma towards the unphysical sign, where it is clipped to 0; a hard
distributed source (K-40, Th-232 cargo) is partly taken for a tilt.
Without the correction, empty vehicles shadowing like 10 g/cm2 of iron with 15-25 % suppression alarmed at
0.0085 per occupancy instead of 0.001 (``bench/bench_detect_foreign.py``, 2026-12-07).
"""

from __future__ import annotations

import numpy as np

EXCLUDE_WEIGHT = 0.03
"""Slices where the most prominent point kernel weighs more than this fraction of its peak are left out."""

GAMMA_MIN = -1.5
"""Lower bound of the tilt (per unit ln E, relative to the learned mean shadow depth of ~7.5 %): the steepest
physical case, a vehicle suppressing 25 % of the background through 5 g/cm2 of iron (2.6x more at 30-100 keV
than on average), gives -1.37; 8 % through 10 g/cm2 gives -0.28 (radnuc's synthesizer). A strong hard source
(K-40 cargo of 10 MBq: -3.1 unbounded) is then taken for a tilt only up to what a vehicle can do."""


def centred_log_energy(log_energy: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """h = ln E - (sum_w b_w ln E_w) / sum_w b_w: the tilt direction, orthogonal to a level change."""
    b = np.maximum(rate, 0.0)
    total = float(b.sum())
    return log_energy - (float(b @ log_energy) / total if total > 0 else float(np.mean(log_energy)))


def estimate_tilt(counts: np.ndarray, live_s: np.ndarray, shadow: np.ndarray, rate: np.ndarray,
                  log_energy: np.ndarray, point_weights: np.ndarray | None = None) -> float:
    """Tilt gamma (<= 0) of the occupancy's background: ``counts`` [T, W], ``live_s`` [T], ``shadow`` [T] the
    learned multiplier m_t, ``rate`` [W] lane background counts/s, ``log_energy`` [W] ln of the window centres;
    ``point_weights`` [K, T] point-source kernels: the slices of the one that departs most from the tilt fitted
    on all slices (harder or softer) are left out of the final estimate. 0 when the occupancy is not shadowed or
    shows no tilt of the physical sign."""
    depth_t = live_s * (1.0 - shadow)
    h = centred_log_energy(log_energy, rate)
    hbh = float(rate @ h**2)
    if float(depth_t.sum()) <= 0 or hbh <= 0 or counts.shape[1] < 3:
        return 0.0
    # per slice: the residual against the lane background projected on the tilt (= -gamma depth_t for a tilt)
    hard = ((counts - (live_s * shadow)[:, None] * rate[None, :]) @ h) / hbh
    keep = np.ones(live_s.size, dtype=bool)
    gamma = _fit(hard, depth_t, keep)
    if point_weights is not None and point_weights.size:
        # departure from the tilt fit per point kernel, either sign: a hard source pulls gamma down, a soft one
        # (HEU, plutonium) up towards 0, which would leave a heavy vehicle's low-energy deficit in its kernel
        excess = point_weights @ (hard + gamma * depth_t)
        norm = np.sqrt(np.maximum((point_weights**2) @ np.maximum(live_s, 1e-12), 1e-30))
        k = int(np.argmax(np.abs(excess) / norm))
        keep = point_weights[k] <= EXCLUDE_WEIGHT * point_weights[k].max()
        if keep.any():
            gamma = _fit(hard, depth_t, keep)
    return float(np.clip(gamma, GAMMA_MIN, 0.0))


def _fit(hard: np.ndarray, depth_t: np.ndarray, keep: np.ndarray) -> float:
    d = float(depth_t[keep].sum())
    return -float(hard[keep].sum()) / d if d > 0 else 0.0


def remove_tilt(counts: np.ndarray, live_s: np.ndarray, shadow: np.ndarray, rate: np.ndarray,
                log_energy: np.ndarray, gamma: float) -> np.ndarray:
    """The counts with the tilt ``gamma`` added back: y_tw + gamma live_t (1 - m_t) b_w h_w (the window sums of
    every slice are unchanged, since sum_w b_w h_w = 0)."""
    if gamma == 0.0:
        return counts
    h = centred_log_energy(log_energy, rate)
    return counts + gamma * (live_s * (1.0 - shadow))[:, None] * (rate * h)[None, :]
