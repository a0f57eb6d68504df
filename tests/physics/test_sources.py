"""Sources with daughters: equilibrium ratios, whole-mixture lines, default ages."""

import math

import numpy as np
import pytest

from radnuc.physics.errors import InvalidParameterError, PhysicsError, UnknownNuclideError
from radnuc.physics.nuclides import YEAR_S
from radnuc.physics.sources import DEFAULT_AGES_S, Source, default_age_s, progeny, strongest_lines

DAY = 86400.0


def test_cs137_with_ba137m_in_equilibrium():
    src = Source.nuclide("Cs-137")
    assert src.activity_ratio("Ba-137m") == pytest.approx(0.944, rel=0.002)  # branching to Ba-137m
    lines = src.lines()
    # 0.851 photons of 661.657 keV per Cs-137 decay (NNDC 85.1 %; ICRP-107 0.847)
    assert lines.intensity_at(661.657) == pytest.approx(0.851, rel=0.01)
    assert lines.origin[lines.energy_kev.searchsorted(661.0)] == "Ba-137m"
    assert lines.intensity_at(32.2, 0.1) == pytest.approx(0.0375, rel=0.05)  # Ba Kα1


def test_fresh_cs137_has_no_662():
    assert Source.nuclide("Cs-137", age_s=0).lines().intensity_at(661.657) == 0.0


def test_co60():
    lines = Source.nuclide("Co-60").lines()
    assert lines.intensity_at(1173.23) == pytest.approx(1.0, rel=0.002)
    assert lines.intensity_at(1332.49) == pytest.approx(1.0, rel=0.002)


def test_mo99_tc99m_transient_equilibrium():
    # A(Tc)/A(Mo) = BR λ2/(λ2-λ1) (1 - exp(-(λ2-λ1) t)), BR = 0.8773 (ICRP-107)
    l1, l2 = math.log(2) / (65.94 * 3600), math.log(2) / (6.015 * 3600)
    for hours in (24, 48, 72):
        t = hours * 3600
        expected = 0.8773 * l2 / (l2 - l1) * (1 - math.exp(-(l2 - l1) * t))
        ratio = Source.nuclide("Mo-99", age_s=t).activity_ratio("Tc-99m")
        assert ratio == pytest.approx(expected, rel=0.005)
    assert Source.nuclide("Mo-99").activity_ratio("Tc-99m") == pytest.approx(0.965, abs=0.005)
    assert Source.nuclide("Mo-99", age_s=24 * 3600).activity_ratio("Tc-99m") > 0.88


def test_u238_after_six_months():
    src = Source.nuclide("U-238", age_s=0.5 * YEAR_S)
    act = src.activities()
    assert act["Th-234"] == pytest.approx(1.0, abs=0.01)
    assert act["Pa-234m"] == pytest.approx(1.0, abs=0.01)
    assert act.get("U-234", 0.0) < 1e-5  # no U-234 ingrowth to speak of
    assert src.lines().intensity_at(1001.03) == pytest.approx(0.0083, rel=0.03)  # Pa-234m 1001 keV ~0.84 %
    assert src.lines().intensity_at(63.29) == pytest.approx(0.0375, rel=0.05)  # Th-234 (DDEP, line_corrections)


def test_default_ages():
    assert default_age_s("Cs-137") == pytest.approx(10 * 2.552 * 60, rel=1e-3)
    assert default_age_s("U-238") == pytest.approx(241.0 * DAY, rel=0.01)
    assert default_age_s("Ra-226") == pytest.approx(38.2 * DAY, rel=0.01)
    assert default_age_s("Am-241") == 0.0
    assert default_age_s("Co-60") == 0.0
    assert default_age_s("Th-232") == DEFAULT_AGES_S["Th-232"] == pytest.approx(20 * YEAR_S)


def test_ra226_radon_progeny():
    src = Source.nuclide("Ra-226")
    act = src.activities()
    for daughter in ("Rn-222", "Po-218", "Pb-214", "Bi-214", "Po-214"):
        assert act[daughter] == pytest.approx(1.0, abs=0.002)
    assert act["Pb-210"] < 0.01  # 22 y Pb-210 not grown in by default
    lines = src.lines()
    assert lines.intensity_at(609.31) == pytest.approx(0.455, rel=0.02)  # Bi-214
    assert lines.intensity_at(351.93) == pytest.approx(0.356, rel=0.06)  # Pb-214
    assert lines.intensity_at(186.2, 0.2) == pytest.approx(0.036, rel=0.05)  # Ra-226 itself


