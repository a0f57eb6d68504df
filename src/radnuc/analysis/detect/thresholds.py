"""Threshold sets: everything the engine learns from background-only data, for one portal detector kind.

A :class:`ThresholdSet` holds the energy windows, the template bank, the vehicle's mean background-suppression
profile over the occupancy and its vehicle-to-vehicle spread, the NORM low/high window ratio, the null law of
every algorithm's statistic and of the fused statistic, and which algorithms make the alarm. Thresholds are
never hand-set: for a target false-alarm rate FAR per empty occupancy the fused score is calibrated on the same
empties (:mod:`.fusion`).

:func:`calibrate` builds a set from ``n`` simulated empty occupancies (radnuc's physics synthesizer; vehicles
of random speed 1.5-4.5 m/s, length 4-20 m, background suppression 3-12 %, neutron ship effect 0-5 %; half of
them shadow the background uniformly in energy, half as an iron absorber of 5-30 g/cm2 (log-uniform), deeper at
low energy; the generator is passed in). The lane background each empty is judged against is, as in service,
either only the 10 s before it (a monitor just started: half of the empties) or a running estimate of 10-300 s
(``MAX_HISTORY_S``; the other half): the null laws hold for both. The sets shipped in
``data/thresholds-<kind>.json`` were made by ``radnuc detect calibrate --detector KIND --n 20000 --seed 20260101``
(``20260102`` for ``pvt-portal``) and record that provenance; re-run both after any change of the physics or of the
statistics.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import numpy as np

from radnuc.analysis.detect.background import BackgroundEstimate
from radnuc.analysis.detect.errors import ThresholdDataError
from radnuc.analysis.detect.fusion import TAIL_FRACTION, NullModel, fit_fused_tail, fit_null, fused_statistic
from radnuc.analysis.detect.matched_filter import TILT_SIGMA
from radnuc.analysis.detect.templates import TemplateBank, build_bank
from radnuc.analysis.detect.windows import SPLIT_KEV, aggregation_matrix, category_edges, rebin_matrix, window_edges

SHIPPED_KINDS = ("nai-2x4x16", "pvt-portal")
NULL_FAMILIES = {"gross": "maxnormal", "windows": "maxnormal", "nscrad": "maxnormal", "matched_filter": "maxnormal",
                 "neutron": "maxnormal"}
PROFILE_BINS = 20
MIN_LENGTH_M, MAX_LENGTH_M = 4.0, 20.0
"""Vehicle lengths drawn in calibration: passenger cars to articulated trucks (5-18 m until 2026-12-07). Widening
them alone left cars of 4-6 m alarming at 0.0035 per passage on the gross count (a car that shadows little sits
above the mean shadow profile); 0.0010 since the gross count left the spectral alarm (``ALARM_ALGORITHMS``)."""
MAX_HISTORY_S = 290.0
"""Longest lane-background history drawn in calibration (plus the 10 s before the occupancy: the 300 s memory of
:func:`.background.merge_running`)."""


@dataclass(frozen=True)
class ThresholdSet:
    """Learned parameters of the engine for one detector kind (see the module docstring)."""

    detector_kind: str
    window_edges_kev: np.ndarray
    bank: TemplateBank
    suppression_profile: np.ndarray
    scale_sigma: float
    kappa: float
    nulls: dict[str, NullModel]
    closest_approach_m: float = 2.0
    occupancy_travel_m: float = 16.0
    provenance: dict = field(default_factory=dict)
    category_edges_kev: np.ndarray | None = None
    alarm_algorithms: tuple[str, ...] | None = None
    tilt_sigma: float = 0.0
    """Prior of the background's spectral tilt in the matched filter (:data:`.matched_filter.TILT_SIGMA` for sets
    calibrated since 2026-12-07; 0 in older files, whose null laws were fitted without it)."""

    @property
    def category_matrix(self) -> np.ndarray:
        """Detection windows -> category windows (identity when the set has one binning)."""
        if self.category_edges_kev is None:
            return np.eye(self.n_windows)
        return aggregation_matrix(self.window_edges_kev, self.category_edges_kev)

    @property
    def category_bank(self) -> TemplateBank:
        """The template bank in the category windows (what :mod:`.categorize` decomposes into)."""
        shapes = self.bank.shapes @ self.category_matrix if self.bank.shapes.size else self.bank.shapes
        return replace(self.bank, shapes=shapes)

    @property
    def low_windows(self) -> np.ndarray:
        centres = np.sqrt(self.window_edges_kev[:-1] * self.window_edges_kev[1:])
        return centres < SPLIT_KEV

    @property
    def n_windows(self) -> int:
        return self.window_edges_kev.size - 1

    def gross_only(self) -> ThresholdSet:
        """The same set for a gross-count portal (one window, no templates): the gross count and the neutrons make
        the alarm, each at FAR / 2 (the fused null was calibrated on the spectral alarm algorithms). The gross
        count's level prior is widened to the learned mean shadow depth: without spectra nothing tells a vehicle
        that shadows less than the mean from a source, and empty vehicles without any shadow alarmed on 38 % of
        passages (0-3 % shadow: 9 %) with the calibrated spread (~2 %). The calibrated null then overstates the
        gross count's tail: conservative."""
        edges = np.array([self.window_edges_kev[0], self.window_edges_kev[-1]])
        bank = TemplateBank((), (), (), np.zeros((0, 1)))
        nulls = {k: v for k, v in self.nulls.items() if k != "fused"}
        depth = 1.0 - float(np.mean(self.suppression_profile)) if self.suppression_profile.size else 0.0
        return replace(self, window_edges_kev=edges, bank=bank, category_edges_kev=None, nulls=nulls,
                       alarm_algorithms=("gross", "neutron"), scale_sigma=max(self.scale_sigma, depth))

    def to_json(self) -> dict:
        return {
            "format": "radnuc-detect-thresholds/1", "detector_kind": self.detector_kind,
            "window_edges_kev": [round(float(e), 4) for e in self.window_edges_kev],
            "category_edges_kev": (None if self.category_edges_kev is None
                                   else [round(float(e), 4) for e in self.category_edges_kev]),
            "suppression_profile": [round(float(v), 6) for v in self.suppression_profile],
            "scale_sigma": round(self.scale_sigma, 6), "kappa": round(self.kappa, 6),
            "closest_approach_m": self.closest_approach_m, "occupancy_travel_m": self.occupancy_travel_m,
            "nulls": {k: v.to_json() for k, v in self.nulls.items()}, "templates": self.bank.to_json(),
            "alarm_algorithms": None if self.alarm_algorithms is None else list(self.alarm_algorithms),
            "tilt_sigma": self.tilt_sigma,
            "provenance": self.provenance,
        }

    @classmethod
    def from_json(cls, data: dict, origin: str = "thresholds") -> ThresholdSet:
        try:
            if data.get("format") != "radnuc-detect-thresholds/1":
                raise ThresholdDataError(f"{origin}: not a radnuc detect threshold file")
            return cls(
                detector_kind=str(data["detector_kind"]),
                window_edges_kev=np.asarray(data["window_edges_kev"], dtype=float),
                bank=TemplateBank.from_json(data["templates"]),
                suppression_profile=np.asarray(data["suppression_profile"], dtype=float),
                scale_sigma=float(data["scale_sigma"]), kappa=float(data["kappa"]),
                nulls={k: NullModel.from_json(v) for k, v in data["nulls"].items()},
                closest_approach_m=float(data.get("closest_approach_m", 2.0)),
                occupancy_travel_m=float(data.get("occupancy_travel_m", 16.0)),
                provenance=dict(data.get("provenance", {})),
                category_edges_kev=(None if data.get("category_edges_kev") is None
                                    else np.asarray(data["category_edges_kev"], dtype=float)),
                alarm_algorithms=(None if data.get("alarm_algorithms") is None
                                  else tuple(str(a) for a in data["alarm_algorithms"])),
                tilt_sigma=float(data.get("tilt_sigma", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ThresholdDataError(f"{origin}: malformed threshold file ({exc})") from None

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")


def load_thresholds(path: str | Path) -> ThresholdSet:
    """Read a threshold file written by :meth:`ThresholdSet.save` / ``radnuc detect calibrate``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ThresholdDataError(f"{path}: cannot read threshold file ({exc})") from None
    return ThresholdSet.from_json(data, str(path))


_CACHE: dict[str, ThresholdSet] = {}


def shipped_thresholds(detector_kind: str) -> ThresholdSet:
    """The threshold set shipped for ``detector_kind`` (``nai-2x4x16`` or ``pvt-portal``), cached."""
    if detector_kind not in SHIPPED_KINDS:
        raise ThresholdDataError(f"no shipped thresholds for {detector_kind!r}; shipped: {', '.join(SHIPPED_KINDS)}")
    if detector_kind not in _CACHE:
        text = (resources.files("radnuc.analysis.detect") / "data" / f"thresholds-{detector_kind}.json").read_text(
            encoding="utf-8")
        _CACHE[detector_kind] = ThresholdSet.from_json(json.loads(text), f"thresholds-{detector_kind}.json")
    return _CACHE[detector_kind]


def _random_empty(rng: np.random.Generator):
    from radnuc.physics.synthesis import OccupancyScenario

    steel = float(np.exp(rng.uniform(np.log(5.0), np.log(30.0)))) if rng.random() < 0.5 else 0.0
    return OccupancyScenario(
        speed_mps=float(rng.uniform(1.5, 4.5)), vehicle_length_m=float(rng.uniform(MIN_LENGTH_M, MAX_LENGTH_M)),
        suppression=float(rng.uniform(0.03, 0.12)), ship_effect=float(rng.uniform(0.0, 0.05)),
        vehicle_steel_g_cm2=steel,
    )


def _norm_kappa(bank: TemplateBank, low: np.ndarray) -> float:
    ratios = [s[low].sum() / max(s[~low].sum(), 1e-12)
              for s, c in zip(bank.shapes, bank.categories, strict=True) if c == "NORM"]
    return float(np.mean(ratios)) if ratios else 1.0


def calibrate(detector_kind: str, n: int, rng: np.random.Generator, seed: int | None = None,
              scenarios: int | None = None) -> ThresholdSet:
    """Calibrate a threshold set on ``n`` simulated empty occupancies (``scenarios`` distinct vehicles, each
    drawn n / scenarios times; Poisson draws are made directly in the energy windows, which is exact since a
    sum of Poisson counts is Poisson)."""
    from radnuc.analysis.detect.statistics import ALARM_ALGORITHMS, ALGORITHMS, compute_statistics
    from radnuc.physics.synthesis import PortalGeometry, synthesize_occupancy

    if n < 200:
        raise ThresholdDataError("calibration needs at least 200 empty occupancies")
    edges = window_edges(detector_kind)
    bank = build_bank(detector_kind, edges)
    geometry = PortalGeometry(detector=detector_kind)
    m = rebin_matrix(geometry.energy_calibration.edges_kev, edges)
    n_scen = scenarios or max(20, n // 50)
    vehicles = []
    profiles, levels = [], []
    for _ in range(n_scen):
        sim = synthesize_occupancy(_random_empty(rng), rng, geometry)
        expected = sim.expected_gamma.sum(axis=1) @ m  # [S, W]
        neutron = sim.expected_neutron.sum(axis=1)
        occ = sim.occupied
        first = int(np.argmax(occ))
        pre = np.arange(occ.size) < first
        base = expected[pre].sum(axis=1).mean()
        ratio = expected[occ].sum(axis=1) / base
        u = (np.arange(ratio.size) + 0.5) / ratio.size
        profiles.append(np.interp((np.arange(PROFILE_BINS) + 0.5) / PROFILE_BINS, u, ratio))
        levels.append(ratio.mean())
        vehicles.append((expected, neutron, occ, pre, geometry.slice_s))
    profile = np.mean(profiles, axis=0)
    predicted = np.array([p.mean() for p in profiles])
    scale_sigma = float(max(np.std(np.array(levels) / predicted.mean()), 0.003))
    kappa = _norm_kappa(bank, np.sqrt(edges[:-1] * edges[1:]) < SPLIT_KEV)
    tset = ThresholdSet(detector_kind, edges, bank, profile, scale_sigma, kappa, {},
                        category_edges_kev=category_edges(detector_kind), alarm_algorithms=ALARM_ALGORITHMS,
                        tilt_sigma=TILT_SIGMA)
    samples: dict[str, list[float]] = {a: [] for a in ALGORITHMS}
    per = math.ceil(n / n_scen)
    for expected, neutron, occ, pre, slice_s in vehicles:
        rate_pre = expected[pre].mean(axis=0) / slice_s
        nrate_pre = float(neutron[pre].mean() / slice_s)
        for _ in range(per):
            counts = rng.poisson(expected).astype(float)
            ncounts = rng.poisson(neutron).astype(float)
            # lane history: none (fresh monitor) or a running background of up to MAX_HISTORY_S more seconds
            hist = float(rng.uniform(0.0, MAX_HISTORY_S)) if rng.random() < 0.5 else 0.0
            live_pre = float(pre.sum() * slice_s) + hist
            gamma_bg = counts[pre].sum(axis=0) + rng.poisson(rate_pre * hist)
            neutron_bg = float(ncounts[pre].sum() + rng.poisson(nrate_pre * hist))
            bg = BackgroundEstimate(gamma_bg / live_pre, neutron_bg / live_pre, live_pre, 2, "calibration")
            st = compute_statistics(counts[occ], np.full(int(occ.sum()), slice_s), ncounts[occ], bg, tset)
            for a in ALGORITHMS:
                samples[a].append(st.values[a])
    nulls = {a: fit_null(np.array(v), NULL_FAMILIES[a]) for a, v in samples.items() if np.isfinite(v).any()}
    # the fused statistic's own null, on the same empties: exact fused FAR instead of Bonferroni over algorithms
    fused = [fused_statistic({a: samples[a][i] for a in nulls}, nulls, ALARM_ALGORITHMS)
             for i in range(len(samples[ALGORITHMS[0]]))]
    nulls["fused"] = fit_fused_tail(np.array(fused))
    provenance = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "method": "radnuc.analysis.detect.thresholds.calibrate: simulated empty occupancies "
                  "(radnuc.physics.synthesis.synthesize_occupancy, default site background, two panels, 0.1 s "
                  f"slices; speed U(1.5,4.5) m/s, length U({MIN_LENGTH_M:g},{MAX_LENGTH_M:g}) m, suppression "
                  "U(0.03,0.12), ship effect U(0,0.05); shadow uniform in energy for half of the vehicles, for the "
                  "other half that of iron of log-U(5,30) g/cm2); lane background: the 10 s before the occupancy, "
                  f"plus for half of the empties a running history U(0,{MAX_HISTORY_S:g}) s; null laws of every "
                  "algorithm: tail of a maximum of near-normal deviates (N Phi_bar(x/s)) through the 90th and 99th "
                  "percentiles; fused statistic: "
                  f"exponential tail above its {100 * (1 - TAIL_FRACTION):g}th percentile",
        "n_occupancies": int(per * n_scen), "n_vehicles": int(n_scen), "seed": seed,
        "command": f"radnuc detect calibrate --detector {detector_kind} --n {n}"
                   + (f" --seed {seed}" if seed is not None else ""),
    }
    return replace(tset, nulls=nulls, provenance=provenance)
