"""Monte Carlo photon transport (radnuc.physics.transport_mc) and its bundled tables."""

import dataclasses

import numpy as np
import pytest

from radnuc.physics import transport_mc as tm
from radnuc.physics.attenuation import ME_C2_KEV, linear_attenuation
from radnuc.physics.detectors import KINDS, get_detector
from radnuc.physics.response import _kn_density, _physics_tables, point_source_factor


def test_energy_conserved_per_history():
    """deposited (active) + dead layer + escaped = source energy, history by history, in the HPGe geometry
    (core hole, dead layer, Ge K fluorescence, pair production, bremsstrahlung)."""
    det = get_detector("hpge-40pct")
    geom = tm.geometry_for(det)
    assert geom.hole_radius_cm > 0 and geom.dead_front_cm > 0
    for e in (60.0, 662.0, 2614.5):
        r = tm.simulate("Ge", geom, e, 20000, np.random.default_rng(3), k_elements=("Ge",))
        np.testing.assert_allclose(r.deposited + r.dead + r.escaped, e, rtol=0, atol=1e-9 * e)
        assert np.all(r.deposited >= -1e-9) and np.all(r.deposited <= e * (1 + 1e-12))
        assert r.dead.sum() > 0  # the dead layer takes something
    f = r.fractions()
    assert f["se"] > 0 and f["de"] > 0  # pair production with annihilation-photon escape at 2614 keV


def test_seeded_reproducibility():
    geom = tm.geometry_for(get_detector("csi-pocket"))
    a = tm.simulate("CsI", geom, 662.0, 5000, np.random.default_rng(11), k_elements=("Cs", "I"))
    b = tm.simulate("CsI", geom, 662.0, 5000, np.random.default_rng(11), k_elements=("Cs", "I"))
    c = tm.simulate("CsI", geom, 662.0, 5000, np.random.default_rng(12), k_elements=("Cs", "I"))
    np.testing.assert_array_equal(a.deposited, b.deposited)
    assert not np.array_equal(a.deposited, c.deposited)


def test_klein_nishina_sampling_matches_density():
    """Mean and spread of the Compton electron energy from the sampler equal those of the analytic KN density
    used by the response model."""
    rng = np.random.default_rng(5)
    for e in (100.0, 662.0, 2000.0):
        t = e * (1 - tm.sample_klein_nishina(np.full(200000, e), rng))
        grid = np.linspace(0, e * 2 * (e / ME_C2_KEV) / (1 + 2 * e / ME_C2_KEV), 20001)
        d = _kn_density(np.array(e), grid * (1 - 1e-12))
        norm = np.trapezoid(d, grid)
        mean = np.trapezoid(d * grid, grid) / norm
        assert norm == pytest.approx(1.0, rel=2e-3)
        assert t.mean() == pytest.approx(mean, rel=5e-3)
        assert t.max() <= grid[-1] * (1 + 1e-9)


def test_thin_crystal_limit_matches_analytic():
    """A thin NaI disc (0.5 mm), K fluorescence off: interaction probability 1 - exp(-mu L) and the photopeak
    fraction of the analytic escape quadrature (-> tau/mu plus a little Compton re-absorption) agree with the
    Monte Carlo (photon transport only: electrons kept inside, bremsstrahlung off). (With K fluorescence the
    analytic slab escape formula, valid for thick crystals, does not apply to a 0.5 mm disc:
    escape through both faces; see the next test for the thick case.)"""
    radius, depth = 2.5, 0.05
    geom = tm.CrystalGeometry("cylinder", depth, radius_cm=radius)
    an = _physics_tables("NaI", ("cylinder", radius, depth), ())
    g = np.geomspace(1.0, 20000.0, 600)
    for e in (30.0, 100.0, 300.0, 662.0):
        n = 200000
        r = tm.simulate("NaI", geom, e, n, np.random.default_rng(7), brems=False, electron_escape=False)
        f = r.fractions()
        eps = -np.expm1(-float(linear_attenuation("NaI", e, "total_no_coherent")) * depth)
        assert f["interact"] == pytest.approx(eps, abs=4 * np.sqrt(eps / n) + 1e-4)
        p_mc = f["full"] / f["interact"]
        p_an = float(np.interp(np.log(e), np.log(g), an["P"]))
        assert p_mc == pytest.approx(p_an, abs=0.015)
        assert p_mc >= float(np.interp(np.log(e), np.log(g), an["ptau"])) - 0.01


def test_thick_crystal_k_escape_matches_slab_formula():
    """Iodine K X-ray escape from a thick, wide NaI crystal: the Monte Carlo agrees with the slab escape formula
    (Axel 1954) of the analytic model within 8 %."""
    geom = tm.CrystalGeometry("cylinder", 5.0, radius_cm=20.0)
    an = _physics_tables("NaI", ("cylinder", 20.0, 5.0), ("I",))
    g = np.geomspace(1.0, 20000.0, 600)
    for e in (60.0, 100.0):
        f = tm.simulate("NaI", geom, e, 200000, np.random.default_rng(7), k_elements=("I",), brems=False).fractions()
        for i, (_, fk) in enumerate(an["kesc"]):
            expected = float(np.interp(np.log(e), np.log(g), an["ptau"] * fk))
            assert f[f"kesc_{i}"] / f["interact"] == pytest.approx(expected, rel=0.08)


