"""Spectral-temporal matched filter: a bank of source templates x (point-source time kernels + the
distributed kernel), with the background level as a nuisance parameter.

For template S (unit sum over windows) and kernel k the statistic is the generalised least-squares amplitude
in sigma, z = S' Sigma^-1 r / sqrt(S' Sigma^-1 S), with Sigma = diag(V) + sigma_s^2 mu mu' (Poisson variance
plus the vehicle-to-vehicle uncertainty of the background level); Sherman-Morrison makes it a few dot
products. The background template itself (S proportional to b) is in the bank, so a source that looks like the
background (NORM) is still seen through its level. The maximum over templates and kernels is the statistic;
which kernel won says whether the source looks like a passing point source or a distributed cargo. Each z is
mapped to a normal deviate through its skewness (:func:`.kernels.skew_normalise`) so that all kernels and
templates share one null tail."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from radnuc.analysis.detect.kernels import KernelSums, skew_normalise

LOCAL_LEVEL_SIGMA = 0.10
"""Prior spread (relative) of the background level under a point kernel, on top of the whole-occupancy spread
``scale_sigma``: the shadow a vehicle casts varies along it (length, load, speed) by several per cent more than
the mean profile learned on empties, and differently again in other portals. A loose prior leaves the local
level nearly free, so a point-source statistic only uses the spectral shape of the excess beyond the background
shape (measured: lower and lighter-tailed null, and higher detection probability than with 3 %)."""


@dataclass(frozen=True)
class MatchedFilterResult:
    """``statistic`` (sigma), ``kernel`` index, ``template`` index (-1: the background shape), ``z`` [K, J+1]."""

    statistic: float
    kernel: int
    template: int
    z: np.ndarray


def matched_filter(sums: KernelSums, shapes: np.ndarray, scale_sigma: float) -> MatchedFilterResult:
    """Max over kernels and templates (``shapes`` [J, W]; the background shape is appended as the last one)."""
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
