"""Activities of synthesized sources of known activity, dose constants, IAEA categories, Pu grade, report."""

import numpy as np
import pytest

from radnuc.analysis.characterize import characterize, measure_plutonium
from radnuc.analysis.characterize.activity import estimate_activities
from radnuc.analysis.characterize.categories import iaea_source_category, nuclear_material_category
from radnuc.analysis.characterize.dose import h10_rate_usv_h
from radnuc.analysis.characterize.isotopes import half_life_s
from radnuc.analysis.characterize.report import write_report
from radnuc.analysis.characterize.synth import synthesize_plutonium
from radnuc.physics.background import SiteBackground
from radnuc.physics.materials import DEFAULT_AGE_S, MATERIALS
from radnuc.physics.shielding import Shield
from radnuc.physics.synthesis import SourceSpec, synthesize_spectrum
from radnuc.spectra import EnergyCalibration

CAL = EnergyCalibration.linear(0.0, 3.0, 1024)


@pytest.mark.parametrize("name,activity", [("Cs-137", 3.7e5), ("Co-60", 1e5), ("Ba-133", 2e5), ("Am-241", 1e6)])
def test_activity_unshielded_within_20pct(name, activity):
    s = synthesize_spectrum("nai-3x3", CAL, [SourceSpec(name, activity, 50.0)], 300, np.random.default_rng(1),
                            SiteBackground())
    (est,), shield = estimate_activities(s, [name], "nai-3x3", 50.0)
    assert est.activity_bq == pytest.approx(activity, rel=0.2)
    assert est.sigma_bq > 0
    assert shield.z_class == "none"


def test_activity_undetermined_shield_is_lower_bound():
    """A single-line source in a small crystal does not fix the shield: Am-241 in the pocket CsI reads as the
    least activity the spectrum allows (here the unshielded truth), with the thick shields as upper bound, instead
    of a grid average ruled by thick lead (which gave ~1e6 x the truth)."""
    cal = EnergyCalibration.linear(0.0, 3000.0 / 1024, 1024)
    s = synthesize_spectrum("csi-pocket", cal, [SourceSpec("Am-241", 1e6, 50.0)], 300, np.random.default_rng(0),
                            SiteBackground())
    (est,), _ = estimate_activities(s, ["Am-241"], "csi-pocket", 50.0)
    assert est.activity_bq == pytest.approx(1e6, rel=0.2)
    assert est.upper_bq is not None and est.upper_bq > 2 * est.activity_bq
    assert est.to_dict()["lower_bound"] is True
    (known,), _ = estimate_activities(s, ["Am-241"], "csi-pocket", 50.0, shields=())
    assert known.upper_bq is None and known.activity_bq == pytest.approx(1e6, rel=0.2)


def test_shield_z_class():
    s = synthesize_spectrum("nai-3x3", CAL, [SourceSpec("Ba-133", 2e5, 50.0, (Shield("Pb", thickness_cm=0.2),))],
                            300, np.random.default_rng(3), SiteBackground())
    (est,), shield = estimate_activities(s, ["Ba-133"], "nai-3x3", 50.0)
    assert shield.z_class == "high" and shield.material == "Pb"
    assert 1.0 <= shield.areal_density_g_cm2 <= 5.0
    assert est.activity_bq == pytest.approx(2e5, rel=0.3)


def test_shield_between_grid_points_is_refined():
    """Iron of 10 g/cm2 lies between the 8 and 12 g/cm2 grid points: the refined areal density (not the nearest
    grid point, which read 13-18 % low) gives the activity."""
    s = synthesize_spectrum("nai-3x3", CAL, [SourceSpec("Eu-152", 1e5, 50.0, (Shield("Fe", areal_density=10.0),))],
                            300, np.random.default_rng(4), SiteBackground())
    (est,), shield = estimate_activities(s, ["Eu-152"], "nai-3x3", 50.0)
    assert shield.material == "Fe"
    assert shield.areal_density_g_cm2 not in (8.0, 12.0)
    assert 8.0 < shield.areal_density_g_cm2 < 12.0
    assert est.activity_bq == pytest.approx(1e5, rel=0.06)


