"""Priors of the candidates and their role in selection."""

import math

from radnuc.analysis.identify.candidates import ALL_CANDIDATES, METAL_ITEMS, variants_for
from radnuc.analysis.identify.priors import NUCLEAR_MATERIAL, log_prior, prior


def test_tiers():
    assert prior("Am-241") == 1.0
    assert prior("Ga-68") == 0.1
    assert prior("WGPu") == 0.01
    assert log_prior("HEU") == math.log(0.01)


def test_every_candidate_has_a_prior_and_the_rare_ones_are_candidates():
    assert all(0 < prior(name) <= 1 for name in ALL_CANDIDATES)
    assert NUCLEAR_MATERIAL <= set(ALL_CANDIDATES)


def test_metal_item_variant_only_for_materials():
    assert [v.label for v in variants_for("Cs-137")] == ["bare", "steel 2 cm", "lead 1 cm"]
    for name in METAL_ITEMS:
        labels = [v.label for v in variants_for(name)]
        assert labels[-1] == "metal item"
        assert variants_for(name)[-1].self_attenuation_g_cm2 > 0
