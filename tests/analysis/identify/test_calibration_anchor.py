"""Calibration anchor: a measured background's own lines tell the calibration it shares with the foreground."""

import numpy as np
import pytest

from radnuc.analysis.identify import identify
from radnuc.analysis.identify.calibration_anchor import CalibrationAnchor
from radnuc.analysis.identify.gain_search import coarse_groups
from radnuc.analysis.identify.model import SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.templates import build_library
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.spectra import EnergyCalibration

CAL = EnergyCalibration.linear(0.0, 3000.0 / 1024, 1024)
GRID = np.arange(-0.06, 0.06 + 1e-9, 0.015)


def _model(detector: str, drift: float, seed: int, source: str | None = None, net: float = 0.0) -> SpectrumModel:
    """Foreground and a 10x longer background, both measured with the same calibration error ``drift``."""
    rng = np.random.default_rng(seed)
    live = 30_000 / expected_counts(detector, CAL, [], 1.0, SiteBackground()).sum()
    specs = []
    if source is not None:
        per_bq = expected_counts(detector, CAL, [SourceSpec(source, 1.0, 100.0)], live).sum()
        specs = [SourceSpec(source, net / per_bq, 100.0)]
    fg = synthesize_spectrum(detector, CAL, specs, live, rng, SiteBackground(), gain_drift=drift)
    bg = synthesize_spectrum(detector, CAL, [], 10 * live, rng, SiteBackground(), gain_drift=drift)
    return SpectrumModel.build(fg, bg, build_library(detector), IdentifyOptions())


@pytest.mark.parametrize("drift", [-0.03, 0.0, 0.025])
def test_the_anchor_peaks_at_the_backgrounds_calibration_error(drift):
    model = _model("nai-3x3", drift, seed=3)
    anchor = CalibrationAnchor(model, coarse_groups(model.centers), GRID)
    fine = np.arange(-0.06, 0.06 + 1e-9, 0.0025)
    values = np.array([anchor((g, 0.0)) for g in fine])
    assert np.all(values <= 0.0)
    assert fine[np.argmax(values)] == pytest.approx(drift, abs=0.006)
    # a 3 % error of the shared calibration costs far more than a detection threshold (~17 units)
    assert anchor((drift + 0.03, 0.0)) < -50 and anchor((drift - 0.03, 0.0)) < -50
    assert anchor.dispersion >= 1.0


def test_the_anchor_needs_a_measured_background():
    rng = np.random.default_rng(1)
    fg = synthesize_spectrum("nai-3x3", CAL, [], 100.0, rng, SiteBackground())
    model = SpectrumModel.build(fg, None, build_library("nai-3x3"), IdentifyOptions())
    assert model.background_calibration_loglike((0.02, 0.0)) == 0.0
    with pytest.raises(ValueError, match="measured background"):
        CalibrationAnchor(model, coarse_groups(model.centers), GRID)


def test_each_drift_hypothesis_gives_the_background_its_calibration():
    """Sharing the foreground's calibration, the background sits at the correction; measured before the drift,
    at the stated calibration (correction 0)."""
    model = _model("nai-3x3", 0.03, seed=4)
    model.calibration_anchor = CalibrationAnchor(model, coarse_groups(model.centers), GRID)
    model.background_follows_gain = False
    shared_right, shared_wrong = (model.background_calibration_loglike((g, 0.0)) for g in (0.03, 0.0))
    model.background_follows_gain = True
    stated = model.background_calibration_loglike((0.03, 0.0))
    assert shared_right > shared_wrong + 50
    assert stated == pytest.approx(shared_wrong)


def test_a_shared_calibration_error_is_corrected_not_absorbed():
    """LaBr3, Ba-133 (356 keV, next to I-131's 364 keV) with foreground and background both 1.4 % off: without the
    anchor the foreground alone chose a correction near 0 (the background then "followed" it unshifted)."""
    rng = np.random.default_rng(1)
    live = 30_000 / expected_counts("labr3-1.5x1.5", CAL, [], 1.0, SiteBackground()).sum()
    per_bq = expected_counts("labr3-1.5x1.5", CAL, [SourceSpec("Ba-133", 1.0, 100.0)], live).sum()
    fg = synthesize_spectrum("labr3-1.5x1.5", CAL, [SourceSpec("Ba-133", 1000 / per_bq, 100.0)], live, rng,
                             SiteBackground(), gain_drift=0.014)
    bg = synthesize_spectrum("labr3-1.5x1.5", CAL, [], 10 * live, rng, SiteBackground(), gain_drift=0.014)
    result = identify(fg, bg, "labr3-1.5x1.5")
    assert result.gain_correction == pytest.approx(0.014, abs=0.004)
    assert [n.name for n in result.nuclides] == ["Ba-133"]
