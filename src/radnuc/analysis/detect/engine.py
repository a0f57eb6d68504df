"""Batch entry points: pick the threshold set for a file, run the lane monitor over it.

:func:`detect` analyses one portal file (a :class:`MeasurementSet`) and returns the decision of its most
suspicious occupancy. Detector kind ``auto``: from the instrument metadata when it names a known kind, else
gross-count (PVT) for files of at most 128 channels, spectroscopic otherwise.
"""

from __future__ import annotations

from dataclasses import replace

from radnuc.analysis.detect.background import BackgroundEstimate, from_measurement_set
from radnuc.analysis.detect.errors import OccupancyInputError, ThresholdDataError
from radnuc.analysis.detect.monitor import DEFAULT_FAR, Decision, IdentifyFn, LaneMonitor
from radnuc.analysis.detect.occupancy import has_spectra
from radnuc.analysis.detect.thresholds import SHIPPED_KINDS, ThresholdSet, shipped_thresholds
from radnuc.physics.detectors import detector_kinds
from radnuc.spectra import MeasurementSet


def resolve_kind(ms: MeasurementSet, requested: str = "auto") -> str:
    """The detector kind of a portal file (``requested`` unless 'auto')."""
    if requested != "auto":
        if requested not in detector_kinds():
            raise OccupancyInputError(f"unknown detector {requested!r}; one of {', '.join(detector_kinds())}, auto")
        return requested
    text = f"{ms.instrument.model} {ms.instrument.serial_number}".lower()
    for kind in sorted(detector_kinds(), key=len, reverse=True):
        if kind in text:
            return kind
    if "pvt" in text or "plastic" in text:
        return "pvt-portal"
    channels = max((m.counts.size for m in ms.measurements), default=0)
    if channels > 4096:
        return "hpge-40pct"  # only germanium portals record that many channels
    return "pvt-portal" if channels <= 128 else "nai-2x4x16"


def thresholds_for(ms: MeasurementSet, kind: str) -> tuple[ThresholdSet, list[str]]:
    """The threshold set to use for a file of detector ``kind``, with warnings when it is borrowed."""
    warnings = []
    spectro = has_spectra(ms.measurements)
    if kind in SHIPPED_KINDS:
        tset = shipped_thresholds(kind)
    else:
        base = "pvt-portal" if not spectro else "nai-2x4x16"
        tset = shipped_thresholds(base)
        tset = replace(tset, provenance={**tset.provenance, "borrowed_for": kind})
        warnings.append(f"no thresholds calibrated for {kind}; using those of {base} (alarm statistics are "
                        "normalised; window templates are not, so the category is left to identification)")
    if not spectro:
        tset = tset.gross_only()
        warnings.append("gross-count data: spectral algorithms not applicable")
    return tset, warnings


def detect(ms: MeasurementSet, *, far: float = DEFAULT_FAR, detector: str = "auto",
           background: MeasurementSet | BackgroundEstimate | None = None, thresholds: ThresholdSet | None = None,
           identify_fn: IdentifyFn | None = None, monitor: LaneMonitor | None = None) -> Decision:
    """Analyse a portal file; returns the decision of its most suspicious occupancy.

    ``background``: a lane background file or estimate (used when the file has no non-occupied slice, and as
    the running background's seed); ``monitor``: a lane monitor to reuse across files of the same lane (running
    background), else a fresh one; ``thresholds`` override the shipped set."""
    slices = ms.time_slices()
    if not slices or not any(s.spectra for s in slices):
        raise OccupancyInputError("no time slice with a measurement")
    warnings: list[str] = []
    if monitor is None:
        if thresholds is None:
            thresholds, warnings = thresholds_for(ms, resolve_kind(ms, detector))
        monitor = LaneMonitor(thresholds, far=far, identify_fn=identify_fn)
    if isinstance(background, MeasurementSet):
        if monitor.identify_fn is not None and monitor.identify_background is None:
            monitor.identify_background = _summed_background(background, warnings)
        background = from_measurement_set(background, monitor.thresholds.window_edges_kev)
    if background is not None:
        monitor.background = background
    flags = [s.occupied for s in slices]
    if all(f is None for f in flags):
        warnings.append("no occupancy flags: the whole file is analysed as one occupancy")
        monitor.assume_occupied = True
    elif not any(flags):
        warnings.append("no occupied slice: the whole file is analysed as one occupancy")
        monitor.assume_occupied = True
        slices = [type(s)(s.sample_number, tuple(_flag(m) for m in s.spectra)) for s in slices]
    decisions = []
    try:
        for ts in slices:
            d = monitor.feed(ts)
            if d is not None:
                decisions.append(d)
        d = monitor.flush()
        if d is not None:
            decisions.append(d)
    except ValueError as exc:
        raise OccupancyInputError(f"unusable occupancy data ({exc})") from None
    finally:
        monitor.assume_occupied = False
    if not decisions:
        raise OccupancyInputError("no occupancy found")
    best = max(decisions, key=lambda d: d.score)
    if warnings:
        from dataclasses import replace
        best = replace(best, warnings=tuple(warnings) + best.warnings)
    return best


def _summed_background(ms: MeasurementSet, warnings: list[str]):
    """The background file summed into one spectrum for identification (None, with a warning, when its
    measurements cannot be summed)."""
    from radnuc.errors import RadnucError
    from radnuc.spectra import sum_time_slices

    try:
        return sum_time_slices([ts.summed() for ts in ms.time_slices()])
    except (RadnucError, ValueError) as exc:
        warnings.append(f"background file not usable for identification ({exc}); its built-in background is used")
        return None


def _flag(spectrum):
    from dataclasses import replace
    return replace(spectrum, occupied=None)


__all__ = ["Decision", "LaneMonitor", "ThresholdDataError", "detect", "resolve_kind", "thresholds_for"]
