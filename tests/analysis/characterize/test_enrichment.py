"""Enrichment on seeded synthetic spectra.

Tolerances: each check allows 3.5 combined sigma (reported uncertainty) plus the category test, so a correct
method fails one of these assertions with probability < 1e-3 per case; the benchmark (bench/bench_enrich.py)
measures accuracy and coverage over many seeds.
"""

import numpy as np
import pytest

from radnuc.analysis.characterize import CharacterizeError, measure_enrichment
from radnuc.analysis.characterize.enrichment import enrichment_from_ratio
from radnuc.analysis.characterize.isotopes import specific_activity_bq_per_g
from radnuc.physics.materials import u234_pct_for
from radnuc.physics.synthesis import SourceSpec, synthesize_spectrum
from radnuc.spectra import EnergyCalibration


def test_ratio_conversion_roundtrip():
    # natural uranium: A238/A235 = (m8 S8)/(m5 S5)
    e = 0.711
    m8 = 100 - e - u234_pct_for(e)
    ratio = m8 * specific_activity_bq_per_g("U-238") / (e * specific_activity_bq_per_g("U-235"))
    value, _ = enrichment_from_ratio(ratio, 0.0)
    assert value == pytest.approx(e, rel=1e-3)


@pytest.mark.parametrize("detector", ["hpge-40pct", "nai-3x3"])
@pytest.mark.parametrize("truth,category", [(0.25, "DU"), (3.0, "LEU"), (50.0, "HEU")])
def test_enrichment_synthetic(uranium_spectrum, detector, truth, category):
    result = measure_enrichment(uranium_spectrum(detector, truth), detector=detector)
    assert result.enrichment_pct is not None, result.reason
    assert abs(result.enrichment_pct - truth) < 3.5 * result.uncertainty_pct + 1e-9
    assert result.category == category
    assert result.method == ("hpge-relative-efficiency" if detector.startswith("hpge") else "template-ratio")
    assert any("secular equilibrium" in w for w in result.warnings)


def test_hpge_heu_is_heu(uranium_spectrum):
    result = measure_enrichment(uranium_spectrum("hpge-40pct", 93.0), detector="hpge-40pct")
    assert result.category == "HEU"


def test_not_uranium_cs137():
    cal = EnergyCalibration.linear(0.0, 3.0, 1024)
    s = synthesize_spectrum("nai-3x3", cal, [SourceSpec("Cs-137", 3e5, 30.0)], 60, np.random.default_rng(2))
    result = measure_enrichment(s, detector="nai-3x3")
    assert result.enrichment_pct is None and result.category is None
    assert result.reason.startswith("not uranium")


def test_too_few_counts(uranium_spectrum):
    result = measure_enrichment(uranium_spectrum("nai-3x3", 3.0, counts=300), detector="nai-3x3")
    assert result.enrichment_pct is None
    assert result.reason.startswith("too few counts")


def test_no_calibration_is_an_error(uranium_spectrum):
    from dataclasses import replace

    s = replace(uranium_spectrum("nai-3x3", 3.0), calibration=None)
    with pytest.raises(CharacterizeError):
        measure_enrichment(s, detector="nai-3x3")


def test_pvt_refused(uranium_spectrum):
    with pytest.raises(CharacterizeError):
        measure_enrichment(uranium_spectrum("nai-3x3", 3.0), detector="pvt-portal")


def test_reported_value_is_the_centre_of_the_mapped_interval():
    """enrichment +- uncertainty is the 1-sigma interval of the ratio mapped to wt %; a ratio below zero (U-238
    not seen) is clipped to the physical region, and its interval reaches the pure-U-235 end."""
    from radnuc.analysis.characterize.enrichment import _finish

    base = {"method": "template-ratio", "detector": "nai-3x3", "detector_choice": "given", "lines": ()}
    for ratio, sigma in ((0.15, 0.03), (0.01, 0.03), (-0.02, 0.03)):
        r = _finish(ratio, sigma, base, [], {})
        lo, hi = r.details["interval_pct"]
        assert r.enrichment_pct == pytest.approx(0.5 * (lo + hi), abs=1e-3)  # details are rounded to 1e-4
        assert r.uncertainty_pct == pytest.approx(0.5 * (hi - lo), abs=1e-3)
        lo2, hi2 = r.details["interval_2sigma_pct"]
        assert lo2 < lo < r.details["enrichment_ml_pct"] <= hi <= hi2
    clipped, at_zero = _finish(-0.02, 0.03, base, [], {}), _finish(0.0, 0.03, base, [], {})
    assert clipped.details["interval_pct"] == at_zero.details["interval_pct"]
    assert clipped.details["interval_pct"][1] == pytest.approx(enrichment_from_ratio(0.0, 0.0)[0])

