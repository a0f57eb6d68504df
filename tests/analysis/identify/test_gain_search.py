"""Gain search: the golden-section maximiser, the coarse channel groups, and a known drift recovered."""

import numpy as np
import pytest

from radnuc.analysis.identify.gain_search import coarse_groups, gain_hypotheses, golden_max
from radnuc.analysis.identify.model import SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.templates import build_library
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.physics.synthesis.spectrum import synthesize_background
from radnuc.spectra import EnergyCalibration

DET = "nai-3x3"
CAL = EnergyCalibration.linear(0.0, 3.0, 1024)


def test_golden_max_finds_the_maximum():
    calls = []

    def peaked(x):
        calls.append(x)
        return -((x - 0.013) ** 2)

    assert golden_max(peaked, -0.05, 0.05, 1e-4) == pytest.approx(0.013, abs=1e-4)
    assert len(calls) < 25


def test_coarse_groups_span_two_percent_of_the_energy():
    centers = np.linspace(30.0, 3000.0, 2000)
    groups = coarse_groups(centers)
    assert groups[0] == 0 and np.all(np.diff(groups) > 0)
    first, last = centers[groups], centers[np.append(groups[1:], centers.size) - 1]
    assert np.all(last / first < 1.02)  # one group: channels within one 2% step of energy
    assert groups.size <= np.log(100.0) / np.log(1.02) + 2  # and no more groups than such steps
    wide = np.geomspace(30.0, 3000.0, 50)  # channels wider than 2% stay single
    assert coarse_groups(wide).size == 50


def test_a_known_drift_is_recovered():
    rng = np.random.default_rng(21)
    live = 30_000 / expected_counts(DET, CAL, [], 1.0, SiteBackground()).sum()
    per_bq = expected_counts(DET, CAL, [SourceSpec("Cs-137", 1.0, 100.0)], live).sum()
    fg = synthesize_spectrum(DET, CAL, [SourceSpec("Cs-137", 5000 / per_bq, 100.0)], live, rng, SiteBackground(),
                             gain_drift=-0.035)
    bg = synthesize_background(DET, CAL, 10 * live, rng)
    model = SpectrumModel.build(fg, bg, build_library(DET), IdentifyOptions())
    hypotheses = gain_hypotheses(model, 0.06)
    assert 1 <= len(hypotheses) <= 2
    (gain, _offset), _follows = hypotheses[0]
    assert gain == pytest.approx(-0.035, abs=0.01)


def test_a_drifting_background_is_recognised():
    """The synthesizer drifts the foreground's natural background with its source while the background
    measurement keeps the stated calibration: the "follows the gain" hypothesis wins (the other one, far
    behind on the coarse grid, is not refined)."""
    rng = np.random.default_rng(5)
    live = 30_000 / expected_counts(DET, CAL, [], 1.0, SiteBackground()).sum()
    per_bq = expected_counts(DET, CAL, [SourceSpec("Eu-152", 1.0, 100.0)], live).sum()
    fg = synthesize_spectrum(DET, CAL, [SourceSpec("Eu-152", 3000 / per_bq, 100.0)], live, rng, SiteBackground(),
                             gain_drift=0.025)
    bg = synthesize_background(DET, CAL, 10 * live, rng)
    model = SpectrumModel.build(fg, bg, build_library(DET), IdentifyOptions())
    (gain, _offset), follows = gain_hypotheses(model, 0.06)[0]
    assert follows and model.background_follows_gain
    assert gain == pytest.approx(0.025, abs=0.01)
