"""Physics of the enrichment fits on noise-free spectra (expected counts, no Poisson noise): interferences,
room background, the item-detector distance. Tolerances are fractions of the reported uncertainty or small
absolute numbers, so they test the model, not the luck of a seed."""

import numpy as np
import pytest

from radnuc.analysis.characterize import measure_enrichment
from radnuc.analysis.characterize.enrichment import _marginalise
from radnuc.analysis.characterize.isotopes import parent_lines, specific_activity_bq_per_g
from radnuc.analysis.characterize.multiplet import _ge_escape_fractions, fit_uranium_multiplets
from radnuc.analysis.characterize.synth import default_calibration, synthesize_uranium
from radnuc.physics.detectors import get_detector
from radnuc.physics.materials import u234_pct_for
from radnuc.physics.response import line_template


class _Expected:
    """Stands in for a numpy Generator: 'poisson' returns the mean (a noise-free spectrum)."""

    def poisson(self, mean):
        return np.asarray(mean, float)


def _true_ratio(e: float) -> float:
    u238 = 100 - e - u234_pct_for(e)
    return u238 * specific_activity_bq_per_g("U-238") / (e * specific_activity_bq_per_g("U-235"))


def test_ge_escape_fraction_physical():
    (_, ka), (_, kb) = _ge_escape_fractions(np.array([10.0, 20.0, 72.7, 500.0]))
    assert ka[0] == 0 and kb[0] == 0  # below the Ge K edge
    assert 0.001 < ka[2] + kb[2] < 0.05  # some 0.1-1 % at 73 keV (semi-infinite slab, normal incidence)
    assert ka[3] + kb[3] < 0.1 * (ka[2] + kb[2])  # negligible at high energy
    assert np.all(kb <= ka)


def test_pure_u235_gives_no_u238():
    """Th-231 63.86/64.35 keV, U-235 742.5 keV and the Ge escape of 72.7 keV are U-235's, not U-238's."""
    det = "hpge-40pct"
    cal = default_calibration(det)
    e, y = parent_lines("U-235", 1e-9)
    spec = np.asarray(line_template(det, e, y, cal.edges_kev, None)) * 3e5
    d = get_detector(det)
    from radnuc.analysis.characterize.enrichment import _ENV_WINDOWS, _HPGE_WINDOWS

    windows = [(lo, hi) for *_, lo, hi in _HPGE_WINDOWS] + list(_ENV_WINDOWS)
    fit = fit_uranium_multiplets(spec, cal.edges_kev, det, windows, lambda x: float(d.fwhm_kev(x)))
    # 93 % U-235 has A(U-238)/A(U-235) = 0.010: the spurious ratio must be well below that
    assert abs(fit.ratio) < 0.002


@pytest.mark.parametrize("truth", [3.0, 93.0])
def test_hpge_noise_free_known_distance(truth):
    s = synthesize_uranium("hpge-40pct", truth, _Expected(), total_counts=1e5, live_time_s=60.0,
                           background=None)
    r = measure_enrichment(s, detector="hpge-40pct", distance_cm=30.0)
    ratio = _true_ratio(truth)
    assert abs(r.activity_ratio - ratio) < 0.5 * r.activity_ratio_sigma
    assert abs(r.enrichment_pct - truth) < 0.5 * r.uncertainty_pct


def test_hpge_room_background_not_counted_as_item():
    """Without a background spectrum the room's Pa-234m/Th-234 lines are estimated from Bi-214/Pb-214."""
    s = synthesize_uranium("hpge-40pct", 50.0, _Expected(), total_counts=1e5, live_time_s=60.0)
    r = measure_enrichment(s, detector="hpge-40pct", distance_cm=30.0)
    assert r.details["room_u238_series_significance"] > 3
    assert abs(r.activity_ratio - _true_ratio(50.0)) < r.activity_ratio_sigma


def test_unknown_distance_widens_the_interval():
    s = synthesize_uranium("hpge-40pct", 3.0, _Expected(), total_counts=1e5, live_time_s=60.0, background=None)
    known = measure_enrichment(s, detector="hpge-40pct", distance_cm=30.0)
    unknown = measure_enrichment(s, detector="hpge-40pct")
    assert unknown.uncertainty_pct >= known.uncertainty_pct
    assert abs(unknown.enrichment_pct - 3.0) < unknown.uncertainty_pct
    assert not unknown.details["distance_given"] and known.details["distance_given"]


