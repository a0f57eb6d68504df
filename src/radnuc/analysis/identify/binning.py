"""The channels the identification works on: finer channels than the engine was tuned on are merged.

The fit's quasi-likelihood weights carry a systematic term per channel (``model_uncertainty`` x the channel's
mean, and the peak-position term), and the dispersion is the chi-square per channel, so neither is invariant
when channels are merged: the same events in 4,096 NaI channels gave top-1 0.90 against 0.92 in 1,024
(60 spectra; one Ba-133 read as Ra-226 at 0.99), and the fine spectrum costs four times the arithmetic. The engine
was tuned and benchmarked on 3,000 keV in 1,024 channels for scintillators and CZT and in 8,192 for HPGe, so
spectra with channels narrower than those are summed over whole adjacent channels (no counts split) to about
that width. Coarser spectra are analysed as they are.
"""

from __future__ import annotations

import numpy as np

from radnuc.physics.detectors import get_detector
from radnuc.spectra import EnergyCalibration, Spectrum

#: Channel width (keV) of the spectra the engine was tuned and benchmarked on: 3,000 keV in 1,024 channels
#: (scintillators, CZT) or in 8,192 (HPGe), bench/bench_identify.py.
REFERENCE_CHANNEL_KEV = {"Ge": 3000.0 / 8192}
DEFAULT_REFERENCE_CHANNEL_KEV = 3000.0 / 1024


def merge_factor(calibration: EnergyCalibration, detector: str) -> int:
    """How many adjacent channels make one analysis channel: the reference width over the median channel width
    in 30-3,000 keV, rounded (1: analysed as it is)."""
    material = get_detector(detector).material
    reference = REFERENCE_CHANNEL_KEV.get(material, DEFAULT_REFERENCE_CHANNEL_KEV)
    edges = calibration.edges_kev
    inside = (edges[:-1] >= 30.0) & (edges[1:] <= 3000.0)
    widths = np.diff(edges)[inside] if inside.any() else np.diff(edges)
    return max(1, int(round(reference / float(np.median(widths)))))


def analysis_spectrum(spectrum: Spectrum, detector: str) -> Spectrum:
    """``spectrum`` with every ``merge_factor`` adjacent channels summed (the last group may be shorter); the
    spectrum itself when the factor is 1. Counts are whole channels' counts, so they stay Poisson."""
    calibration = spectrum.calibration
    factor = merge_factor(calibration, detector)
    if factor == 1:
        return spectrum
    edges = calibration.edges_kev
    starts = np.arange(0, calibration.n_channels, factor)
    merged = EnergyCalibration.from_edges(np.append(edges[starts], edges[-1]))
    return spectrum.rebinned(merged)
