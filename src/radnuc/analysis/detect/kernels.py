"""Time-profile kernels and the window sums every statistic uses.

A point source carried through the portal gives a count-rate bump g(t) = (1 + (v (t - t0) / d)^2)^-3/2
(inverse square times the cosine of incidence on a panel at distance d from the lane axis; vehicle speed v);
a distributed (cargo) source raises the whole occupancy. The engine evaluates both: one point kernel centred
on every occupied slice for each of a few passage widths d / v (the speed and the distance of closest approach
are not known exactly: ``WIDTH_FACTORS`` around the nominal width), plus one flat kernel over the occupancy.
For kernel k with
weights g_t the weighted counts are y_k = sum_t g_t y_t; their background expectation mu_k = b a1_k with
a1_k = sum_t g_t live_t m_t (m: suppression of the background by the vehicle), and their variance under the
null V_k = b c_k (Poisson, plus the uncertainty of the background rate b, which is estimated from the lane
background *and* the occupancy: :func:`kernel_sums`); ``c3`` is the matching third cumulant, from which the
statistics correct the skewness of few-count sums. Weights proportional to the signal profile are the optimal
linear filter for a weak source over a flat background.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KERNEL_CUT = 0.02
"""Point-kernel weights below this fraction of the peak are dropped."""

WIDTH_FACTORS = (0.6, 1.0, 1.65)
"""Passage widths searched, relative to the nominal d / v: covers vehicles 0.6-1.65 times as fast as assumed
(or sources nearer to / farther from a panel) with at most ~3 % loss of matched-filter signal-to-noise."""

GAMMA_EXPONENT = 1.5
"""Gamma point-source profile (1 + x^2)^-1.5: inverse square times the cosine of incidence on a flat panel."""

NEUTRON_EXPONENT = 1.0
"""Neutron profile (1 + x^2)^-1: inverse square only (moderated He-3 counters see neutrons from all angles)."""


@dataclass(frozen=True)
class KernelSums:
    """Per kernel k and window w: ``residual`` y - mu; ``rate`` b (counts/s, floored); ``a1``, ``c`` scalars per
    kernel; ``centre`` slice index of the kernel (-1 for the distributed kernel, which is the last row)."""

    residual: np.ndarray
    rate: np.ndarray
    a1: np.ndarray
    c: np.ndarray
    centre: np.ndarray
    width_s: np.ndarray | None = None
    c3: np.ndarray | None = None
    var_observed: np.ndarray | None = None
    level_gain: float = 1.0
    """Share of an occupancy-wide background level change that stays in the residuals: T_b / E when the
    background is pooled with the occupancy (the pooled rate absorbs the rest), 1 otherwise."""

    @property
    def mu(self) -> np.ndarray:
        return self.a1[:, None] * self.rate[None, :]

    @property
    def var(self) -> np.ndarray:
        """Variance of the residuals: the null variance, or (``var_observed`` set) the larger of it and the
        variance estimated from the observed counts, which includes the Poisson noise of a source itself."""
        null = self.c[:, None] * self.rate[None, :]
        return null if self.var_observed is None else np.maximum(null, self.var_observed)


def kernel_weights(n: int, slice_s: float, speed_mps: float, distance_m: float,
                   factors: tuple[float, ...] = (1.0,), exponent: float = GAMMA_EXPONENT) -> np.ndarray:
    """Weights [len(factors) n + 1, n]: for each width factor f, one point-source kernel of passage width
    f d / v centred on each slice; then the flat (distributed) kernel."""
    t = (np.arange(n) + 0.5) * slice_s
    dt = t[None, :] - t[:, None]
    rows = []
    for f in factors:
        g = (1.0 + (speed_mps * dt / (f * distance_m)) ** 2) ** -exponent
        g[g < KERNEL_CUT] = 0.0
        rows.append(g)
    return np.vstack([*rows, np.ones((1, n))])


def kernel_centres(n: int, factors: tuple[float, ...], slice_s: float, speed_mps: float,
                   distance_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Centre slice (-1: distributed) and passage width (s; 0: distributed) of each row of :func:`kernel_weights`."""
    centre = np.r_[np.tile(np.arange(n), len(factors)), -1]
    width = np.r_[np.repeat([f * distance_m / speed_mps for f in factors], n), 0.0]
    return centre, width


