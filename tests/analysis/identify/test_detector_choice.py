"""Choosing the detector model: the user's word, the file's metadata, else the widths of the spectrum's lines."""

import numpy as np
import pytest

from radnuc.analysis.identify.detector_choice import choose_detector, measured_lines, resolution_class
from radnuc.physics.background import SiteBackground
from radnuc.physics.detectors import get_detector
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.spectra import EnergyCalibration, Spectrum, read_file


@pytest.mark.parametrize("filename", ["Am-241_energy_calibrated.csv", "Ra-226_energy_calibrated.csv",
                                      "Th-232_energy_calibrated.csv",
                                      "U-238-U-235-FiestaWare_energy_calibrated.csv"])
def test_real_radiacode_export_without_metadata_is_a_pocket_csi(data_dir, filename):
    """RadiaCode-103 spectra exported as energy, counts: no instrument name, so the lines' widths decide (until
    2026-12-08 no width was measured and they were read with a 3x3 NaI model)."""
    spectrum = read_file(data_dir / "radiacode_flight" / filename).summed_foreground()
    kind, how = choose_detector("auto", spectrum)
    assert kind == "csi-pocket" and how.startswith("resolution"), (kind, how)


@pytest.mark.parametrize("filename", ["alcatraz14.n42", "halfmoonbay.n42"])
def test_real_hpge_field_background_without_metadata_is_germanium(data_dir, filename):
    """Field backgrounds of two HPGe instruments, converted without instrument names; the 0.72 keV channels of
    the Half Moon Bay spectrum made the old fallback choose a NaI."""
    spectrum = read_file(data_dir / "becquerel" / filename).summed_foreground()
    assert choose_detector("auto", spectrum)[0] == "hpge-40pct"


@pytest.mark.parametrize("detector", ["labr3-1.5x1.5", "hpge-40pct"])
def test_synthetic_lines_give_their_resolution_class(detector):
    rng = np.random.default_rng(5)
    n = 8192 if detector.startswith("hpge") else 1024
    cal = EnergyCalibration.linear(0.0, 3000.0 / n, n)
    live = 30_000 / expected_counts(detector, cal, [], 1.0, SiteBackground()).sum()
    per_bq = expected_counts(detector, cal, [SourceSpec("Cs-137", 1.0, 100.0)], live).sum()
    spectrum = synthesize_spectrum(detector, cal, [SourceSpec("Cs-137", 10_000 / per_bq, 100.0)], live, rng,
                                   SiteBackground())
    lines = measured_lines(spectrum)
    assert any(abs(e - 661.657) < 10 for e, _ in lines)
    kind, fraction = resolution_class(lines)
    assert kind == detector
    assert fraction == pytest.approx(get_detector(detector).fwhm_fraction(), rel=0.3)


def test_a_spectrum_without_lines_falls_back_by_channel_width():
    cal = EnergyCalibration.linear(0.0, 3.0, 1024)
    rng = np.random.default_rng(1)
    flat = rng.poisson(50.0, 1024).astype(float)
    spectrum = Spectrum(counts=flat, calibration=cal, live_time_s=10.0)
    assert measured_lines(spectrum) == []
    assert choose_detector("auto", spectrum) == ("nai-3x3", "default")
    assert choose_detector("labr3-1.5x1.5", spectrum) == ("labr3-1.5x1.5", "given")