def test_template_noise_free_known_geometry(monkeypatch):
    """With the Th-234 yields the spectrum was made with (DDEP, as in radnuc.physics) and no yield grid, the
    templates reproduce it exactly."""
    from radnuc.analysis.characterize import enrichment

    monkeypatch.setattr(enrichment, "TH234_LOW_YIELD_SCALES", (1.0,))
    s = synthesize_uranium("nai-3x3", 20.0, _Expected(), total_counts=1e5, live_time_s=60.0, background=None)
    r = measure_enrichment(s, detector="nai-3x3", shields=(), distance_cm=30.0)
    assert abs(r.activity_ratio / _true_ratio(20.0) - 1) < 0.01
    assert r.details["resolution_scale"] == pytest.approx(1.0, abs=0.03)


def _th234_and_xrf_variants(det: str, truth: float, spectrum):
    """The noise-free ``spectrum`` (no room background, 30 cm) with the Th-234 63.3/92.4/92.8/112.8 keV lines at
    ICRP-107's emission probabilities (x1.29 of DDEP's), and with U K X-ray fluorescence (30 % of the 186 keV
    peak)."""
    from radnuc.analysis.characterize.multiplet import u_k_xrays
    from radnuc.spectra import Spectrum

    cal = default_calibration(det)
    e5, y5 = parent_lines("U-235", 1e-6)
    e8, y8 = parent_lines("U-238", 1e-6)
    th = np.isin(np.round(e8, 2), (63.29, 92.38, 92.8, 112.81))
    t5 = np.asarray(line_template(det, e5, y5, cal.edges_kev, 30.0))
    t8 = np.asarray(line_template(det, e8, y8, cal.edges_kev, 30.0))
    t_th = np.asarray(line_template(det, e8[th], y8[th], cal.edges_kev, 30.0))
    xe, xy = u_k_xrays()
    t_xrf = np.asarray(line_template(det, xe, xy / xy.sum(), cal.edges_kev, 30.0))
    t186 = np.asarray(line_template(det, [185.715], [0.572], cal.edges_kev, 30.0))
    ratio = _true_ratio(truth)
    # the (U-234-free part of the) spectrum is a5 (t5 + ratio t8): a5 from the total
    a5 = float(np.sum(spectrum.counts)) / float(np.sum(t5 + ratio * t8))
    icrp = spectrum.counts + (0.0484 / 0.0375 - 1.0) * a5 * ratio * t_th
    xrf = spectrum.counts + 0.3 * a5 * t186.sum() * t_xrf / t_xrf.sum()
    return [Spectrum(counts=c, calibration=cal, live_time_s=60.0, real_time_s=60.0, detector_name=det)
            for c in (icrp, xrf)]


@pytest.mark.parametrize("det", ["nai-3x3", "hpge-40pct"])
def test_th234_yields_and_fluorescence(det):
    """The analysis uses the DDEP Th-234 yields of radnuc.physics with their 5.4 % uncertainty: a spectrum with
    those yields is read within its 1 sigma. One with ICRP-107's (superseded) yields, 29 % higher, reads too much
    U-238, i.e. a lower enrichment, by 2-3 sigma at 20 % U-235. The item's U K X-ray fluorescence (a free
    component in both methods) does not change the result."""
    truth = 20.0
    kw = {"distance_cm": 30.0, **({"shields": ()} if det.startswith("nai") else {})}
    s = synthesize_uranium(det, truth, _Expected(), total_counts=1e5, live_time_s=60.0, background=None)
    nominal = measure_enrichment(s, detector=det, **kw)
    icrp, xrf = (measure_enrichment(v, detector=det, **kw) for v in _th234_and_xrf_variants(det, truth, s))
    assert abs(nominal.enrichment_pct - truth) < 0.5 * nominal.uncertainty_pct
    assert truth - 4 * icrp.uncertainty_pct < icrp.enrichment_pct < truth - icrp.uncertainty_pct
    assert abs(xrf.enrichment_pct - nominal.enrichment_pct) < 0.2 * nominal.uncertainty_pct


