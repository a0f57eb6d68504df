"""A measured background as a fit component: smooth continuum, significant lines kept."""

import numpy as np
import pytest

from radnuc.analysis.identify import identify
from radnuc.analysis.identify.background_measurement import denoised_background, snip_continuum
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import expected_counts, synthesize_spectrum
from radnuc.physics.synthesis.spectrum import synthesize_background
from radnuc.spectra import EnergyCalibration


def test_snip_removes_peaks_keeps_continuum():
    x = np.arange(2000.0)
    continuum = 200.0 * np.exp(-x / 800.0) + 5.0
    peak = 5000.0 * np.exp(-0.5 * ((x - 1000.0) / 4.0) ** 2)
    estimate = snip_continuum(continuum + peak, np.full(x.size, 20.0))
    np.testing.assert_allclose(estimate[900:1100], continuum[900:1100], rtol=0.05)


def test_denoised_background_is_closer_to_the_truth_and_keeps_lines():
    """A few counts per channel plus one line: the denoised measurement is nearer the expected spectrum than the
    raw one, and the line keeps its area."""
    rng = np.random.default_rng(2)
    x = np.arange(4000.0)
    continuum = 6.0 * np.exp(-x / 2500.0)
    line = 600.0 * np.exp(-0.5 * ((x - 2000.0) / 2.5) ** 2) / (2.5 * np.sqrt(2 * np.pi))
    truth = continuum + line
    raw = rng.poisson(truth).astype(float)
    fwhm = np.full(x.size, 6.0)
    clean = denoised_background(raw, fwhm)
    rms_raw = np.sqrt(np.mean((raw - truth) ** 2 / truth))
    rms_clean = np.sqrt(np.mean((clean - truth) ** 2 / truth))
    assert rms_clean < 0.7 * rms_raw
    window = slice(1990, 2011)
    assert (clean[window] - continuum[window]).sum() == pytest.approx(600.0, rel=0.15)
    assert clean.sum() == pytest.approx(truth.sum(), rel=0.05)


@pytest.mark.parametrize("seed", [3, 4])
def test_hpge_background_only_with_a_measured_background_is_not_an_alarm(seed):
    """8192-channel HPGe, ~30,000 counts, with a background measurement 10 times longer: nothing is found
    (with the raw measurement, K-40/Ra-226/Th-232 were 'found' in most such spectra)."""
    det = "hpge-40pct"
    cal = EnergyCalibration.linear(0.0, 3000.0 / 8192, 8192)
    rng = np.random.default_rng(seed)
    live = 30_000 / expected_counts(det, cal, [], 1.0, SiteBackground()).sum()
    fg = synthesize_spectrum(det, cal, [], live, rng, SiteBackground(), gain_drift=rng.uniform(-0.03, 0.03))
    result = identify(fg, synthesize_background(det, cal, 10 * live, rng), det)
    assert not result.alarm, [n.name for n in result.nuclides]


def test_known_natural_lines_are_kept_even_when_weak():
    """A 609 keV line (Bi-214) too weak to pass on its own is kept when the channel energies are given (the
    natural-background lines are known to be there); an equally weak line at 700 keV is not."""
    rng = np.random.default_rng(4)
    centers = np.arange(4000) * 0.3 + 0.15  # keV
    fwhm_kev = 1.5
    sigma = fwhm_kev / 2.355
    continuum = np.full(centers.size, 20.0)

    def line(e, area):
        return area * np.exp(-0.5 * ((centers - e) / sigma) ** 2) * 0.3 / (sigma * np.sqrt(2 * np.pi))

    truth = continuum + line(609.3, 25.0) + line(700.0, 25.0)
    raw = rng.poisson(truth).astype(float)
    fwhm_channels = np.full(centers.size, fwhm_kev / 0.3)
    near = np.abs(centers - 609.3) < 1.0
    other = np.abs(centers - 700.0) < 1.0
    plain = denoised_background(raw, fwhm_channels)
    informed = denoised_background(raw, fwhm_channels, centers)
    assert (plain[near] - plain[near].min()).sum() < 0.5 * 25.0  # dropped as noise without the energies
    assert (informed[near] - continuum[near]).sum() > 0.5 * 25.0  # kept with them
    np.testing.assert_allclose(informed[other], plain[other])
