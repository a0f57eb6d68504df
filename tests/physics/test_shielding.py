import numpy as np
import pytest

from radnuc.physics.attenuation import transmission
from radnuc.physics.errors import PhysicsError
from radnuc.physics.shielding import Shield, parse_shields, shielded_lines


def test_parse_cli_strings():
    (pb,) = parse_shields("pb:0.5")
    assert pb.material == "Pb" and pb.thickness_cm == 0.5
    assert pb.areal_density == pytest.approx(0.5 * 11.35)
    two = parse_shields("pb:0.5,fe:1")
    assert [s.material for s in two] == ["Pb", "Fe"]
    assert parse_shields("pb:5g")[0].areal_density == 5.0
    assert parse_shields("") == [] and parse_shields(None) == []
    for bad in ("pb", "pb:x", "xx:1", "pb:-1"):
        with pytest.raises(PhysicsError):
            parse_shields(bad)


def test_shield_needs_one_thickness():
    with pytest.raises(PhysicsError):
        Shield("Pb")
    assert Shield("water", areal_density=10.0).thickness_cm == pytest.approx(10.0)


def test_uncollided_and_scatter():
    e = np.array([661.657, 1332.492])
    y = np.array([0.85, 1.0])
    unc, sc = shielded_lines(e, y, [Shield("Pb", 1.0), Shield("Fe", 1.0)])
    expect = y * transmission("Pb", 11.35, e) * transmission("Fe", 7.874, e)
    np.testing.assert_allclose(unc, expect)
    assert sc.photons.sum() > 0
    assert sc.edges_kev[-1] <= e.max() * 1.01
    energies, dens = sc.density()
    total = np.sum(0.5 * (dens[1:] + dens[:-1]) * np.diff(energies))
    assert total == pytest.approx(sc.photons.sum(), rel=0.05)
    # Pb K X-rays (~75-85 keV) appear when lead is the last shield; not with iron last
    unc2, sc2 = shielded_lines(e, y, [Shield("Pb", 0.5)])
    assert np.any((sc2.xray_energies_kev > 70) & (sc2.xray_energies_kev < 90))
    assert sc.xray_photons.size == 0
    # no shield: unchanged
    unc0, sc0 = shielded_lines(e, y, [])
    np.testing.assert_allclose(unc0, y)
    assert sc0.photons.size == 0 and sc0.total_photons() == 0


def test_shielded_hpge_template_has_no_pseudo_line_peaks():
    """The build-up continuum behind a shield is smooth at HPGe resolution (it was drawn as pseudo-lines)."""
    from radnuc.physics.response import line_template

    edges = np.linspace(0, 1500, 4097)
    cen = 0.5 * (edges[1:] + edges[:-1])
    bare = line_template("hpge-40pct", [661.657], [0.85], edges, distance_cm=100.0)
    shielded = line_template("hpge-40pct", [661.657], [0.85], edges, distance_cm=100.0,
                             shields=[Shield("Fe", 2.0)])
    buildup = shielded - bare * np.exp(-Shield("Fe", 2.0).mfp(661.657))
    sel = (cen > 250) & (cen < 600)
    assert buildup[sel].sum() > 0
    ratio = buildup[sel][1:] / np.maximum(buildup[sel][:-1], 1e-30)
    assert np.percentile(np.abs(np.log(ratio)), 99) < 0.05