def test_point_source_interaction_matches_quadrature():
    """Point source on the axis at 25 cm: the Monte Carlo interaction probability of the photons hitting the
    face equals the parallel-beam one times point_source_factor (deterministic chord quadrature)."""
    det = get_detector("nai-3x3")
    geom = tm.geometry_for(det)
    e = 1332.492
    n = 200000
    r = tm.simulate("NaI", geom, e, n, np.random.default_rng(9), k_elements=("I",), source_distance_cm=25.0)
    eps_par = -np.expm1(-float(linear_attenuation("NaI", e, "total_no_coherent")) * geom.depth_cm)
    expected = eps_par * float(point_source_factor(det, e, 25.0)[0])
    assert r.fractions()["interact"] == pytest.approx(expected, abs=0.004)
    assert expected < 0.85 * eps_par  # rim photons leave through the side: a real 18 % effect at 25 cm


def test_bremsstrahlung_escape_lowers_the_peak():
    geom = tm.geometry_for(get_detector("nai-3x3"))
    kw = {"k_elements": ("I",), "electron_escape": False}
    with_b = tm.simulate("NaI", geom, 1332.492, 400000, np.random.default_rng(1), **kw).fractions()
    without = tm.simulate("NaI", geom, 1332.492, 400000, np.random.default_rng(2), brems=False, **kw).fractions()
    assert 0.001 < without["full"] - with_b["full"] < 0.02  # ~0.004 of 0.30: 1-2 % of the peak
    assert tm.brems_photons(np.array([5.0]), 50.0)[0] == 0.0


def test_extrapolated_range_katz_penfold():
    """Katz & Penfold (1952): 0.412 g/cm2 at 1 MeV; 0.530 T - 0.106 above 2.5 MeV; continuous at 2.5 MeV."""
    r = tm.extrapolated_range_g_cm2(np.array([1000.0, 2500.0, 2500.001, 3000.0, 100.0]))
    assert r[0] == pytest.approx(0.412, rel=1e-6)
    assert r[1] == pytest.approx(r[2], rel=0.01)
    assert r[3] == pytest.approx(0.530 * 3 - 0.106, rel=1e-6)
    assert 0.01 < r[4] < 0.02  # 100 keV: ~0.014 g/cm2


def test_electron_escape_geometry():
    """Electrons started deep inside stay; started on the surface, about half their tracks leave."""
    geom = tm.geometry_for(get_detector("csi-pocket"))
    rng = np.random.default_rng(5)
    centre = np.tile([0.0, 0.0, 0.5], (20000, 1))
    t = np.full(20000, 2000.0)  # 2 MeV: range 0.98 g/cm2 = 2.2 mm in CsI, less than the 5 mm to the faces
    np.testing.assert_allclose(tm.electron_deposit_fraction(geom, 4.51, centre, t, rng), 1.0)
    face = np.tile([0.0, 0.0, 0.0], (20000, 1))
    f = tm.electron_deposit_fraction(geom, 4.51, face, t, rng)
    assert np.mean(f < 1) == pytest.approx(0.5, abs=0.02)  # the half going backward leaves at once
    assert np.all((f >= 0) & (f <= 1))


def test_electron_escape_lowers_the_peak_of_small_crystals_at_high_energy():
    det = get_detector("csi-pocket")
    geom = tm.geometry_for(det)
    kw = {"k_elements": ("Cs", "I")}
    on = tm.simulate("CsI", geom, 2614.5, 200000, np.random.default_rng(1), **kw)
    off = tm.simulate("CsI", geom, 2614.5, 200000, np.random.default_rng(2), electron_escape=False, **kw)
    np.testing.assert_allclose(on.deposited + on.dead + on.escaped, 2614.5, rtol=0, atol=1e-6)
    assert 0.5 < on.fractions()["full"] / off.fractions()["full"] < 0.85
    big = tm.geometry_for(get_detector("nai-3x3"))
    on3 = tm.simulate("NaI", big, 662.0, 100000, np.random.default_rng(1), k_elements=("I",)).fractions()
    off3 = tm.simulate("NaI", big, 662.0, 100000, np.random.default_rng(1), k_elements=("I",),
                       electron_escape=False).fractions()
    assert on3["full"] / off3["full"] > 0.98  # a 3"x3" crystal keeps its electrons


def test_bundled_tables_cover_all_kinds_with_provenance():
    for kind in KINDS:
        det = get_detector(kind)
        t = tm.table_for(det)
        assert t is not None, kind
        assert t.kind == kind and t.histories >= 100000
        assert t.energies_kev[0] <= 30.0 and t.energies_kev[-1] >= 2999.0
        assert np.all((t.p_full <= t.p_interact + 1e-12) & (t.p_interact <= 1.0))
        # a detector with the same crystal (other resolution/surroundings) uses the same table
        assert tm.table_for(dataclasses.replace(det, backscatter=0.0, resolution=(1.0, 1.0, 0.0))) is t
    text = (tm.resources.files("radnuc.physics") / "data" / tm.TABLE_DIR / "nai-3x3.csv").read_text()
    head = "\n".join(ln for ln in text.splitlines() if ln.startswith("#"))
    for word in ("generator:", "histories per energy:", "seed:", "date:", "geometry:",
                 f"table version {tm.TABLE_VERSION}"):
        assert word in head
    # a crystal of another size has no table (the analytic quadrature is used)
    assert tm.table_for(dataclasses.replace(get_detector("nai-3x3"), length_cm=5.0)) is None
