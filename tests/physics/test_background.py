import dataclasses

import numpy as np
import pytest

from radnuc.physics.background import (
    SiteBackground,
    background_lines,
    background_spectrum,
    line_fluence_rates,
    scatter_density,
)
from radnuc.physics.errors import PhysicsError


def test_line_table():
    energies = {round(ln.energy_kev, 1) for ln in background_lines()}
    for e in (1460.8, 609.3, 1764.5, 351.9, 238.6, 911.2, 583.2, 2614.5):
        assert e in energies
    assert {ln.series for ln in background_lines()} == {"K40", "U238", "Th232"}


def test_uranium_series_carries_natural_u235():
    """Natural uranium: 0.7204 atom-% U-235, i.e. 0.046 U-235 decays per U-238 decay (half-lives 4.468e9 and
    7.04e8 a), so U-235's 185.7 keV line (57.2 % per decay) is 0.73 of Ra-226's 186.2 keV line (3.64 %)."""
    lines = {(ln.nuclide, round(ln.energy_kev, 1)): ln for ln in background_lines()}
    ratio = 0.7204 / 99.2742 * 4.468e9 / 7.04e8
    u235 = lines[("U-235", 185.7)]
    assert u235.series == "U238" and u235.yield_per_decay == pytest.approx(0.572 * ratio, rel=0.01)
    assert u235.yield_per_decay / lines[("Ra-226", 186.2)].yield_per_decay == pytest.approx(0.73, abs=0.01)


def test_spectrum_components_and_scaling():
    edges = np.linspace(0, 3000, 1025)
    c = background_spectrum("nai-3x3", edges, components=True)
    assert np.all(c["total"] >= 0)
    assert 30 < c["total"].sum() < 2000  # cps, typical 3"x3" NaI outdoors
    cen = 0.5 * (edges[1:] + edges[:-1])
    k40 = c["K40"]
    assert cen[np.argmax(np.where(cen > 1000, k40, 0))] == pytest.approx(1460.8, abs=15)
    th = c["Th232"]
    assert cen[np.argmax(np.where(cen > 2000, th, 0))] == pytest.approx(2614.5, abs=20)
    site2 = dataclasses.replace(SiteBackground(), k40_bq_kg=800.0)
    c2 = background_spectrum("nai-3x3", edges, site2, components=True)
    np.testing.assert_allclose(c2["K40"], 2 * k40, rtol=1e-9)
    with pytest.raises(PhysicsError):
        SiteBackground(k40_bq_kg=-1)


def test_scatter_is_a_smooth_continuum_even_for_hpge():
    """The scattered terrestrial photons are a continuum: no narrow structure at HPGe resolution (the earlier
    model drew them as 60 pseudo-lines, which made fake peaks at 64, 139, 149, 187 ... keV)."""
    edges = np.linspace(0, 3000, 8193)
    cen = 0.5 * (edges[1:] + edges[:-1])
    scatter = background_spectrum("hpge-40pct", edges, components=True)["scatter"]
    sel = (cen > 150) & (cen < 2600)
    rise = scatter[sel][1:] / scatter[sel][:-1]
    assert rise.max() < 1.01  # decreasing above the low-energy hump, apart from sub-percent wiggles
    assert scatter[sel].min() > 0


def test_scatter_density_conserves_each_lines_share():
    site = SiteBackground()
    e, dens = scatter_density(site)
    _, phi = line_fluence_rates(site)
    total = np.sum(0.5 * (dens[1:] + dens[:-1]) * np.diff(e))
    assert total == pytest.approx(site.scatter_ratio * phi.sum(), rel=2e-3)
    assert np.all(dens >= 0) and dens[e > 2615].sum() == 0


def test_photon_weight_filters_the_terrestrial_photons_by_energy():
    """``photon_weight``: terrestrial lines and scatter weighted by their incident energy; no cosmic part."""
    edges = np.linspace(0, 3000, 513)
    c = background_spectrum("nai-2x4x16", edges, components=True)
    ones = background_spectrum("nai-2x4x16", edges, photon_weight=lambda e: np.ones_like(e))
    np.testing.assert_allclose(ones, c["total"] - c["cosmic"], rtol=1e-9, atol=1e-12)
    low_only = background_spectrum("nai-2x4x16", edges, photon_weight=lambda e: (e < 500).astype(float))
    cen = 0.5 * (edges[1:] + edges[:-1])
    assert low_only[cen > 600].sum() < 1e-6 * ones[cen > 600].sum()
    assert 0 < low_only.sum() < ones.sum()
