"""All algorithm statistics of one occupancy, from arrays (the engine's numeric core, shared by the batch
``detect``, the streaming :class:`LaneMonitor` and the threshold calibration)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from radnuc.analysis.detect.background import BackgroundEstimate, suppression_factor
from radnuc.analysis.detect.gross import gross_sigma
from radnuc.analysis.detect.kernels import (
    NEUTRON_EXPONENT,
    WIDTH_FACTORS,
    KernelSums,
    kernel_centres,
    kernel_sums,
    kernel_weights,
    observed_variance,
)
from radnuc.analysis.detect.matched_filter import MatchedFilterResult, matched_filter
from radnuc.analysis.detect.neutron import neutron_sigma
from radnuc.analysis.detect.nscrad import nscrad_statistic
from radnuc.analysis.detect.shadow_tilt import estimate_tilt, remove_tilt
from radnuc.analysis.detect.windows import window_ratio_statistic

GAMMA_ALGORITHMS = ("gross", "windows", "nscrad", "matched_filter")
NEUTRON_ALGORITHMS = ("neutron",)
ALGORITHMS = GAMMA_ALGORITHMS + NEUTRON_ALGORITHMS
ALARM_ALGORITHMS = ("matched_filter", "neutron")
"""The algorithms fused into the alarm decision of spectroscopic data. ``windows`` (PVT-style energy ratio, used
for NORM categorisation) and ``nscrad`` (shape chi-square) are computed and reported as diagnostics: for the
sources of the template bank the matched filter is more sensitive than either, and fusing them raised the
calibrated threshold of every algorithm (measured: per-algorithm tail at FAR 1e-3 from 10^-3.71 to 10^-3.95).
``gross`` is a diagnostic too since 2026-12-07 (it makes the alarm of gross-count data:
:meth:`.thresholds.ThresholdSet.gross_only`). Its whole-occupancy excess rests on the vehicle's shadow being the
learned mean one (~6 % of the background, known to ~2 %), so vehicles that shadow less alarmed — 9.2 % of empty
passages without any shadow (a simulation without a vehicle model), 2.9 % with 0-3 %, 0.35 % for cars — where
the matched filter, whose background-shaped template has the level nearly free, stays at the target
(``bench/bench_detect_foreign.py``). The matched filter's bank holds the background shape, so a
background-shaped excess still alarms; detection probabilities rose by up to 0.07 (``bench/bench_detect.py``)."""


@dataclass(frozen=True)
class OccupancyStatistics:
    """Statistics per algorithm (NaN: not applicable), details, the kernel sums of the detection statistics
    (background pooled with the occupancy) and those categorisation uses (lane background only)."""

    values: dict[str, float]
    details: dict[str, str]
    sums: KernelSums
    mf: MatchedFilterResult | None
    speed_mps: float
    slice_s: float
    category_sums: KernelSums | None = None
    tilt: float = 0.0
    """Spectral tilt of the vehicle's shadow taken out of the counts (:mod:`.shadow_tilt`; 0: none)."""


def occupancy_speed(n_slices: int, slice_s: float, speed_mps: float | None, travel_m: float) -> float:
    """Vehicle speed (m/s): from the file when given, else the typical travel through the occupancy zone
    (vehicle length plus both zone margins, ``travel_m``) over the occupancy duration; clipped to 0.5-30."""
    if speed_mps and np.isfinite(speed_mps) and speed_mps > 0:
        return float(np.clip(speed_mps, 0.5, 30.0))
    return float(np.clip(travel_m / max(n_slices * slice_s, 1e-3), 0.5, 30.0))


