"""Portal occupancy as arrays: window counts per time slice (detectors summed), neutrons, flags, times.

Numpy in: :class:`SliceData` is what every algorithm consumes; :func:`slice_data` turns a
:class:`radnuc.spectra.TimeSlice` into it (rebinning each detector's channels into the energy windows of
:mod:`radnuc.analysis.detect.windows` through its own calibration, so detectors with different gains add up).
Gross-count-only portals (one channel per detector) give one window.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from radnuc.analysis.detect.errors import OccupancyInputError
from radnuc.analysis.detect.windows import rebin_matrix
from radnuc.spectra import Spectrum, TimeSlice


@dataclass(frozen=True)
class SliceData:
    """One time slice: ``windows`` counts per energy window (all detectors summed), ``neutron`` counts (NaN when
    the file has none), ``live_s`` gamma live time (s; per detector, averaged), ``occupied`` flag (None: not
    given), ``speed_mps`` if the file gives it, ``detectors`` number of gamma detectors summed."""

    sample_number: int
    windows: np.ndarray
    neutron: float
    live_s: float
    occupied: bool | None
    speed_mps: float | None = None
    detectors: int = 1


@lru_cache(maxsize=64)
def _matrix(channel_edges: bytes, n: int, window_edges: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The rebinning matrix as its non-zero entries (rows, columns, values, windows): a channel overlaps one to
    three windows, so a sparse product is several times faster than the dense one."""
    m = rebin_matrix(np.frombuffer(channel_edges, dtype=float, count=n + 1), np.frombuffer(window_edges))
    rows, cols = np.nonzero(m)
    return rows, cols, m[rows, cols], m.shape[1]


def spectrum_windows(spectrum: Spectrum, window_edges_kev: np.ndarray) -> np.ndarray:
    """Counts of one spectrum in the energy windows. A spectrum with one channel (gross counts) or without a
    calibration puts all its counts in a single window (only valid when there is one window)."""
    counts = spectrum.counts
    n_windows = window_edges_kev.size - 1
    if counts.size == 1 or spectrum.calibration is None:
        if n_windows != 1:
            raise OccupancyInputError(f"detector {spectrum.detector_name or '?'} has no energy calibration; "
                                      "analyse it as a gross-count portal")
        return np.array([counts.sum()])
    edges = np.ascontiguousarray(spectrum.calibration.edges_kev, dtype=float)
    rows, cols, vals, n_win = _matrix(edges.tobytes(), counts.size,
                                      np.ascontiguousarray(window_edges_kev, dtype=float).tobytes())
    return np.bincount(cols, weights=counts[rows] * vals, minlength=n_win)


def slice_data(ts: TimeSlice, window_edges_kev: np.ndarray) -> SliceData:
    """Summed window counts, neutron counts and times of one time slice."""
    if not ts.spectra:
        raise OccupancyInputError(f"time slice {ts.sample_number} holds no measurement")
    total = np.zeros(window_edges_kev.size - 1)
    lives = []
    for s in ts.spectra:
        total += spectrum_windows(s, window_edges_kev)
        lives.append(s.live_time_s or s.real_time_s or 0.0)
    live = float(sum(lives) / len(lives))
    if not live > 0:
        raise OccupancyInputError(f"time slice {ts.sample_number} has no live or real time")
    neutron = ts.neutron_counts
    speeds = [s.speed_mps for s in ts.spectra if s.speed_mps]
    return SliceData(
        sample_number=ts.sample_number, windows=total, neutron=float("nan") if neutron is None else float(neutron),
        live_s=live, occupied=ts.occupied, speed_mps=float(sum(speeds) / len(speeds)) if speeds else None,
        detectors=len(ts.spectra),
    )


def has_spectra(spectra: list[Spectrum] | tuple[Spectrum, ...]) -> bool:
    """True when the detectors record spectra (more than a few channels with a calibration)."""
    return any(s.counts.size > 8 and s.calibration is not None for s in spectra)
