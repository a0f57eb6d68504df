import numpy as np
import pytest

from radnuc.physics.background import SiteBackground
from radnuc.physics.errors import PhysicsError
from radnuc.physics.shielding import parse_shields
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.spectra import EnergyCalibration

CAL = EnergyCalibration.linear(0.0, 3.0, 1000)


def test_expected_counts_scale_with_activity_time_and_inverse_square():
    one = expected_counts("nai-3x3", CAL, [SourceSpec("Cs-137", 1e5, 100.0)], 10.0)
    assert expected_counts("nai-3x3", CAL, [SourceSpec("Cs-137", 2e5, 100.0)], 10.0).sum() == pytest.approx(
        2 * one.sum())
    assert expected_counts("nai-3x3", CAL, [SourceSpec("Cs-137", 1e5, 100.0)], 20.0).sum() == pytest.approx(
        2 * one.sum())
    far = expected_counts("nai-3x3", CAL, [SourceSpec("Cs-137", 1e5, 200.0)], 10.0).sum()
    # inverse square, times the beam-divergence factor of a 3" long crystal (rim rays leave through the side;
    # at 100 cm it still takes ~5 % at 662 keV, at 200 cm half as much): 0.25 x 1.024
    from radnuc.physics.response import point_source_factor

    ps = point_source_factor("nai-3x3", 661.657, 200.0)[0] / point_source_factor("nai-3x3", 661.657, 100.0)[0]
    assert 1.01 < ps < 1.04
    assert far / one.sum() == pytest.approx(0.25 * ps, rel=0.01)


def test_peak_sits_at_line_energy_and_moves_with_gain_drift():
    mean = expected_counts("nai-3x3", CAL, [SourceSpec("Cs-137", 1e5, 100.0)], 10.0)
    assert CAL.centers_kev[np.argmax(mean)] == pytest.approx(661.7, abs=4)
    drifted = expected_counts("nai-3x3", CAL, [SourceSpec("Cs-137", 1e5, 100.0)], 10.0, gain_drift=0.03)
    assert CAL.centers_kev[np.argmax(drifted)] == pytest.approx(661.7 * 1.03, abs=4)


def test_lead_shielding_removes_low_energy_lines_first():
    bare = expected_counts("nai-3x3", CAL, [SourceSpec("Ba-133", 1e5, 100.0)], 10.0)
    shielded = expected_counts("nai-3x3", CAL, [SourceSpec("Ba-133", 1e5, 100.0, tuple(parse_shields("pb:1")))],
                               10.0)
    def window(x, lo, hi):
        return x[(CAL.centers_kev > lo) & (CAL.centers_kev < hi)].sum()

    ratio_81 = window(shielded, 70, 90) / window(bare, 70, 90)
    ratio_356 = window(shielded, 340, 370) / window(bare, 340, 370)
    assert ratio_81 < 0.01 < ratio_356 < 0.5


def test_material_source_by_activity():
    mean = expected_counts("hpge-40pct", EnergyCalibration.linear(0, 0.5, 4000), [SourceSpec("HEU", 1e5, 50.0)], 60)
    cal = EnergyCalibration.linear(0, 0.5, 4000)
    peak = mean[int(cal.channel_of(185.7))]
    assert peak > 10 * mean[int(cal.channel_of(250.0))]  # the 186 keV U-235 line dominates


def test_background_adds_natural_lines():
    bg = expected_counts("nai-3x3", CAL, [], 600.0, background=SiteBackground())
    k40 = bg[int(CAL.channel_of(1461))]
    assert k40 > 1.5 * bg[int(CAL.channel_of(1600))]
    richer = expected_counts("nai-3x3", CAL, [], 600.0, background=SiteBackground(k40_bq_kg=800))
    assert richer[int(CAL.channel_of(1461))] > k40


def test_synthesized_spectrum_is_a_seeded_poisson_draw():
    spec = [SourceSpec("Co-60", 5e4, 100.0)]
    a = synthesize_spectrum("labr3-1.5x1.5", CAL, spec, 30.0, np.random.default_rng(5), SiteBackground())
    b = synthesize_spectrum("labr3-1.5x1.5", CAL, spec, 30.0, np.random.default_rng(5), SiteBackground())
    c = synthesize_spectrum("labr3-1.5x1.5", CAL, spec, 30.0, np.random.default_rng(6), SiteBackground())
    np.testing.assert_array_equal(a.counts, b.counts)
    assert not np.array_equal(a.counts, c.counts)
    mean = expected_counts("labr3-1.5x1.5", CAL, spec, 30.0, SiteBackground())
    assert a.total_counts == pytest.approx(mean.sum(), rel=5 * mean.sum() ** -0.5)
    assert a.live_time_s == 30.0 and a.calibration is CAL


@pytest.mark.parametrize("kwargs", [{"activity_bq": -1.0}, {"distance_cm": 0.0}])
def test_invalid_source_spec(kwargs):
    args = {"name": "Cs-137", "activity_bq": 1.0, "distance_cm": 100.0} | kwargs
    with pytest.raises(PhysicsError):
        SourceSpec(**args)


def test_invalid_live_time_and_drift():
    with pytest.raises(PhysicsError):
        expected_counts("nai-3x3", CAL, [], 0.0)
    with pytest.raises(PhysicsError):
        expected_counts("nai-3x3", CAL, [], 1.0, gain_drift=0.9)
