"""Nuclide names, half-lives and ICRP-107 emission lines against reference values."""

import numpy as np
import pytest

from radnuc.physics.errors import PhysicsError, UnknownNuclideError
from radnuc.physics.nuclides import (
    YEAR_S,
    Lines,
    all_nuclides,
    emission_lines,
    half_life_s,
    is_radionuclide,
    normalize_name,
    nuclide,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Cs-137", "Cs-137"),
        ("cs137", "Cs-137"),
        ("Cs137", "Cs-137"),
        ("CS-137", "Cs-137"),
        ("137Cs", "Cs-137"),
        ("Tc99m", "Tc-99m"),
        ("tc-99M", "Tc-99m"),
        ("99mTc", "Tc-99m"),
        ("U235", "U-235"),
        ("u-235", "U-235"),
        (" Am 241 ", "Am-241"),
        ("Pa234m", "Pa-234m"),
        ("Bi-212n", "Bi-212n"),
    ],
)
def test_normalize_name(raw, canonical):
    assert normalize_name(raw) == canonical


@pytest.mark.parametrize("bad", ["", "Xx-137", "Cs", "137", "U-5", "hello world", "Cs-137-2"])
def test_normalize_name_rejects(bad):
    with pytest.raises(UnknownNuclideError):
        normalize_name(bad)


def test_unknown_nuclide_errors_are_physics_errors():
    with pytest.raises(PhysicsError, match="Ba-137"):
        emission_lines("Ba-137")  # stable
    with pytest.raises(UnknownNuclideError):
        nuclide("Cs-999")
    assert not is_radionuclide("Ba-137")
    assert not is_radionuclide("nonsense")
    assert is_radionuclide("ba137m")


def test_library_size():
    names = all_nuclides()
    assert len(names) == 1252
    assert names[0] == "H-3"
    assert "Cs-137" in names and "Tc-99m" in names


@pytest.mark.parametrize(
    ("name", "years", "rel"),
    [("Cs-137", 30.08, 0.005), ("Co-60", 5.27, 0.002), ("U-235", 7.04e8, 0.001), ("Am-241", 432.6, 0.002),
     ("U-238", 4.468e9, 0.001), ("Ba-133", 10.54, 0.005)],
)
def test_half_lives(name, years, rel):
    assert half_life_s(name) / YEAR_S == pytest.approx(years, rel=rel)


def test_nuclide_dataclass():
    co = nuclide("co60")
    assert (co.name, co.Z, co.A, co.state, co.category) == ("Co-60", 27, 60, "", "industrial")
    assert co.half_life_y == pytest.approx(5.27, rel=0.002)
    tc = nuclide("Tc99m")
    assert (tc.Z, tc.A, tc.state, tc.category) == (43, 99, "m", "medical")
    assert tc.half_life_s == pytest.approx(6.01 * 3600, rel=0.002)


def _line(lines: Lines, energy_kev: float) -> float:
    return lines.intensity_at(energy_kev, tolerance_kev=0.3)


@pytest.mark.parametrize(
    ("name", "energy", "yield_"),
    [
        ("Ba-137m", 661.657, 0.8974),
        ("Co-60", 1173.23, 0.9985),
        ("Co-60", 1332.49, 0.9998),
        ("Am-241", 59.5412, 0.359),
        ("Ba-133", 356.013, 0.62),
        ("U-235", 185.715, 0.572),
        ("Pa-234m", 1001.03, 0.00837),
        ("K-40", 1460.8, 0.1067),
        ("Ir-192", 316.5, 0.8286),
        ("I-131", 364.49, 0.8150),
        ("Tc-99m", 140.51, 0.89),
    ],
)
def test_reference_lines(name, energy, yield_):
    lines = emission_lines(name)
    assert _line(lines, energy) == pytest.approx(yield_, rel=0.01)
    # the peak position is in the library to better than 0.1 keV
    near = lines.gamma.select(min_energy_kev=energy - 1, max_energy_kev=energy + 1)
    assert np.min(np.abs(near.energy_kev - energy)) < 0.1


def test_daughters_are_separate():
    cs = emission_lines("Cs-137")
    assert _line(cs, 661.657) == 0.0  # the 662 keV line belongs to Ba-137m
    assert cs.gamma.total() < 1e-4


def test_kinds_and_cutoffs():
    na = emission_lines("Na-22")
    assert _line(na.select(["annihilation"]), 511.0) == pytest.approx(1.798, rel=0.01)
    am = emission_lines("Am-241", kinds=("xray",), min_energy_kev=10.0)
    assert set(am.kind) == {"xray"} and am.energy_kev.min() >= 10.0
    strong = emission_lines("Am-241", min_energy_kev=1.0, min_yield=0.3)
    assert strong.as_rows() == [(59.5412, 0.359, "gamma", "Am-241")]
    assert len(emission_lines("Am-241").xray) + len(emission_lines("Am-241").gamma) == len(
        emission_lines("Am-241", kinds=("gamma", "xray"))
    )
    with pytest.raises(ValueError, match="kind"):
        emission_lines("Co-60", kinds=("beta",))


def test_lines_operations():
    lines = emission_lines("Ba-133", min_energy_kev=20)
    assert np.all(np.diff(lines.energy_kev) >= 0)
    top = lines.strongest(3)
    assert len(top) == 3 and np.all(np.diff(top.energy_kev) >= 0)
    gamma = lines.gamma.strongest(1)
    assert gamma.energy_kev[0] == pytest.approx(356.013, abs=0.01)
    assert top.energy_kev.min() < 40  # Cs K X-rays of Ba-133 are as strong as its 356 keV line
    assert lines.scaled(2.0).total() == pytest.approx(2 * lines.total())
    doubled = Lines.concat([lines, lines]).merged()
    assert len(doubled) == len(lines.merged())
    assert doubled.total() == pytest.approx(2 * lines.total())
    assert len(Lines.empty()) == 0 and Lines.concat([]).total() == 0.0


def test_every_nuclide_loads():
    # the whole library parses (lazily cached) and has non-negative yields
    total = 0
    for name in all_nuclides():
        lines = emission_lines(name)
        assert np.all(lines.intensity >= 0)
        total += len(lines)
    assert total > 50_000
