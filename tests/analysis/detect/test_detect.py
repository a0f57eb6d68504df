"""Portal alarm engine: null distributions, detection, categories, streaming, real and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from radnuc.analysis.detect import (
    DetectError,
    LaneMonitor,
    OccupancyInputError,
    ThresholdDataError,
    calibrate,
    detect,
    load_thresholds,
    shipped_thresholds,
)
from radnuc.physics.synthesis import OccupancyScenario, PortalGeometry, SourceSpec, synthesize_occupancy
from radnuc.spectra import MeasurementSet, read_file

PORTAL = Path(__file__).resolve().parents[2] / "data" / "portal"


def _sim(rng, *sources, detector="nai-2x4x16", **kw):
    scenario = OccupancyScenario(sources=tuple(sources), **kw)
    return synthesize_occupancy(scenario, rng, PortalGeometry(detector=detector)).measurements


def test_null_false_alarm_rate_per_algorithm_near_target():
    """At FAR 0.05 (to have counts in 300 fresh empties), each algorithm and the fused decision stay near target.

    Each algorithm fires at the per-algorithm tail share where the calibrated null of the fused maximum reaches the
    FAR (``fusion.fuse``: 0.029 at FAR 0.05, the algorithms being correlated), not at Bonferroni's FAR / 5; the
    test held them to FAR / 5 until 2026-12-08 and passed on this seed only (other seeds: 11-13 of 300)."""
    rng = np.random.default_rng(1234)
    share = 10.0 ** -shipped_thresholds("nai-2x4x16").nulls["fused"].quantile(0.05)
    fired = {a: 0 for a in ("gross", "windows", "nscrad", "matched_filter", "neutron")}
    alarms, n, far = 0, 300, 0.05
    for _ in range(n):
        d = detect(_sim(rng, speed_mps=float(rng.uniform(1.5, 4.5)), suppression=float(rng.uniform(0.03, 0.12))),
                   far=far)
        alarms += d.alarm
        for a in fired:
            fired[a] += d.algorithms[a].fired
    # fused FAR <= target (Bonferroni), generous binomial tolerance
    assert alarms / n < far + 3 * np.sqrt(far / n)
    for a, k in fired.items():
        assert k / n < share + 4 * np.sqrt(share / n), a


def test_clear_source_detected_and_categorised():
    rng = np.random.default_rng(7)
    d = detect(_sim(rng, SourceSpec("Cs-137", 3e5)))
    assert d.alarm and d.gamma_alarm and d.category == "industrial"
    assert any(n["name"] == "Cs-137" for n in d.nuclides)
    assert d.algorithms["matched_filter"].fired
    assert d.profile == "point"


def test_norm_cargo_not_called_snm():
    rng = np.random.default_rng(8)
    for src in (SourceSpec("K-40", 3e7), SourceSpec("Th-232", 3e6), SourceSpec("Ra-226", 3e6)):
        d = detect(_sim(rng, src, distributed=True))
        assert d.alarm and d.category == "NORM", (src.name, d.category, d.explanation)


def test_medical_is_medical():
    rng = np.random.default_rng(9)
    d = detect(_sim(rng, SourceSpec("Tc-99m", 3e5)))
    assert d.category == "medical"


def test_bare_plutonium_seen_only_through_am241_is_not_released_as_benign():
    """Bare WGPu at portal strengths shows the 59.5 keV line of its Am-241 only: SNM and industrial (Am-241)
    templates explain it equally, so neither passes the removal test; SNM alone explains it and NORM / medical do
    not, so the alarm is SNM ('cannot be excluded') in most passages (bench, 20-40 MBq: ~87 %; 0 % before)."""
    rng = np.random.default_rng(12)
    cats = [detect(_sim(rng, SourceSpec("WGPu", 3e7))) for _ in range(6)]
    assert all(d.alarm for d in cats)
    assert sum(d.category == "SNM" for d in cats) >= 4, [(d.category, d.explanation) for d in cats]
    snm = next(d for d in cats if d.category == "SNM")
    assert "cannot be excluded" in snm.explanation and "Am-241" in snm.explanation


def test_masked_heu_in_norm_called_snm():
    rng = np.random.default_rng(10)
    ms = _sim(rng, SourceSpec("K-40", 1e7), SourceSpec("HEU", 2e7), distributed=False)
    # NORM spread over the cargo + HEU point source: simulate both by summing two passes' sources is not possible
    # with one scenario, so the NORM is given as a point-like lump here and HEU dominates the low energies.
    d = detect(ms)
    assert d.alarm and d.category == "SNM", d.explanation


def test_neutron_only_detected():
    rng = np.random.default_rng(11)
    d = detect(_sim(rng, neutron_nps=3e5))
    assert d.neutron_alarm and d.alarm and d.category == "neutron"
    assert not d.gamma_alarm


def test_pvt_portal_works():
    rng = np.random.default_rng(12)
    empty = detect(_sim(rng, detector="pvt-portal"))
    assert empty.detector_kind == "pvt-portal"
    d = detect(_sim(rng, SourceSpec("Cs-137", 1e6), detector="pvt-portal"))
    assert d.alarm and d.gamma_alarm


def _gross_counts_only(ms):
    """The same occupancy as a gross-count portal records it: one number per detector and slice."""
    from dataclasses import replace as dc_replace

    return dc_replace(ms, measurements=tuple(dc_replace(m, counts=np.array([m.counts.sum()]), calibration=None)
                                             for m in ms.measurements))


def test_gross_count_data_alarm_on_the_gross_count():
    """Without spectra the gross count makes the alarm (for spectra it is a diagnostic): a strong source alarms
    through it, empty vehicles stay quiet."""
    rng = np.random.default_rng(21)
    # twice the gross-count detection limit of this portal: 1 MBq of Cs-137 gives 2.8-2.9 sigma, at the threshold
    d = detect(_gross_counts_only(_sim(rng, SourceSpec("Cs-137", 2e6))))
    assert d.alarm and d.gamma_alarm and d.algorithms["gross"].fired
    assert "diagnostic" not in d.algorithms["gross"].detail
    assert any("gross-count data" in w for w in d.warnings)
    quiet = [detect(_gross_counts_only(_sim(rng))).alarm for _ in range(20)]
    assert sum(quiet) == 0
    # a vehicle that casts no shadow (a simulation without one) is no source either: without spectra nothing
    # tells it from one, so the gross count's level prior spans the mean shadow (was: 38 % of such passages)
    unshadowed = [detect(_gross_counts_only(_sim(rng, suppression=0.0))).alarm for _ in range(20)]
    assert sum(unshadowed) == 0
    spectral = detect(_sim(rng, SourceSpec("Cs-137", 1e6)))
    assert "diagnostic" in spectral.algorithms["gross"].detail and spectral.alarm


def test_streaming_equals_batch():
    rng = np.random.default_rng(13)
    ms = _sim(rng, SourceSpec("Ba-133", 2e5))
    batch = detect(ms)
    monitor = LaneMonitor(shipped_thresholds("nai-2x4x16"))
    out = [d for ts in ms.time_slices() if (d := monitor.feed(ts)) is not None]
    last = monitor.flush()
    out += [last] if last else []
    assert len(out) == 1
    s = out[0]
    assert (s.alarm, s.category, s.score) == (batch.alarm, batch.category, batch.score)


def test_running_background_across_files():
    rng = np.random.default_rng(14)
    monitor = LaneMonitor(shipped_thresholds("nai-2x4x16"))
    for _ in range(3):
        detect(_sim(rng), monitor=monitor)
    assert monitor.background is not None and monitor.background.live_s > 20.0


def test_real_passthrough_runs_with_and_without_background():
    ms = read_file(PORTAL / "passthrough.n42")
    d = detect(ms)
    assert any("no background" in w for w in d.warnings)
    bg = read_file(PORTAL / "background_20100317.n42")
    d2 = detect(ms, background=bg)
    assert "background file" in d2.background_origin
    assert np.isfinite(d2.score)


def test_identification_gets_the_background_file_when_the_occupancy_has_none():
    """The real pass-through has no non-occupied slice: with ``--background FILE`` the alarm's identification is
    given that file's summed spectrum (before: none, so the built-in background model)."""
    from radnuc.analysis.identify import Identification

    seen = []

    def recording_identify(foreground, background):
        seen.append(background)
        return Identification(detector="hpge-40pct", detector_choice="test", nuclides=(), unknown=(),
                              background_source="test", gain_correction=0.0, offset_correction_kev=0.0,
                              reduced_chi2=1.0, total_counts=float(foreground.counts.sum()),
                              live_time_s=foreground.live_time_s)

    ms = read_file(PORTAL / "passthrough.n42")
    bg = read_file(PORTAL / "background_20100317.n42")
    d = detect(ms, background=bg, identify_fn=recording_identify)
    assert d.alarm and len(seen) == 1
    assert seen[0] is not None
    assert seen[0].counts.sum() == pytest.approx(sum(m.counts.sum() for m in bg.measurements), rel=1e-3)
    assert seen[0].live_time_s == pytest.approx(597.5, abs=0.5)
    seen.clear()
    detect(ms, identify_fn=recording_identify)
    assert seen == [None]


