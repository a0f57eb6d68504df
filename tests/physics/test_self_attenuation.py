"""Thick emitting items: escape fraction, self-fluorescence, and the source spec that uses them."""

import numpy as np
import pytest

from radnuc.physics.attenuation import mass_attenuation
from radnuc.physics.errors import PhysicsError
from radnuc.physics.self_attenuation import escape_fraction, item_element, thick_item, thick_item_lines
from radnuc.physics.synthesis import SourceSpec
from radnuc.physics.synthesis.source_spec import resolve_source


def test_escape_fraction_limits():
    # vanishing slab: everything escapes; thick slab: 1 / (mu x)
    assert escape_fraction("U", 0.0, [186.0])[0] == pytest.approx(1.0)
    thick = escape_fraction("U", 200.0, [186.0])[0]
    mux = float(mass_attenuation("U", 186.0)) * 200.0
    assert thick == pytest.approx(1.0 / mux, rel=1e-6)


def test_escape_fraction_matches_slab_integral():
    # (1 - exp(-mu x)) / (mu x) is the mean of exp(-mu z) over the depth z of a uniform slab
    depth = np.linspace(0.0, 10.0, 200001)
    mu = float(mass_attenuation("Pu", 400.0))
    direct = np.trapezoid(np.exp(-mu * depth), depth) / 10.0
    assert escape_fraction("Pu", 10.0, [400.0])[0] == pytest.approx(direct, rel=1e-6)


def test_thick_uranium_suppresses_186_against_1001_keV():
    escaped, _, _ = thick_item_lines([185.7, 1001.0], [1.0, 1.0], "U", 20.0)
    # about mu(1001)/mu(186) for a thick item: 186 keV down >10x against 1001 keV
    assert escaped[0] / escaped[1] < 0.1


def test_self_fluorescence_only_above_the_k_edge():
    _, k_e, below = thick_item_lines([100.0], [1.0], "U", 20.0)  # U K edge 115.6 keV
    assert below.sum() == 0.0
    _, k_e, above = thick_item_lines([185.7], [1.0], "U", 20.0)
    assert above.sum() > 0.0
    assert 94.0 < k_e[np.argmax(above)] < 99.0  # U K-alpha1 98.4 keV is the strongest
    assert above.sum() < 1.0  # less than one X-ray per line photon


def test_bad_inputs_are_clear_errors():
    with pytest.raises(PhysicsError):
        escape_fraction("U", -1.0, [100.0])
    with pytest.raises(PhysicsError):
        thick_item_lines([1.0, 2.0], [1.0], "U", 1.0)
    with pytest.raises(PhysicsError):
        SourceSpec("HEU", 1e6, self_attenuation_g_cm2=float("nan"))


def test_item_element_and_thick_item_lines():
    assert item_element(resolve_source("HEU")) == "U"
    assert item_element(resolve_source("WGPu")) == "Pu"
    lines, _ = SourceSpec("HEU", 1e6).emission_lines()
    assert thick_item(lines, "U", 0.0) is lines
    thick, _ = SourceSpec("HEU", 1e6, self_attenuation_g_cm2=20.0).emission_lines()
    assert len(thick) > len(lines)  # the U K X-rays
    at = {round(float(e), 1): float(i) for e, i in zip(thick.energy_kev, thick.intensity, strict=True)}
    bare = {round(float(e), 1): float(i) for e, i in zip(lines.energy_kev, lines.intensity, strict=True)}
    assert at[185.7] < 0.1 * bare[185.7]
    assert at[1001.0] > 0.3 * bare[1001.0]
