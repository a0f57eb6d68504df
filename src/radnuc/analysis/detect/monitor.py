"""Streaming lane monitor: feed time slices as they arrive; a decision comes out when an occupancy ends.

The monitor keeps the recent non-occupied slices (the lane background, merged into a running estimate across
occupancies of the same lane) and the slices of the current occupancy. When the occupancy flag drops (or
:meth:`LaneMonitor.flush` is called at the end of a file), it computes every algorithm's statistic, fuses them
at the target false-alarm rate and categorises the alarm: a few milliseconds for a 2-panel, 200-slice,
512-channel occupancy, well inside the 100 ms budget after the occupancy ends. The batch :func:`detect` is
this monitor run over a file, so streaming and batch give the same decisions.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from radnuc.analysis.detect.background import (
    BackgroundEstimate,
    from_occupancy_itself,
    from_slices,
    merge_running,
)
from radnuc.analysis.detect.categorize import Categorisation, categorise
from radnuc.analysis.detect.errors import OccupancyInputError
from radnuc.analysis.detect.fusion import AlgorithmResult, fuse
from radnuc.analysis.detect.matched_filter import point_over_distributed
from radnuc.analysis.detect.occupancy import SliceData, slice_data
from radnuc.analysis.detect.statistics import GAMMA_ALGORITHMS, NEUTRON_ALGORITHMS, compute_statistics
from radnuc.analysis.detect.thresholds import ThresholdSet
from radnuc.physics.categories import most_severe
from radnuc.spectra import Spectrum, TimeSlice, sum_time_slices

DEFAULT_FAR = 1e-3
MAX_PRE_SLICES = 600


@dataclass(frozen=True)
class Decision:
    """The outcome of one occupancy (see DESIGN.md, ``radnuc detect`` contract).

    ``score`` = -log10 of the null tail probability of the fused statistic (higher = more suspicious; alarm
    when >= -log10(far)); ``algorithms`` per
    algorithm result; ``nuclides`` supported components (name, category, confidence, significance);
    ``profile`` 'point' or 'distributed' (time profile of the strongest excess); ``seconds`` analysis time."""

    alarm: bool
    gamma_alarm: bool
    neutron_alarm: bool
    score: float
    category: str
    nuclides: tuple[dict, ...]
    algorithms: dict[str, AlgorithmResult]
    far: float
    first_sample: int
    last_sample: int
    duration_s: float
    profile: str
    background_origin: str
    explanation: str
    detector_kind: str
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "alarm": self.alarm, "gamma_alarm": self.gamma_alarm, "neutron_alarm": self.neutron_alarm,
            "score": round(self.score, 4), "category": self.category, "nuclides": list(self.nuclides),
            "seconds": round(self.seconds, 6), "far": self.far,
            "algorithms": {k: v.to_dict() for k, v in self.algorithms.items()},
            "occupancy": {"first_sample": self.first_sample, "last_sample": self.last_sample,
                          "duration_s": round(self.duration_s, 3), "profile": self.profile},
            "background": self.background_origin, "detector": self.detector_kind,
            "explanation": self.explanation, "warnings": list(self.warnings),
        }


IdentifyFn = Callable[[Spectrum, Spectrum | None], object]


@dataclass
class LaneMonitor:
    """Streaming alarm engine of one lane. ``background`` seeds the lane background (a background file);
    ``identify_fn(foreground, background)`` (e.g. ``radnuc.analysis.identify.identify``) is called on the
    summed occupancy spectrum of gamma alarms and its nuclides join the categorisation, with the non-occupied
    slices before it as background, else ``identify_background`` (e.g. the summed spectrum of a lane background
    file), else none (identification's built-in background model)."""

    thresholds: ThresholdSet
    far: float = DEFAULT_FAR
    background: BackgroundEstimate | None = None
    identify_fn: IdentifyFn | None = None
    assume_occupied: bool = False
    identify_background: Spectrum | None = None
    _pre: deque = field(default_factory=lambda: deque(maxlen=MAX_PRE_SLICES), init=False)
    _occ: list = field(default_factory=list, init=False)
    _raw: list = field(default_factory=list, init=False)
    _pre_raw: deque = field(default_factory=lambda: deque(maxlen=MAX_PRE_SLICES), init=False)

    def __post_init__(self) -> None:
        if not 0 < self.far < 1:
            raise OccupancyInputError(f"false-alarm rate must be in (0, 1), got {self.far}")

    def feed(self, ts: TimeSlice) -> Decision | None:
        """Add one time slice; returns the decision when this slice ends an occupancy, else None."""
        return self.feed_windows(slice_data(ts, self.thresholds.window_edges_kev), ts)

    def feed_windows(self, sd: SliceData, ts: TimeSlice | None = None) -> Decision | None:
        """Add one slice already reduced to energy windows (:func:`.occupancy.slice_data`)."""
        occupied = True if (sd.occupied is None and self.assume_occupied) else bool(sd.occupied)
        decision = None
        if occupied:
            self._occ.append(sd)
            if self.identify_fn is not None and ts is not None:
                self._raw.append(ts)
            return None
        if self._occ:
            decision = self._finish()
        self._pre.append(sd)
        if self.identify_fn is not None and ts is not None:
            self._pre_raw.append(ts)
        return decision

    def flush(self) -> Decision | None:
        """Decide on an occupancy still open (the data ended while occupied)."""
        return self._finish() if self._occ else None

    # ------------------------------------------------------------------------------------------------
    def _lane_background(self, warnings: list[str], occ: list[SliceData]) -> BackgroundEstimate:
        if self._pre:
            new = from_slices(list(self._pre))
            self.background = merge_running(self.background, new)
            self._pre.clear()
        if self.background is not None:
            return self.background
        warnings.append("no background: neither non-occupied slices nor a lane background (--background); "
                        "estimated from the occupancy itself, a distributed source can be missed")
        return from_occupancy_itself(occ)

    def _finish(self) -> Decision:
        started = time.perf_counter()
        occ: list[SliceData] = self._occ
        self._occ = []
        raw, self._raw = self._raw, []
        warnings: list[str] = []
        bg = self._lane_background(warnings, occ).scaled_to(occ[0].detectors)
        tset = self.thresholds
        counts = np.array([s.windows for s in occ])
        live = np.array([s.live_s for s in occ])
        neutrons = np.array([s.neutron for s in occ])
        speeds = [s.speed_mps for s in occ if s.speed_mps]
        st = compute_statistics(counts, live, neutrons, bg, tset, float(np.mean(speeds)) if speeds else None)
        alarm_set = tset.alarm_algorithms
        results, score = fuse(st.values, tset.nulls, self.far, st.details, alarm_set)
        fusing = [a for a in results if alarm_set is None or a in alarm_set]
        gamma = any(results[a].fired for a in GAMMA_ALGORITHMS if a in fusing)
        neutron = any(results[a].fired for a in NEUTRON_ALGORITHMS if a in fusing)
        alarm = score >= -math.log10(self.far)
        profile = "distributed"
        if st.mf is not None and st.sums.centre[st.mf.kernel] >= 0:
            profile = "point"
        category, nuclides, explanation = "none", [], "no algorithm fired"
        if gamma:
            cat = self._categorise(st, results)
            category, explanation = cat.category, cat.explanation
            borrowed = self.thresholds.provenance.get("borrowed_for")
            if borrowed:
                category = "unknown"
                explanation = (f"templates are for {self.thresholds.detector_kind}, not {borrowed}: category left "
                               f"to identification; " + explanation)
                cat = replace(cat, components=())
            nuclides = [{"name": c.name, "category": c.category, "confidence": _confidence(c.significance),
                         "significance": round(c.significance, 2), "template": c.template} for c in cat.components]
            if self.identify_fn is not None and raw:
                category, nuclides = self._identify(raw, category, nuclides, warnings)
        if neutron:
            category = most_severe([category, "neutron"]) if gamma else "neutron"
            explanation = ("neutron excess; " + explanation) if gamma else "neutron excess over the lane background"
        if alarm and not gamma and not neutron:
            alarm = False  # ties at the threshold: the per-algorithm comparison decides
        if not alarm:
            category = "none"
        return Decision(
            alarm=bool(alarm), gamma_alarm=bool(gamma), neutron_alarm=bool(neutron), score=float(score),
            category=category, nuclides=tuple(nuclides), algorithms=results, far=self.far,
            first_sample=occ[0].sample_number, last_sample=occ[-1].sample_number,
            duration_s=float(live.sum()), profile=profile, background_origin=bg.origin, explanation=explanation,
            detector_kind=tset.detector_kind, warnings=tuple(warnings), seconds=time.perf_counter() - started,
        )

    def _categorise(self, st, results: dict[str, AlgorithmResult]) -> Categorisation:
        sums = st.category_sums if st.category_sums is not None else st.sums
        spectroscopic = self.thresholds.n_windows >= 8 and self.thresholds.bank.shapes.size > 0
        point = point_over_distributed(st.sums, self.thresholds.bank.shapes) if st.mf is not None else 0
        ratio = results.get("windows")
        norm_like = bool(ratio is not None and ratio.statistic is not None and not ratio.fired)
        tset = self.thresholds
        if not spectroscopic:
            return categorise(sums, point, tset.bank, spectroscopic, norm_like)
        return categorise(sums, point, tset.category_bank, spectroscopic, norm_like, tset.category_matrix)

    def _identify(self, raw: list[TimeSlice], category: str, nuclides: list[dict],
                  warnings: list[str]) -> tuple[str, list[dict]]:
        from radnuc.errors import RadnucError

        try:
            fg = sum_time_slices([ts.summed() for ts in raw])
            if len(self._pre_raw) > 1:
                bg = sum_time_slices([ts.summed() for ts in self._pre_raw])
            else:
                bg = self.identify_background
            ident = self.identify_fn(fg, bg)
        except (RadnucError, ValueError) as exc:
            warnings.append(f"identify failed: {exc}")
            return category, nuclides
        names = {n["name"] for n in nuclides}
        for nuc in getattr(ident, "nuclides", ()):
            if nuc.name not in names:
                nuclides.append({"name": nuc.name, "category": nuc.category,
                                 "confidence": round(float(nuc.confidence), 3), "source": "identify"})
        cat = getattr(ident, "category", "none") or "none"
        if cat not in ("none", "unknown"):
            category = most_severe([category, cat]) if category != "unknown" else cat
        return category, nuclides


def _confidence(sigma: float) -> float:
    """A 0-1 confidence from a significance in sigma (1 - two-sided tail, capped)."""
    return round(float(min(math.erf(sigma / math.sqrt(2)), 0.999)), 3)