def compute_statistics(counts: np.ndarray, live_s: np.ndarray, neutrons: np.ndarray, background: BackgroundEstimate,
                       tset, speed_mps: float | None = None) -> OccupancyStatistics:
    """``counts`` [T, W] window counts of the occupied slices, ``live_s`` [T], ``neutrons`` [T] (NaN: none);
    ``tset`` the :class:`ThresholdSet` (windows, templates, suppression profile)."""
    n = counts.shape[0]
    slice_s = float(np.mean(live_s))
    speed = occupancy_speed(n, slice_s, speed_mps, tset.occupancy_travel_m)
    d = tset.closest_approach_m
    weights = kernel_weights(n, slice_s, speed, d, WIDTH_FACTORS)
    centre, width = kernel_centres(n, WIDTH_FACTORS, slice_s, speed, d)
    shadow = suppression_factor((np.arange(n) + 0.5) / n, tset.suppression_profile)
    edges = tset.window_edges_kev
    log_energy = np.log(np.sqrt(edges[:-1] * edges[1:]))
    tilt = 0.0
    raw = counts
    if tset.tilt_sigma > 0 and counts.shape[1] >= 3:  # sets calibrated with the tilt (2026-12-07 on)
        tilt = estimate_tilt(counts, live_s, shadow, background.rate, log_energy, weights[:-1])
        counts = remove_tilt(counts, live_s, shadow, background.rate, log_energy, tilt)
    sums = kernel_sums(counts, live_s, shadow, background.rate, background.live_s, weights, centre, width)
    values: dict[str, float] = {}
    details: dict[str, str] = {}
    values["gross"] = gross_sigma(sums, tset.scale_sigma)
    w = counts.shape[1]
    mf = None
    if w >= 3:
        low = tset.low_windows
        zr = window_ratio_statistic(sums.residual, sums.var, low, tset.kappa)
        k = int(np.argmax(zr))
        values["windows"] = float(zr[k])
        details["windows"] = _where(sums, k, slice_s)
        coarse = sums
        if tset.category_edges_kev is not None:  # shape test on the coarse windows (chi-square stays chi-square)
            a = tset.category_matrix
            coarse = replace(sums, residual=sums.residual @ a, rate=sums.rate @ a)
        values["nscrad"], kn = nscrad_statistic(coarse)
        details["nscrad"] = _where(sums, kn, slice_s)
        mf = matched_filter(sums, tset.bank.shapes, tset.scale_sigma, log_energy, tset.tilt_sigma)
        values["matched_filter"] = mf.statistic
        name = "background-shaped excess" if mf.template < 0 else tset.bank.names[mf.template]
        details["matched_filter"] = f"{name}, {_where(sums, mf.kernel, slice_s)}"
        if tilt < 0:
            details["matched_filter"] += f"; vehicle shadow deeper at low energy (tilt {tilt:.3g} per unit ln E)"
    else:
        values["windows"] = values["nscrad"] = values["matched_filter"] = float("nan")
    nweights = kernel_weights(n, slice_s, speed, d, WIDTH_FACTORS, NEUTRON_EXPONENT)
    values["neutron"], kn = neutron_sigma(neutrons, live_s, background.neutron_rate, background.live_s, nweights)
    details["neutron"] = _where(sums, kn, slice_s) if kn >= 0 else "no neutron counts in the file"
    details["gross"] = "whole occupancy"
    # categorisation decomposes the excess over the lane background alone: pooling the occupancy into the
    # background (right for detection) would put a distributed NORM cargo into the background and weaken the
    # evidence for a point source masked by it
    # (a strong source's own Poisson noise enters the variance, so that it does not make phantom components);
    # it sees the counts as measured: a hard NORM cargo taken in part for a shadow tilt would otherwise lose its
    # high-energy excess and read as a low-energy (medical, SNM) source
    category_sums = kernel_sums(raw, live_s, shadow, background.rate, background.live_s, weights, centre, width,
                                pool=False)
    category_sums = replace(category_sums, var_observed=observed_variance(
        raw, weights, background.rate, background.live_s, category_sums.a1))
    return OccupancyStatistics(values, details, sums, mf, speed, slice_s, category_sums, tilt)


def _where(sums: KernelSums, k: int, slice_s: float) -> str:
    if k < 0 or sums.centre[k] < 0:
        return "distributed over the occupancy"
    where = f"point source at {sums.centre[k] * slice_s + 0.5 * slice_s:.1f} s into the occupancy"
    if sums.width_s is not None:
        where += f" (passage width {sums.width_s[k]:.2f} s)"
    return where