def test_hpge_mgau_region_adds_u238_information(monkeypatch):
    """The 82.5-101.5 keV region (Th-234 92.4/92.8 keV beside the Th K X-rays of U-235) narrows the HPGe interval
    and keeps the noise-free result on the truth."""
    from radnuc.analysis.characterize import enrichment

    s = synthesize_uranium("hpge-40pct", 20.0, _Expected(), total_counts=1e5, live_time_s=60.0, background=None)
    with_region = measure_enrichment(s, detector="hpge-40pct", distance_cm=30.0)
    monkeypatch.setattr(enrichment, "USE_MGAU_WINDOW", False)
    without = measure_enrichment(s, detector="hpge-40pct", distance_cm=30.0)
    assert with_region.uncertainty_pct < 0.9 * without.uncertainty_pct
    assert abs(with_region.enrichment_pct - 20.0) < 0.3 * with_region.uncertainty_pct


def test_template_finds_a_wider_resolution():
    """A crystal (or another code) with 15 % wider peaks than the model: the width is estimated, and the
    enrichment stays within its uncertainty."""
    s = synthesize_uranium("nai-3x3", 3.0, _Expected(), total_counts=1e5, live_time_s=60.0, resolution_scale=1.15)
    r = measure_enrichment(s, detector="nai-3x3")
    assert r.details["resolution_scale_estimate"] == pytest.approx(1.15, abs=0.06)
    assert abs(r.enrichment_pct - 3.0) < r.uncertainty_pct


def test_marginalise():
    mean, sigma, w, best = _marginalise([1.0, 2.0], [0.1, 0.1], [0.0, 100.0], 10)
    assert best == 0 and mean == pytest.approx(1.0) and sigma == pytest.approx(0.1)
    mean, sigma, w, _ = _marginalise([1.0, 2.0], [0.1, 0.1], [5.0, 5.0], 10)
    assert mean == pytest.approx(1.5) and sigma == pytest.approx(np.hypot(0.1, 0.5))


def test_template_room_background_by_series(monkeypatch):
    """Without a background spectrum the room's K-40, U-238-series and Th-232-series components are fitted
    separately (fixed by the lines the item does not emit): the room's Pa-234m does not pass for the item's.
    (Th-234 yields as in the spectrum, so that only the background is tested.)"""
    from radnuc.analysis.characterize import enrichment

    monkeypatch.setattr(enrichment, "TH234_LOW_YIELD_SCALES", (1.0,))
    s = synthesize_uranium("nai-3x3", 50.0, _Expected(), total_counts=1e5, live_time_s=60.0)
    r = measure_enrichment(s, detector="nai-3x3", shields=(), distance_cm=30.0)
    assert abs(r.activity_ratio / _true_ratio(50.0) - 1) < 0.02
    assert r.details["fit_range_kev"][1] > 2600  # up to Tl-208 2614 keV


def test_template_short_calibration():
    """A calibration that ends at 1500 keV: the fit range is clipped to it."""
    from radnuc.spectra import EnergyCalibration, Spectrum

    s = synthesize_uranium("nai-3x3", 3.0, np.random.default_rng(3), total_counts=1e5, live_time_s=60.0)
    cal = EnergyCalibration.linear(0.0, 3000.0 / 1024, 512)
    short = Spectrum(counts=s.counts[:512], calibration=cal, live_time_s=60.0, real_time_s=60.0,
                     detector_name=s.detector_name)
    r = measure_enrichment(short, detector="nai-3x3", distance_cm=30.0)
    assert r.details["fit_range_kev"][1] <= 1500.0
    assert r.category == "LEU" and abs(r.enrichment_pct - 3.0) < 3 * r.uncertainty_pct


def test_bootstrap_variance_matches_fisher_for_a_linear_problem():
    """Two well-separated components far from zero: the bootstrap and the Fisher variance of the ratio agree."""
    from radnuc.analysis.characterize.enrichment import _bootstrap_ratio_variance, _fisher_cov

    x = np.arange(200.0)
    comps = np.vstack([np.exp(-0.5 * ((x - 60) / 5) ** 2), np.exp(-0.5 * ((x - 140) / 5) ** 2), np.ones_like(x)])
    a = np.array([2000.0, 1000.0, 5.0])
    mean = a @ comps
    cov = _fisher_cov(comps, mean, a)
    f = a[1] / a[0]
    fisher = (cov[1, 1] - 2 * f * cov[0, 1] + f * f * cov[0, 0]) / a[0] ** 2
    boot = _bootstrap_ratio_variance(mean, comps, a, replicas=200)
    assert boot == _bootstrap_ratio_variance(mean, comps, a, replicas=200)  # reproducible
    assert 0.7 < boot / fisher < 1.4
