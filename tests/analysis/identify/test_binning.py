"""Analysis channels: spectra finer than the engine's reference channels are merged, exactly."""

import numpy as np
import pytest

from radnuc.analysis.identify import identify
from radnuc.analysis.identify.binning import analysis_spectrum, merge_factor
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.physics.synthesis.spectrum import synthesize_background
from radnuc.spectra import EnergyCalibration, Spectrum


@pytest.mark.parametrize(("detector", "channels", "factor"), [
    ("nai-3x3", 1024, 1), ("nai-3x3", 2048, 2), ("nai-3x3", 4096, 4), ("nai-3x3", 512, 1), ("csi-pocket", 8192, 8),
    ("hpge-40pct", 8192, 1), ("hpge-40pct", 16384, 2), ("hpge-40pct", 1024, 1),
])
def test_merge_factor(detector, channels, factor):
    assert merge_factor(EnergyCalibration.linear(0.0, 3000.0 / channels, channels), detector) == factor


def test_merged_channels_are_whole_channel_sums():
    cal = EnergyCalibration.polynomial([-5.0, 0.7, 1e-5], 4099)  # not a multiple of the factor, not linear
    counts = np.random.default_rng(1).poisson(20.0, 4099).astype(float)
    merged = analysis_spectrum(Spectrum(counts, cal, live_time_s=10.0), "nai-3x3")
    factor = merge_factor(cal, "nai-3x3")
    assert factor > 1 and merged.n_channels == -(-4099 // factor)
    np.testing.assert_array_equal(merged.counts, np.add.reduceat(counts, np.arange(0, 4099, factor)))
    np.testing.assert_allclose(merged.calibration.edges_kev, np.append(cal.edges_kev[::factor], cal.edges_kev[-1]))
    assert merged.live_time_s == 10.0


def test_a_fine_spectrum_is_identified_as_its_reference_binning():
    """The same events in 4,096 NaI channels and summed into 1,024 give the same identification (before, the
    per-channel systematic term and dispersion made them differ: Ba-133 read as Ra-226 at 4,096 in one case)."""
    rng = np.random.default_rng(11)
    cal = EnergyCalibration.linear(0.0, 3000.0 / 4096, 4096)
    live = 30_000 / expected_counts("nai-3x3", cal, [], 1.0, SiteBackground()).sum()
    per_bq = expected_counts("nai-3x3", cal, [SourceSpec("Ba-133", 1.0, 100.0)], live).sum()
    fg = synthesize_spectrum("nai-3x3", cal, [SourceSpec("Ba-133", 1000 / per_bq, 100.0)], live, rng,
                             SiteBackground(), gain_drift=0.01)
    bg = synthesize_background("nai-3x3", cal, 10 * live, rng)
    coarse = EnergyCalibration.linear(0.0, 3000.0 / 1024, 1024)
    fine_result = identify(fg, bg, "nai-3x3")
    coarse_result = identify(fg.rebinned(coarse), bg.rebinned(coarse), "nai-3x3")
    assert fine_result.to_dict()["nuclides"] == coarse_result.to_dict()["nuclides"]
    assert fine_result.gain_correction == pytest.approx(coarse_result.gain_correction, abs=1e-12)