def test_bad_input_clean_errors(tmp_path):
    with pytest.raises(DetectError):
        detect(MeasurementSet(measurements=()))
    with pytest.raises(OccupancyInputError):
        LaneMonitor(shipped_thresholds("nai-2x4x16"), far=2.0)
    bad = tmp_path / "t.json"
    bad.write_text("{}")
    with pytest.raises(ThresholdDataError):
        load_thresholds(bad)


def test_calibrate_small_roundtrip(tmp_path):
    tset = calibrate("pvt-portal", 200, np.random.default_rng(3), seed=3, scenarios=4)
    tset.save(tmp_path / "t.json")
    again = load_thresholds(tmp_path / "t.json")
    assert set(again.nulls) >= {"gross", "neutron"}
    assert again.provenance["seed"] == 3


def test_fused_tail_null_is_consistent_and_shipped():
    from radnuc.analysis.detect.fusion import NullModel, fit_fused_tail

    rng = np.random.default_rng(5)
    sample = rng.exponential(1 / np.log(10), 50_000)  # P(M >= m) = 10^-m: the fit must recover it
    tail = fit_fused_tail(sample)
    assert tail.family == "exptail" and tail.scale == pytest.approx(1.0, rel=0.05)
    assert tail.quantile(1e-3) == pytest.approx(3.0, abs=0.1)
    for p in (0.5, 0.05, 1e-3, 1e-6):
        assert -tail.log10_sf(tail.quantile(p)) == pytest.approx(-np.log10(p), abs=1e-9)
    xs = np.linspace(0, 8, 50)
    assert np.all(np.diff([tail.log10_sf(x) for x in xs]) <= 0)
    assert NullModel.from_json(tail.to_json()).quantile(1e-3) == pytest.approx(tail.quantile(1e-3), rel=1e-4)
    for kind in ("nai-2x4x16", "pvt-portal"):
        assert shipped_thresholds(kind).nulls["fused"].family == "exptail"