def test_th232_chain_vs_age():
    young = Source.nuclide("Th-232", age_s=1 * YEAR_S).activities()
    old = Source.nuclide("Th-232").activities()  # 20 y
    ancient = Source.nuclide("Th-232", age_s=60 * YEAR_S).activities()
    assert young["Ra-228"] == pytest.approx(1 - 2 ** (-1 / 5.75), rel=0.02)
    assert young["Ra-228"] < old["Ra-228"] < ancient["Ra-228"] <= 1.0
    assert ancient["Tl-208"] == pytest.approx(0.3594, rel=0.01)  # Bi-212 alpha branch
    lines = Source.nuclide("Th-232", age_s=60 * YEAR_S).lines()
    assert lines.intensity_at(2614.5) == pytest.approx(0.359, rel=0.02)
    assert lines.intensity_at(238.63) == pytest.approx(0.436, rel=0.03)


def test_u235_with_th231():
    src = Source.nuclide("U-235")
    assert src.activity_ratio("Th-231") == pytest.approx(1.0, abs=0.001)
    assert src.lines().intensity_at(185.715) == pytest.approx(0.572, rel=0.005)
    assert src.lines().intensity_at(84.21) == pytest.approx(0.066, rel=0.05)  # Th-231


def test_merging_and_cutoff():
    lines = Source.nuclide("Th-232").lines(min_yield=1e-3)
    assert lines.intensity.min() >= 1e-3
    # L X-rays at 12.976 keV (Ac-228) and 12.984 keV (Pb-212) merged into one line
    assert len(lines.select(["xray"], 12.97, 12.99)) == 1
    unmerged = Source.nuclide("Th-232").lines(min_yield=1e-3, merge_tolerance_kev=0.0)
    assert len(unmerged.select(["xray"], 12.97, 12.99)) == 2
    assert lines.total() == pytest.approx(unmerged.total(), rel=5e-3)  # merged weak lines may pass the cut


def test_progeny_and_strongest():
    daughters = {d for d, _, _ in progeny("Mo-99")}
    assert daughters == {"Tc-99m", "Tc-99"}
    top = strongest_lines(Source.nuclide("Co-60"), n=2)
    assert [round(e) for e, _, _ in top] == [1173, 1332]


def test_errors():
    with pytest.raises(UnknownNuclideError):
        Source.nuclide("Ba-137")
    with pytest.raises(InvalidParameterError):
        Source.nuclide("Cs-137", age_s=-1)
    with pytest.raises(InvalidParameterError):
        Source.material("x", {}, 0)
    with pytest.raises(PhysicsError):
        Source.nuclide("Cs-137").specific_activity_bq_per_g()
    with pytest.raises(PhysicsError):
        Source.nuclide("Cs-137").activity_ratio("Ba-137m", "Co-60")


def test_material_source_per_gram():
    src = Source.material("Cs", {"Cs-137": 1.0}, 0.0)
    # specific activity of Cs-137: 3.2e12 Bq/g
    assert src.specific_activity_bq_per_g() == pytest.approx(3.2e12, rel=0.01)
    assert src.at_age(30.1671 * YEAR_S).activities()["Cs-137"] == pytest.approx(1.6e12, rel=0.01)
    assert "per g" in src.describe()


def test_material_lines_keep_the_weak_signatures():
    """A material's line cut is relative to the photons it emits, not to its activity (mostly Pu-241 beta
    decay in plutonium, U-234 in HEU): the Pu-239 and Pa-234m lines survive the synthesizer's cut."""
    from radnuc.physics.synthesis.source_spec import resolve_source, source_lines

    pu = source_lines(resolve_source("WGPu")).energy_kev
    for energy in (129.3, 375.0, 413.7):
        assert np.min(np.abs(pu - energy)) < 0.2
    heu = source_lines(resolve_source("HEU")).energy_kev
    for energy in (766.4, 1001.0):
        assert np.min(np.abs(heu - energy)) < 0.2
    # a nuclide keeps its per-decay cut
    cs = source_lines(resolve_source("Cs-137"))
    assert cs.intensity.min() >= 1e-4