def test_dose_constants():
    # handbook H*(10) constants: Cs-137 ~0.093, Co-60 ~0.35 µSv/h per MBq at 1 m
    assert h10_rate_usv_h([661.657], [0.851e6]) == pytest.approx(0.093, rel=0.05)
    assert h10_rate_usv_h([1173.2, 1332.5], [1e6, 1e6]) == pytest.approx(0.35, rel=0.05)
    assert h10_rate_usv_h([661.657], [0.851e6], 2.0) == pytest.approx(0.093 / 4, rel=0.05)
    assert h10_rate_usv_h([661.657], [1e6], shields=(Shield("Pb", thickness_cm=5),)) < 0.01


def test_iaea_categories():
    assert iaea_source_category({"Co-60": 3e11}).category == 2  # D = 0.03 TBq, A/D = 10
    assert iaea_source_category({"Cs-137": 1e8}).category == 5
    agg = iaea_source_category({"Co-60": 1.5e11, "Cs-137": 0.5e12})  # 5 + 5 = 10
    assert agg.category == 2
    assert iaea_source_category({"HEU": 1e9}).excluded == ("HEU",)
    assert nuclear_material_category("U", 6000.0, 93.0) == "I"
    assert nuclear_material_category("U", 50.0, 93.0) == "III"
    assert nuclear_material_category("Pu", 600.0) == "II"
    assert nuclear_material_category("U", 1e6, 0.711) is None


@pytest.mark.parametrize("name,grade", [("WGPu", "weapons-grade"), ("RGPu", "reactor-grade")])
def test_plutonium_grade_hpge(name, grade):
    """Reactor-grade: Pu-241 159.96 keV gives 3x the Pu-240 160.31 keV counts (it read 'not determinable' with a
    15 % sigma before the multiplet took it as a known peak)."""
    comp = dict(MATERIALS[name].composition_pct)
    s = synthesize_plutonium("hpge-40pct", comp, np.random.default_rng(5), total_counts=1e7, live_time_s=600,
                             shields=(Shield("Cd", thickness_cm=0.15),))
    result = measure_plutonium(s, "hpge-40pct")
    pu241 = comp["Pu-241"] * 0.5 ** (DEFAULT_AGE_S / half_life_s("Pu-241"))  # at the measurement
    truth = 100.0 * comp["Pu-240"] / (comp["Pu-239"] + comp["Pu-240"] + pu241)
    assert result.grade == grade
    assert abs(result.pu240_pct - truth) < 4 * result.uncertainty_pct
    assert result.uncertainty_pct < 0.35 * truth


def test_plutonium_scintillator_not_determinable():
    s = synthesize_spectrum("nai-3x3", CAL, [SourceSpec("WGPu", 1e9, 30.0)], 60, np.random.default_rng(5))
    assert measure_plutonium(s, "nai-3x3").grade == "not determinable"


def test_characterize_cs137_and_report(tmp_path):
    s = synthesize_spectrum("nai-3x3", CAL, [SourceSpec("Cs-137", 3.7e7, 100.0)], 60, np.random.default_rng(1),
                            SiteBackground())
    result = characterize(s, 1.0, detector="nai-3x3")
    assert [a.name for a in result.activities] == ["Cs-137"]
    assert result.activities[0].activity_bq == pytest.approx(3.7e7, rel=0.2)
    assert result.dose_usv_h_at_1m == pytest.approx(0.093 * 37 * 0.946, rel=0.25)
    assert result.source_category.category == 5
    html = write_report(result, tmp_path / "r.html", title="test")
    assert "Cs-137" in html.read_text()
    pdf = write_report(result, tmp_path / "r.pdf", title="test")
    assert pdf.read_bytes()[:4] == b"%PDF"
    ar = result.to_analysis_result("test")
    assert ar.nuclides[0].activity_kbq == pytest.approx(result.activities[0].activity_bq / 1e3)