def test_heu_masked_by_a_distributed_norm_cargo_called_snm():
    """A point HEU source inside a Th-232 cargo spread over the vehicle (expected counts of the two passes added,
    one Poisson draw): the point kernel above the cargo's whole-occupancy excess carries the SNM evidence."""
    from dataclasses import replace

    from radnuc.analysis.detect.occupancy import SliceData
    from radnuc.analysis.detect.windows import rebin_matrix

    rng = np.random.default_rng(15)
    geometry = PortalGeometry()
    tset = shipped_thresholds("nai-2x4x16")
    base = OccupancyScenario()
    empty = synthesize_occupancy(base, rng, geometry)
    cargo = synthesize_occupancy(replace(base, sources=(SourceSpec("Th-232", 1e6),), distributed=True), rng, geometry)
    heu = synthesize_occupancy(replace(base, sources=(SourceSpec("HEU", 8e6),)), rng, geometry)
    lam = (heu.expected_gamma + cargo.expected_gamma - empty.expected_gamma).sum(axis=1)
    counts = rng.poisson(lam @ rebin_matrix(geometry.energy_calibration.edges_kev, tset.window_edges_kev))
    neutrons = rng.poisson(empty.expected_neutron.sum(axis=1))
    monitor = LaneMonitor(tset)
    out = [monitor.feed_windows(SliceData(i + 1, counts[i].astype(float), float(neutrons[i]), geometry.slice_s,
                                          bool(empty.occupied[i]), None, 2)) for i in range(counts.shape[0])]
    d = next((x for x in out if x is not None), None) or monitor.flush()
    assert d.alarm and d.category == "SNM", d.explanation
    assert any(n["category"] == "NORM" for n in d.nuclides), d.explanation


def test_snm_not_excluded_is_a_relative_test():
    """'SNM cannot be excluded' needs NORM and medical templates alone to explain the excess worse than the SNM
    ones by 3 sigma, not merely to miss the full fit by 3 sigma (which a benign category with few templates does by
    chance: I-131 patients were called SNM in 2-5 % of passes)."""
    from radnuc.analysis.detect.categorize import _snm_not_excluded

    plutonium_like = {"": 8.0, "SNM": 1.0, "medical": 6.0, "NORM": 7.0, "industrial": 1.2}
    iodine_like = {"": 6.0, "SNM": 2.0, "medical": 3.5, "NORM": 5.0, "industrial": 2.5}
    weak = {"": 3.0, "SNM": 0.5, "medical": 6.0, "NORM": 6.0, "industrial": 1.0}
    snm_misfits = {"": 8.0, "SNM": 3.5, "medical": 9.0, "NORM": 9.0, "industrial": 1.0}
    assert _snm_not_excluded(plutonium_like)
    assert not _snm_not_excluded(iodine_like)
    assert not _snm_not_excluded(weak)
    assert not _snm_not_excluded(snm_misfits)
    assert not _snm_not_excluded({"": 8.0})
