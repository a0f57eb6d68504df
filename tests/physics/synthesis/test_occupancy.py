import numpy as np
import pytest

from radnuc.physics.errors import PhysicsError
from radnuc.physics.synthesis import OccupancyScenario, PortalGeometry, SourceSpec, synthesize_occupancy
from radnuc.spectra import read_file
from radnuc.spectra.writers import to_n42_xml, validate_n42, write_n42


def _sim(seed=0, **kw):
    return synthesize_occupancy(OccupancyScenario(**kw), np.random.default_rng(seed))


def test_structure_matches_a_portal_file():
    sim = _sim(sources=(SourceSpec("Cs-137", 1e6),))
    ms = sim.measurements
    assert ms.is_portal and ms.detector_names == ["A1", "B1"]
    slices = ms.time_slices()
    assert len(slices) == len(sim.occupied)
    assert not slices[0].occupied and slices[150].occupied
    # 10 s of background then (2*2 m + 12 m) / 2.2 m/s of occupancy
    assert int(sim.occupied.sum()) == int(np.ceil(16 / 2.2 / 0.1))
    assert all(s.neutron_counts is not None for s in slices)


def test_point_source_peaks_when_it_passes_the_portal():
    sim = _sim(sources=(SourceSpec("Cs-137", 3e6),), source_position=0.5)
    profile = sim.expected_gamma.sum(axis=(1, 2))
    peak_time = (np.argmax(profile) - 100 + 0.5) * 0.1  # s after occupancy start
    expected = (2.0 + 6.0) / 2.2  # front enters the zone 2 m before, source 6 m behind the front
    assert peak_time == pytest.approx(expected, abs=0.15)


def test_distributed_source_has_a_broad_profile():
    point = _sim(sources=(SourceSpec("K-40", 3e7),)).expected_gamma.sum(axis=(1, 2))
    spread = _sim(sources=(SourceSpec("K-40", 3e7),), distributed=True).expected_gamma.sum(axis=(1, 2))
    def width(p):
        excess = p - p[:50].mean()
        return int((excess > 0.5 * excess.max()).sum())

    assert width(spread) > 2 * width(point)


def test_vehicle_suppresses_background():
    sim = _sim(suppression=0.2, vehicle_length_m=12.0)
    profile = sim.expected_gamma.sum(axis=(1, 2))
    assert profile[130] == pytest.approx(0.8 * profile[0], rel=1e-6)  # the vehicle covers the whole window


def test_neutron_source_and_ship_effect():
    quiet = _sim().expected_neutron.sum()
    ship = _sim(ship_effect=0.3).expected_neutron.sum()
    source = _sim(neutron_nps=2e4).expected_neutron
    assert ship > quiet
    assert source.sum() > quiet
    assert source[:, 0].max() == pytest.approx(source[:, 1].max(), rel=1e-9)  # centred source: both panels


def test_seeded_and_written_as_valid_n42(tmp_path):
    a = _sim(seed=3, sources=(SourceSpec("Ba-133", 1e6),))
    b = _sim(seed=3, sources=(SourceSpec("Ba-133", 1e6),))
    assert np.array_equal(a.measurements.measurements[120].counts, b.measurements.measurements[120].counts)
    assert validate_n42(to_n42_xml(a.measurements)) == []
    back = read_file(write_n42(a.measurements, tmp_path / "occ.n42"))
    assert len(back.time_slices()) == len(a.occupied)
    assert [s.occupied for s in back.time_slices()] == list(a.occupied)


def test_pvt_portal_has_coarse_channels():
    sim = synthesize_occupancy(OccupancyScenario(), np.random.default_rng(0), PortalGeometry(detector="pvt-portal"))
    assert sim.measurements.measurements[0].n_channels == 64


@pytest.mark.parametrize("kwargs", [{"speed_mps": 0.0}, {"suppression": 1.0}, {"source_position": 2.0},
                                    {"neutron_nps": -1.0}])
def test_invalid_scenarios(kwargs):
    with pytest.raises(PhysicsError):
        OccupancyScenario(**kwargs)


def test_a_steel_vehicle_shadows_low_energies_more_at_the_same_total_suppression():
    """``vehicle_steel_g_cm2``: the shadowed background is that of the photons iron absorbs (1 - T(E)), scaled
    to the same share of the counts; the uniform model is the default."""
    flat = _sim(suppression=0.1, vehicle_length_m=12.0).expected_gamma.sum(axis=1)
    steel = _sim(suppression=0.1, vehicle_length_m=12.0, vehicle_steel_g_cm2=10.0).expected_gamma.sum(axis=1)
    np.testing.assert_allclose(flat[0], steel[0])  # before the vehicle: the same background
    assert steel[130].sum() == pytest.approx(flat[130].sum(), rel=1e-9)  # the same total suppression
    cen = (np.arange(512) + 0.5) * 3000.0 / 512
    low, high = (cen > 50) & (cen < 150), (cen > 1300) & (cen < 2700)
    shadow = 1.0 - steel[130] / steel[0]
    low_share = shadow[low] @ steel[0][low] / steel[0][low].sum()
    high_share = shadow[high] @ steel[0][high] / steel[0][high].sum()
    assert low_share > 0.1 > high_share
    assert low_share > 2.0 * high_share


@pytest.mark.parametrize("density", [-1.0, float("nan"), 1e4])
def test_invalid_vehicle_density(density):
    with pytest.raises(PhysicsError):
        OccupancyScenario(vehicle_steel_g_cm2=density)
