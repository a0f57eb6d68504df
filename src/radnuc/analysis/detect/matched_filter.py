"""Spectral-temporal matched filter: a bank of source templates x (point-source time kernels + the
distributed kernel), with the background level and its spectral tilt as nuisance parameters.

For template S (unit sum over windows) and kernel k the statistic is the generalised least-squares amplitude
in sigma, z = S' Sigma^-1 r / sqrt(S' Sigma^-1 S), with Sigma = diag(V) + sigma_s^2 mu mu' + sigma_t^2 u u'
(Poisson variance, the vehicle-to-vehicle uncertainty of the background level, and, for the whole-occupancy
kernel, a tilt u = mu * h of the background's shape, h = ln E centred so that it carries no level: a vehicle
absorbs low-energy background photons more than high-energy ones); the two rank-one terms are orthogonal in the
D^-1 metric, so two Sherman-Morrison corrections make it a few dot products. The background template itself
(S proportional to b) is in the bank, so a source that looks like the background (NORM) is still seen through its
level. The maximum over templates and kernels is the statistic;
which kernel won says whether the source looks like a passing point source or a distributed cargo. Each z is
mapped to a normal deviate through its skewness (:func:`.kernels.skew_normalise`) so that all kernels and
templates share one null tail."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radnuc.analysis.detect.kernels import KernelSums, skew_normalise
from radnuc.analysis.detect.shadow_tilt import centred_log_energy

LOCAL_LEVEL_SIGMA = 0.10
"""Prior spread (relative) of the background level under a point kernel, on top of the whole-occupancy spread
``scale_sigma``: the shadow a vehicle casts varies along it (length, load, speed) by several per cent more than
the mean profile learned on empties, and differently again in other portals. A loose prior leaves the local
level nearly free, so a point-source statistic only uses the spectral shape of the excess beyond the background
shape (measured: lower and lighter-tailed null, and higher detection probability than with 3 %)."""


TILT_SIGMA = 0.05
"""Prior spread of the background's spectral tilt under the whole-occupancy kernel (relative change of the
background per unit of ln E), left after :mod:`.shadow_tilt` has taken the estimated tilt out of the counts: a
vehicle's shadow is the photons its load absorbs, so it is deeper at low energy (iron of 5-30 g/cm2 with 3-25 %
suppression: 0.003-0.09). Point kernels get none: under a point kernel the tilt that remains is small, and a
prior there took 0.2-0.4 sigma of signal from HEU and plutonium, whose lines lie where the tilt is largest.
Kept on the whole-occupancy kernel because, measured with the correction on (``bench/bench_detect.py``,
2026-12-07), a weak K-40 cargo (3 MBq) then alarmed in 0.86 of passes against 0.62 without it."""


@dataclass(frozen=True)
class MatchedFilterResult:
    """``statistic`` (sigma), ``kernel`` index, ``template`` index (-1: the background shape), ``z`` [K, J+1]."""

    statistic: float
    kernel: int
    template: int
    z: np.ndarray


def matched_filter(sums: KernelSums, shapes: np.ndarray, scale_sigma: float,
                   log_energy: np.ndarray | None = None, tilt_sigma: float = TILT_SIGMA) -> MatchedFilterResult:
    """Max over kernels and templates (``shapes`` [J, W]; the background shape is appended as the last one).
    ``log_energy`` [W]: ln of the window centres (keV), for the tilt nuisance (none when not given)."""
    b = sums.rate
    s = np.vstack([shapes, (b / b.sum())[None, :]]) if shapes.size else (b / b.sum())[None, :]
    s = s / s.sum(axis=1, keepdims=True)
    c = sums.c
    a1 = sums.a1
    sdr = (sums.residual / b) @ s.T / c[:, None]  # S' D^-1 r            [K, J]
    sds = ((s**2) / b).sum(axis=1)[None, :] / c[:, None]  # S' D^-1 S  [K, J]
    sq = (a1 / c)[:, None]  # S' q (unit-sum S)                          [K, 1]
    qr = (a1 / c * sums.residual.sum(axis=1))[:, None]  # q' r           [K, 1]
    mdm = (a1**2 / c * b.sum())[:, None]  # mu' D^-1 mu                  [K, 1]
    sig2 = np.where(sums.centre >= 0, scale_sigma**2 + LOCAL_LEVEL_SIGMA**2, scale_sigma**2)[:, None]
    den = 1.0 + sig2 * mdm
    num = sdr - sig2 * sq * qr / den
    norm = sds - sig2 * sq**2 / den
    if log_energy is not None and tilt_sigma > 0 and b.size >= 3:
        h = centred_log_energy(log_energy, b)  # sum_w b_w h_w = 0: orthogonal to the level
        su = (a1 / c)[:, None] * (s @ h)[None, :]  # S' D^-1 u             [K, J]
        ur = (a1 / c * (sums.residual @ h))[:, None]  # u' D^-1 r           [K, 1]
        udu = (a1**2 / c * float(b @ h**2))[:, None]  # u' D^-1 u          [K, 1]
        tilt2 = np.where(sums.centre >= 0, 0.0, tilt_sigma**2)[:, None]  # the distributed kernel only
        den_t = 1.0 + tilt2 * udu
        num = num - tilt2 * su * ur / den_t
        norm = norm - tilt2 * su**2 / den_t
    z = num / np.sqrt(np.maximum(norm, 1e-18))
    if sums.c3 is not None:  # skewness of the template-weighted Poisson sum: [K, 1] x [1, J]
        s2 = ((s**2) / b).sum(axis=1)
        s3 = ((s**3) / b**2).sum(axis=1)
        skew = (np.maximum(sums.c3, 0.0) / c**1.5)[:, None] * (s3 / s2**1.5)[None, :]
        z = skew_normalise(z, skew)
    k, j = np.unravel_index(int(np.argmax(z)), z.shape)
    return MatchedFilterResult(float(z[k, j]), int(k), int(j) if j < shapes.shape[0] else -1, z)


def point_over_distributed(sums: KernelSums, shapes: np.ndarray) -> int:
    """The point kernel whose excess *above the whole-occupancy excess* best matches a template (index into the
    kernels): the point kernel that categorisation decomposes. Removing the distributed part first keeps a
    distributed cargo (NORM) from choosing a broad kernel and hiding a point source that it masks."""
    if sums.residual.shape[0] < 2 or not shapes.size:
        return 0
    b = sums.rate
    share = (sums.a1[:-1] / max(float(sums.a1[-1]), 1e-12))[:, None]
    excess = sums.residual[:-1] - share * sums.residual[-1][None, :]
    var = (sums.c[:-1] + share[:, 0] ** 2 * sums.c[-1])[:, None]
    s = shapes / shapes.sum(axis=1, keepdims=True)
    z = ((excess / b) @ s.T) / np.sqrt(var * ((s**2) / b).sum(axis=1)[None, :])
    return int(np.unravel_index(int(np.argmax(z)), z.shape)[0])
