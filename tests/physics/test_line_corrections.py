"""Corrections of the ICRP-107 lines: standard K X-ray energies and current Th-234 emission probabilities."""

from __future__ import annotations

import csv
import importlib.resources

import numpy as np
import pytest
import xraydb

from radnuc.physics.line_corrections import (
    build_xray_energy_map,
    corrected_xray_energies,
    override_yields,
    xray_energy_map,
)
from radnuc.physics.nuclides import emission_lines


def _k_energy(element: str, line: str) -> float:
    return xraydb.xray_lines(element, "K")[line].energy / 1000.0


@pytest.mark.parametrize(
    ("nuclide", "element"),
    [("U-235", "Th"), ("Pu-239", "U"), ("Am-241", "Np"), ("Pb-214", "Bi"), ("Tl-208", "Pb"), ("Ba-133", "Cs")],
)
def test_strongest_k_line_sits_at_the_standard_kalpha1(nuclide, element):
    lines = emission_lines(nuclide, kinds=["xray"], min_energy_kev=25.0)
    strongest = lines.energy_kev[np.argmax(lines.intensity)]
    assert strongest == pytest.approx(_k_energy(element, "Ka1"), abs=0.002)


def test_icrp_offsets_grow_smoothly_with_z():
    rows = [r for r in build_xray_energy_map() if r["line"] == "Ka1"]
    z = np.array([r["z"] for r in rows])
    offset = np.array([float(r["offset_kev"]) for r in rows])
    heavy = z >= 60
    assert np.all(np.diff(offset[heavy]) > -0.01)  # monotone within rounding
    assert offset[z == 92][0] == pytest.approx(0.488, abs=0.002)


def test_bundled_map_is_what_the_generator_gives():
    text = (importlib.resources.files("radnuc.physics") / "data" / "xray_energy_map.csv").read_text()
    bundled = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    built = build_xray_energy_map()
    assert [(r["icrp_kev"], r["standard_kev"]) for r in bundled] == [(r["icrp_kev"], r["standard_kev"]) for r in built]


def test_unmapped_energies_pass_unchanged():
    energies = np.array([13.5, 661.657, 93.795, 93.7])
    out = corrected_xray_energies(energies)
    assert out[0] == 13.5 and out[1] == 661.657 and out[3] == 93.7
    assert out[2] == pytest.approx(93.351)
    assert energies[2] == 93.795  # input left alone
    assert len(xray_energy_map()) > 200


def test_th234_yields_follow_ddep():
    lines = emission_lines("Th-234", kinds=["gamma"], min_energy_kev=60.0)
    by_energy = dict(zip(np.round(lines.energy_kev, 2), lines.intensity, strict=True))
    assert by_energy[63.29] == pytest.approx(0.0375)
    assert by_energy[92.38] + by_energy[92.8] == pytest.approx(0.0433)


def test_override_of_a_missing_line_is_an_error(monkeypatch):
    from radnuc.physics import line_corrections

    monkeypatch.setattr(line_corrections, "line_yield_overrides", lambda: {"X-1": ((50.0, 0.1),)})
    with pytest.raises(ValueError, match="no ICRP-107 line"):
        override_yields("X-1", np.array([60.0]), np.array([0.2]))
    assert override_yields("Cs-137", np.array([1.0]), np.array([0.5]))[0] == 0.5
