"""Portal monitor alarm engine (issue 5): read an occupancy, decide alarm / no alarm, categorise.

Alarm algorithms, each with its own statistic and null law calibrated on empty vehicles, fused into one score
whose own null is calibrated on the same empties, at a target false-alarm rate per empty occupancy: the
generalised likelihood-ratio matched filter over a template bank x passage time x passage width, point and
distributed profiles (:mod:`.matched_filter`), the gross-count sigma (:mod:`.gross`) and the neutron Poisson
likelihood ratio (:mod:`.neutron`). Diagnostics: PVT-style energy-window ratio (:mod:`.windows`), N-SCRAD shape
test (:mod:`.nscrad`), optional identification. Categories from the window decomposition (:mod:`.categorize`).
Streaming through :class:`LaneMonitor`; batch through :func:`detect`. See docs/detect.md."""

from radnuc.analysis.detect.background import BackgroundEstimate, from_measurement_set
from radnuc.analysis.detect.engine import detect, resolve_kind, thresholds_for
from radnuc.analysis.detect.errors import BackgroundError, DetectError, OccupancyInputError, ThresholdDataError
from radnuc.analysis.detect.monitor import DEFAULT_FAR, Decision, LaneMonitor
from radnuc.analysis.detect.thresholds import ThresholdSet, calibrate, load_thresholds, shipped_thresholds

__all__ = [
    "DEFAULT_FAR", "BackgroundError", "BackgroundEstimate", "Decision", "DetectError", "LaneMonitor",
    "OccupancyInputError", "ThresholdDataError", "ThresholdSet", "calibrate", "detect", "from_measurement_set",
    "load_thresholds", "resolve_kind", "shipped_thresholds", "thresholds_for",
]
