"""IAEA D-values (EPR-D-VALUES 2006) and source categories by A/D (RS-G-1.9).

Reference values of the confirmed rows: 10 CFR Part 73 Appendix I and 10 CFR Part 110 Appendix P, Table 1
(Category 1 threshold = 1000 D, Category 2 threshold = 10 D; e.g. Co-60 30 TBq / 0.3 TBq, Cs-137 100 / 1,
Pm-147 40 000 / 400, Tm-170 20 000 / 200), and UNECE ADR (2023) Table 1.10.3.1.3, the security thresholds of
high-consequence radioactive goods (= Category 2 threshold, 10 D) for the 25 nuclides of the IAEA Code of Conduct
Annex I. Category bounds: RS-G-1.9 Table 1 (A/D >= 1000, >= 10, >= 1, >= 0.01).
"""

import pytest

from radnuc.physics.dvalues import (
    categorize_sources,
    category_for_ratio,
    d_value,
    d_value_tbq,
    d_values,
    source_category,
)
from radnuc.physics.errors import InvalidParameterError, UnknownNuclideError
from radnuc.physics.nuclides import is_radionuclide


@pytest.mark.parametrize(
    ("name", "tbq"),
    [("Co-60", 0.03), ("Cs-137", 0.1), ("Am-241", 0.06), ("Ir-192", 0.08), ("Se-75", 0.2), ("Cf-252", 0.02),
     ("Ra-226", 0.04), ("Sr-90", 1.0), ("Yb-169", 0.3), ("Tm-170", 20), ("Pm-147", 40), ("Gd-153", 1.0),
     ("Pu-238", 0.06), ("Cm-244", 0.05), ("Am-241/Be", 0.06), ("Pu-239/Be", 0.06)],
)
def test_confirmed_d_values(name, tbq):
    assert d_value_tbq(name) == pytest.approx(tbq)
    row = d_value(name)
    assert row.status == "confirmed" and "10 CFR" in row.source


# UNECE ADR 2023, Table 1.10.3.1.3: radionuclide security thresholds (TBq) = 10 D
ADR_THRESHOLDS = {
    "Am-241": 0.6, "Au-198": 2, "Cd-109": 200, "Cf-252": 0.2, "Cm-244": 0.5, "Co-57": 7, "Co-60": 0.3,
    "Cs-137": 1, "Fe-55": 8000, "Ge-68": 7, "Gd-153": 10, "Ir-192": 0.8, "Ni-63": 600, "Pd-103": 900,
    "Pm-147": 400, "Po-210": 0.6, "Pu-238": 0.6, "Pu-239": 0.6, "Ra-226": 0.4, "Ru-106": 3, "Se-75": 2,
    "Sr-90": 10, "Tl-204": 200, "Tm-170": 200, "Yb-169": 3,
}


@pytest.mark.parametrize(("name", "threshold_tbq"), sorted(ADR_THRESHOLDS.items()))
def test_d_values_agree_with_adr_security_thresholds(name, threshold_tbq):
    row = d_value(name)
    assert 10 * row.d_tbq == pytest.approx(threshold_tbq)
    assert row.status == "confirmed"


# 10 CFR 110 Appendix P / 10 CFR 73 Appendix I, Table 1: (Category 1 TBq, Category 2 TBq)
CFR_THRESHOLDS = {
    "Am-241": (60, 0.6), "Am-241/Be": (60, 0.6), "Cf-252": (20, 0.2), "Cm-244": (50, 0.5), "Co-60": (30, 0.3),
    "Cs-137": (100, 1.0), "Gd-153": (1000, 10), "Ir-192": (80, 0.8), "Pm-147": (40000, 400), "Pu-238": (60, 0.6),
    "Pu-239/Be": (60, 0.6), "Ra-226": (40, 0.4), "Se-75": (200, 2.0), "Sr-90": (1000, 10), "Tm-170": (20000, 200),
    "Yb-169": (300, 3.0),
}