def kernel_sums(counts: np.ndarray, live_s: np.ndarray, shadow: np.ndarray, rate: np.ndarray, background_live_s: float,
                weights: np.ndarray, centre: np.ndarray | None = None, width_s: np.ndarray | None = None,
                pool: bool = True) -> KernelSums:
    """``counts`` [T, W] window counts of the occupied slices, ``live_s`` [T], ``shadow`` [T] background
    multiplier (suppression), ``rate`` [W] background counts/s over ``background_live_s``, ``weights`` [K, T].

    ``pool``: the background rate is re-estimated from the lane background *and* the occupancy itself,
    b = (rate T_b + sum_t y_t) / E with E = T_b + sum_t live_t m_t (the maximum-likelihood rate under the null),
    and every kernel is compared with it: r_k = y_k - a1_k b, Var r_k = b (sum g^2 live m - a1^2 / E). The
    occupancy slices far from a point source then help estimate its background (a 10 s lane background alone
    cost ~10 % of the signal-to-noise ratio of a point source); a source leaks a little into b, which only
    lowers its own residual (the null stays exact). For the whole-occupancy kernel this is the same test as
    without pooling. A vehicle-wide change of the background level by a factor (1 + delta) moves every residual
    by delta mu_k T_b / E (``level_gain``): the pooled rate follows the rest."""
    tb = max(background_live_s, 1e-9)
    lm = live_s * shadow
    a1 = weights @ lm
    s2 = (weights**2) @ lm
    s3 = (weights**3) @ lm
    if pool:
        e_tot = tb + float(lm.sum())
        rate = (rate * tb + counts.sum(axis=0)) / e_tot
        c = s2 - a1**2 / e_tot
        c3 = s3 - 3.0 * a1 * s2 / e_tot + 2.0 * a1**3 / e_tot**2
        floor = 0.5 / e_tot
        gain = tb / e_tot
    else:
        c = s2 + a1**2 / tb
        c3 = s3 - a1**3 / tb**2
        floor = 0.5 / tb
        gain = 1.0
    b = np.maximum(rate, floor)
    y = weights @ counts
    if centre is None:
        centre = np.r_[np.arange(weights.shape[0] - 1), -1]
    return KernelSums(y - a1[:, None] * rate[None, :], b, a1, np.maximum(c, 1e-9), centre, width_s, c3,
                      level_gain=float(gain))


def observed_variance(counts: np.ndarray, weights: np.ndarray, rate: np.ndarray, background_live_s: float,
                      a1: np.ndarray) -> np.ndarray:
    """Plug-in variance [K, W] of lane-background residuals y_k - a1_k b from the observed counts:
    sum_t g_t^2 y_t (Poisson, source included) + a1^2 b / T_b (the background estimate)."""
    return (weights**2) @ counts + (a1**2)[:, None] * rate[None, :] / max(background_live_s, 1e-9)


def skew_normalise(z: np.ndarray, skew: np.ndarray) -> np.ndarray:
    """Normal deviate of a standardised statistic ``z`` of skewness ``skew`` (a weighted sum of Poisson counts
    is skewed: few counts per window in a short kernel): the statistic is taken as a shifted gamma variable of
    that skewness and mapped to a normal deviate by the Wilson-Hilferty cube-root transform,
    z' = 6/g [(1 + g z / 2)^(1/3) - 1 + g^2/36] (= z - g (z^2 - 1) / 6 for small g). Without it the maximum over
    many kernels and templates is dominated by the few low-count ones, whose Poisson tail is heavier than normal,
    and the calibrated threshold rises for all."""
    g = np.maximum(np.asarray(skew, dtype=float), 1e-6)
    base = np.maximum(1.0 + 0.5 * g * z, 1e-9)
    out = 6.0 / g * (np.cbrt(base) - 1.0 + g**2 / 36.0)
    return np.where(g < 1e-4, z, out)
