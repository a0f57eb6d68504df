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


def test_template_noise_free_known_geometry():
    s = synthesize_uranium("nai-3x3", 20.0, _Expected(), total_counts=1e5, live_time_s=60.0, background=None)
    r = measure_enrichment(s, detector="nai-3x3", shields=(), distance_cm=30.0)
    assert abs(r.activity_ratio / _true_ratio(20.0) - 1) < 0.01


def test_marginalise():
    mean, sigma, w, best = _marginalise([1.0, 2.0], [0.1, 0.1], [0.0, 100.0], 10)
    assert best == 0 and mean == pytest.approx(1.0) and sigma == pytest.approx(0.1)
    mean, sigma, w, _ = _marginalise([1.0, 2.0], [0.1, 0.1], [5.0, 5.0], 10)
    assert mean == pytest.approx(1.5) and sigma == pytest.approx(np.hypot(0.1, 0.5))
