"""Energy windows: the coarse spectral binning every spectral algorithm works on.

Two binnings for spectroscopic panels. The *category* windows are 32 log-spaced windows 30 keV-3 MeV
(constant relative width, about two FWHM of NaI at 662 keV): coarse enough that the template decomposition of
:mod:`.categorize` is robust to the exact calibration, resolution and peak shape of the detector (the N-SCRAD
literature, Pfund et al., IEEE TNS 54 (2007) 1232, uses 8-16 windows for NaI portals). The *detection* windows
split each of them into up to ``SUBWINDOWS`` (6) log-spaced sub-windows no narrower than ``MIN_WIDTH_KEV``
(6 keV: about one channel of a 512-channel, 3 MeV portal panel; 0.15 FWHM of NaI at 662 keV), 135 windows in
all: the likelihood-ratio statistics keep nearly all the spectral information of the full channel data. Matched
filter signal-to-noise of the bench sources against 512 channels (Cs-137 / HEU / Tc-99m / I-131): 32 coarse
windows lost ~15 %; 3 sub-windows of >= 8 keV (75 windows) 4.6 / 1.2 / 2.3 / 2.0 %; the 135 windows 1.6 / 0.7 /
1.6 / 0.7 %. Finer windows add no search trials (the template directions are the same) and their sparser
counts are handled by the skewness correction of the statistics. PVT portals use 6 coarse windows for both
(Ely et al., NIM A 560 (2006) 373). Channels are shared between windows in proportion to their overlap, so the
window counts of any calibration follow the templates (built on a fine grid) without quantisation bias. Energies
in keV.
"""

from __future__ import annotations

import numpy as np

from radnuc.analysis.detect.errors import OccupancyInputError

NAI_WINDOWS = 32
SUBWINDOWS = 6
MIN_WIDTH_KEV = 6.0
LOW_KEV = 30.0
HIGH_KEV = 3000.0
PVT_EDGES_KEV = (40.0, 120.0, 250.0, 450.0, 800.0, 1400.0, 3000.0)
SPLIT_KEV = 450.0
"""Low / high boundary of the PVT-style energy-window ratio (most threat and medical lines lie below,
K-40 1461 and Tl-208 2614 keV of NORM above; Ely et al. 2006)."""


def category_edges(detector_kind: str) -> np.ndarray:
    """Category window edges (keV): 6 coarse windows for PVT, 32 log-spaced from 30 keV to 3 MeV otherwise."""
    if detector_kind.startswith("pvt"):
        return np.asarray(PVT_EDGES_KEV, dtype=float)
    return np.geomspace(LOW_KEV, HIGH_KEV, NAI_WINDOWS + 1)


def window_edges(detector_kind: str) -> np.ndarray:
    """Detection window edges (keV): the category windows, each split into up to ``SUBWINDOWS`` log-spaced
    sub-windows of at least ``MIN_WIDTH_KEV`` (PVT: the 6 coarse windows)."""
    coarse = category_edges(detector_kind)
    if detector_kind.startswith("pvt"):
        return coarse
    out = [coarse[0]]
    for lo, hi in zip(coarse[:-1], coarse[1:], strict=True):
        k = int(np.clip((hi - lo) // MIN_WIDTH_KEV, 1, SUBWINDOWS))
        out.extend(np.geomspace(lo, hi, k + 1)[1:])
    return np.asarray(out)


def rebin_matrix(channel_edges_kev: np.ndarray, edges_kev: np.ndarray) -> np.ndarray:
    """Matrix M (channels x windows): window counts = channel counts @ M. A channel is shared between the windows
    in proportion to the overlap of its energy interval with theirs (counts uniform within a channel); the parts
    outside [edges[0], edges[-1]] are dropped (below threshold, overflow)."""
    ch = np.asarray(channel_edges_kev, dtype=float)
    if ch.ndim != 1 or ch.size < 2 or not np.all(np.isfinite(ch)):
        raise OccupancyInputError("energy calibration gives no usable channel edges")
    lo, hi = np.minimum(ch[:-1], ch[1:]), np.maximum(ch[:-1], ch[1:])
    e = np.asarray(edges_kev, dtype=float)
    overlap = np.clip(np.minimum(hi[:, None], e[None, 1:]) - np.maximum(lo[:, None], e[None, :-1]), 0.0, None)
    width = hi - lo
    m = np.zeros_like(overlap)
    ok = width > 0
    m[ok] = overlap[ok] / width[ok, None]
    # zero-width channels (degenerate calibrations): whole to the window holding them
    if not ok.all():
        index = np.searchsorted(e, lo[~ok], side="right") - 1
        inside = (index >= 0) & (index < e.size - 1)
        m[np.nonzero(~ok)[0][inside], index[inside]] = 1.0
    return m


def aggregation_matrix(fine_edges_kev: np.ndarray, coarse_edges_kev: np.ndarray) -> np.ndarray:
    """Matrix A (fine windows x coarse windows) summing detection windows into category windows."""
    return rebin_matrix(fine_edges_kev, coarse_edges_kev)


def window_ratio_statistic(residual: np.ndarray, variance: np.ndarray, low: np.ndarray, kappa: float) -> np.ndarray:
    """PVT-style energy-window ratio test (NORM rejection), in sigma.

    ``residual``/``variance`` [..., windows]: excess counts over the background and their variance; ``low``
    boolean mask of the low-energy windows; ``kappa``: low/high count ratio of NORM (from NORM templates).
    Statistic = (R_low - kappa R_high) / sqrt(V_low + kappa^2 V_high): zero on average for background and
    for NORM of any strength, positive for sources richer in low-energy photons than NORM (HEU, Pu,
    medical, Cs-137 and most shielded sources through their down-scatter)."""
    r_low = residual[..., low].sum(axis=-1)
    r_high = residual[..., ~low].sum(axis=-1)
    v = variance[..., low].sum(axis=-1) + kappa**2 * variance[..., ~low].sum(axis=-1)
    return (r_low - kappa * r_high) / np.sqrt(np.maximum(v, 1e-12))