def test_confirmed_rows_are_exactly_the_cross_checked_lists():
    confirmed = {k for k, row in d_values().items() if row.status == "confirmed"}
    assert confirmed == set(CFR_THRESHOLDS) | set(ADR_THRESHOLDS)
    for name, (cat1, cat2) in CFR_THRESHOLDS.items():
        d = d_value_tbq(name)
        assert cat1 == pytest.approx(1000 * d) and cat2 == pytest.approx(10 * d)
        # the thresholds themselves fall in categories 1 and 2
        assert source_category({name: cat1 * 1e12})[0] == 1
        assert source_category({name: cat2 * 1e12})[0] == 2
        assert source_category({name: cat2 * 0.999e12})[0] == 3


def test_table_integrity():
    table = d_values()
    assert len(table) >= 26
    for key, row in table.items():
        assert row.d_tbq > 0 and row.status in {"confirmed", "unverified"}
        assert row.source.startswith("EPR-D-VALUES 2006")
        if row.status == "unverified":
            assert "not cross-checked" in row.source
        assert is_radionuclide(key.split("/")[0]), key
    assert d_value("co60").d_bq == pytest.approx(3e10)
    with pytest.raises(UnknownNuclideError):
        d_value("Xe-135")


@pytest.mark.parametrize(
    ("ratio", "cat"),
    [(5000, 1), (1000, 1), (999.9, 2), (10, 2), (9.99, 3), (1, 3), (0.99, 4), (0.01, 4), (0.0099, 5), (0, 5)],
)
def test_category_thresholds(ratio, cat):
    assert category_for_ratio(ratio) == cat


def test_source_category():
    # a teletherapy Co-60 head (~150 TBq) is Category 1, a radiography Ir-192 (~3.7 TBq) Category 2,
    # a Cs-137 well-logging source (~0.07 TBq) Category 3, a Cs-137 level gauge (~2 GBq) Category 4
    assert source_category({"Co-60": 150e12})[0] == 1
    assert source_category({"Ir-192": 3.7e12}) == (2, pytest.approx(46.25))
    assert source_category({"Cs-137": 0.15e12})[0] == 3
    assert source_category({"Cs-137": 2e9})[0] == 4
    assert source_category({"Am-241": 1e6})[0] == 5
    assert source_category({"Co-60": 3e11}) == (2, pytest.approx(10.0))


def test_aggregation():
    # each alone Category 4, together Σ A/D = 0.5 + 0.6 = 1.1 → Category 3
    cat, ratio = source_category({"Co-60": 1.5e10, "Cs-137": 6e10})
    assert (cat, ratio) == (3, pytest.approx(1.1))
    detail = categorize_sources({"Cs137": 3e10, "Cs-137": 3e10, "Na-22": 3e8})
    assert detail.ratios["Cs-137"] == pytest.approx(0.6)
    assert detail.unverified == ("Na-22",)
    assert "Na-22" in detail.warning and "not verified" in detail.warning
    assert categorize_sources({"Co-60": 1e12}).warning == ""
    with pytest.raises(InvalidParameterError):
        source_category({"Co-60": -1})
    with pytest.raises(UnknownNuclideError):
        source_category({"Xe-135": 1e12})


# Gamma emitters (lines 100-1500 keV, no positrons, no dominant low-energy X-rays) whose D-value is set by external
# exposure (D1) should give about the same dose rate at D: H*(10) at 1 m within a factor ~2.5 of 10 mSv/h.
# A D-value mistyped by 10x (e.g. Ba-133 = 2 TBq, as one third-party table has it) falls outside the band.
D1_GAMMA_EMITTERS = ("Co-60", "Cs-137", "Ir-192", "Ra-226", "Se-75", "Au-198", "Co-57", "Ru-106", "Yb-169",
                     "Ba-133", "Cs-134", "Eu-152", "I-131", "Mn-54", "Mo-99", "Tc-99m", "Zn-65")


@pytest.mark.parametrize("name", D1_GAMMA_EMITTERS)
def test_external_exposure_d_values_give_a_consistent_dose_rate(name):
    from radnuc.analysis.characterize.dose import h10_rate_usv_h
    from radnuc.physics.sources import Source

    lines = Source.nuclide(name).lines()
    msv_h = h10_rate_usv_h(lines.energy_kev, lines.intensity * d_value(name).d_bq, 1.0) / 1000
    assert 4.0 <= msv_h <= 25.0, f"{name}: H*(10) at 1 m from D = {msv_h:.3g} mSv/h"
