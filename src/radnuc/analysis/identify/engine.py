"""Radionuclide identification by full-spectrum Poisson likelihood with model selection.

Method (for a spectrum y on channels i, with the detector's template library T_k and background B):

1. Background: the measured background (given, or the background measurement in the file) scaled by live
   time, else the natural-background model in free non-negative components (K-40, U and Th series,
   terrestrial scatter, cosmic, the 511 keV annihilation line with a prior bounding it, and the natural nuclides
   behind lead; the bare natural nuclides stay candidates: :mod:`~radnuc.analysis.identify.model`).
2. Gain: the detector gain is searched over +-6% (coarse grid, then golden-section refinement of gain and
   offset) by the likelihood of the best background-plus-one-source model; templates are rebinned to each gain
   from their fine grid (:mod:`~radnuc.analysis.identify.gain_search`).
3. Forward selection: starting from background alone, the candidate (nuclide or material, bare or behind
   steel or lead) whose addition raises the log-likelihood most is added while 2 dL exceeds the critical
   value of a one-sided chi-square test at ``alpha / n_candidates`` (look-elsewhere correction), with dL
   divided by the quasi-likelihood dispersion of the model after the addition (so template mismatch in
   high-count spectra does not create sources); up to ``max_sources``; then sources that no longer pass
   are pruned (:mod:`~radnuc.analysis.identify.selection`).
4. Confidence: P(present) from the same test, times P(this candidate rather than the best alternatives)
   = 1 / (1 + sum_j exp(-dL_j)) with dL_j how much worse the alternative j explains the same counts
   (:mod:`~radnuc.analysis.identify.confidence`).
5. Unknown: an excess of more than ``unknown_sigma`` (after dispersion scaling) in a window of one FWHM
   that the final model does not explain is reported as unknown (:mod:`~radnuc.analysis.identify.unknown`).

The spectrum's model (channels, background, projected templates, fits) is
:class:`~radnuc.analysis.identify.model.SpectrumModel`.
"""

from __future__ import annotations

import logging
import time

from radnuc.analysis.errors import AnalysisError
from radnuc.analysis.identify.binning import analysis_spectrum
from radnuc.analysis.identify.confidence import describe
from radnuc.analysis.identify.detector_choice import choose_detector
from radnuc.analysis.identify.model import SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.result import Identification
from radnuc.analysis.identify.selection import best_selection
from radnuc.analysis.identify.templates import build_library
from radnuc.analysis.identify.unknown import unknown_regions
from radnuc.spectra import MeasurementSet, Spectrum

__all__ = ["IdentifyOptions", "identify", "identify_measurements"]

log = logging.getLogger(__name__)


def identify(foreground: Spectrum, background: Spectrum | None = None, detector: str = "auto",
             measurements: MeasurementSet | None = None, options: IdentifyOptions = IdentifyOptions(),
             background_origin: str = "given") -> Identification:
    """Identify the sources in ``foreground`` (see the module docstring for the method)."""
    started = time.perf_counter()
    if foreground.calibration is None:
        raise AnalysisError("spectrum has no energy calibration; identification needs one")
    kind, how = choose_detector(detector, foreground, measurements)
    foreground = analysis_spectrum(foreground, kind)  # channels finer than the engine's are merged
    library = build_library(kind, options.cache_dir)
    model = SpectrumModel.build(foreground, background, library, options)
    notes = []
    if model.y.sum() < options.min_counts:
        notes.append(f"only {model.y.sum():.0f} counts in {options.min_energy_kev:.0f}-"
                     f"{options.max_energy_kev:.0f} keV: too few for an identification")
        return Identification(kind, how, (), (), model.background_kind(background_origin), 0.0, 0.0, 1.0,
                              float(foreground.total_counts), foreground.live_time_s, tuple(notes))
    gain, selection = best_selection(model, options)
    nuclides = describe(model, selection, gain, options)
    unknown = unknown_regions(model, selection, gain, options, nuclides)
    log.debug("identify: %s in %.1f ms", [n.name for n in nuclides], 1e3 * (time.perf_counter() - started))
    return Identification(
        detector=kind, detector_choice=how, nuclides=tuple(nuclides), unknown=tuple(unknown),
        background_source=model.background_kind(background_origin), gain_correction=gain[0],
        offset_correction_kev=gain[1],
        reduced_chi2=selection.dispersion, total_counts=float(foreground.total_counts),
        live_time_s=foreground.live_time_s, notes=tuple(notes), model=model.fitted_model(selection, gain),
    )


def identify_measurements(ms: MeasurementSet, background: Spectrum | None = None, detector: str = "auto",
                          options: IdentifyOptions = IdentifyOptions()) -> Identification:
    """Identify the summed foreground of a file; background from ``background``, else the file's own."""
    foreground = ms.summed_foreground()
    origin = "given"
    if background is None:
        background = ms.summed_background()
        origin = "file"
    return identify(foreground, background, detector, ms, options, background_origin=origin)
