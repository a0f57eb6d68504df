"""Model selection: the line-pattern test and forward selection at a known calibration."""

import numpy as np

from radnuc.analysis.identify.model import MODEL_BACKGROUND_NORM, SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.selection import (
    absorbed_by_model_background,
    available_rows,
    line_pattern_consistent,
    only_annihilation,
    select,
    shortlist,
)
from radnuc.analysis.identify.templates import build_library
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.physics.synthesis.spectrum import synthesize_background
from radnuc.spectra import EnergyCalibration

DET = "nai-3x3"
CAL = EnergyCalibration.linear(0.0, 3.0, 1024)


def test_line_pattern_consistency():
    predicted = np.array([400.0, 300.0, 200.0])
    noise = np.full(3, 20.0)
    assert line_pattern_consistent(predicted * 1.1, predicted, noise)  # the predicted pattern, 10% high
    # all the excess in one window, none where the candidate predicts its other lines: a patch
    assert not line_pattern_consistent(np.array([1500.0, 0.0, -10.0]), predicted, noise)
    # one informative window: no pattern to test
    assert line_pattern_consistent(np.array([900.0, 0.0]), np.array([400.0, 10.0]), np.full(2, 20.0))


def _model(sources, seed, measured_background=True):
    rng = np.random.default_rng(seed)
    live = 30_000 / expected_counts(DET, CAL, [], 1.0, SiteBackground()).sum()
    specs = []
    for name, net in sources:
        per_bq = expected_counts(DET, CAL, [SourceSpec(name, 1.0, 100.0)], live).sum()
        specs.append(SourceSpec(name, net / per_bq, 100.0))
    fg = synthesize_spectrum(DET, CAL, specs, live, rng, SiteBackground())
    bg = synthesize_background(DET, CAL, 10 * live, rng) if measured_background else None
    return SpectrumModel.build(fg, bg, build_library(DET), IdentifyOptions())


def test_forward_selection_at_the_true_calibration():
    model = _model([("Co-60", 4000), ("Am-241", 4000)], seed=2)
    selection = select(model, (0.0, 0.0), IdentifyOptions())
    assert {model.library.names[r] for r in selection.rows} == {"Co-60", "Am-241"}
    assert selection.dispersion >= 1.0 and selection.mean.shape == model.y.shape


def test_background_only_selects_nothing():
    model = _model([], seed=5)
    assert select(model, (0.0, 0.0), IdentifyOptions()).rows == []


def test_absorbed_candidates_are_profiled_beside_the_model_background():
    """Without a measured background the screen cannot see Ra-226, Th-232 or U-238 (the free natural-background
    components took their shared lines) nor F-18 and Ga-68 (the annihilation component took their 511 keV line),
    so each one's best-screened bare variant joins the shortlist; with a measured background it does not."""
    model = _model([], seed=5, measured_background=False)
    assert set(absorbed_by_model_background(model.library)) == {"Ra-226", "Th-232", "U-238", "NU", "F-18", "Ga-68"}
    available = available_rows(model, [])
    chosen = [available[i] for i in shortlist(model, available, np.zeros(available.size))]
    names = {model.library.names[r] for r in chosen}
    assert set(absorbed_by_model_background(model.library)) <= names
    natural = [r for r in chosen if model.library.names[r] in MODEL_BACKGROUND_NORM]
    assert all(model.library.variants[r] == "bare" for r in natural)  # the shielded ones are background
    measured = _model([], seed=5)
    available = available_rows(measured, [])
    names = [measured.library.names[r] for r in available]
    top = [names.index(n) for n in ("Cs-137", "Co-60", "Ba-133", "Am-241", "Ir-192")]
    screened = np.zeros(available.size)
    screened[top] = [5.0, 4.0, 3.0, 2.0, 1.0]
    assert shortlist(measured, available, screened) == top  # five names already: no extra beside a measurement

def test_the_shortlist_holds_the_best_variant_of_each_of_the_best_names():
    """The variants of one look-alike family must not crowd the profiled shortlist: a natural uranium source
    screened HEU and LEU (bare, metal, steel) first and NU eighth, so NU was never profiled and LEU (SNM) was
    reported although NU explained the counts better. The best variant of each of the SHORTLIST best names is
    profiled too."""
    model = _model([], seed=5)
    available = available_rows(model, [])
    names = [model.library.names[r] for r in available]
    order = [i for i, n in enumerate(names) if n in ("HEU", "LEU")][:5]  # five uranium-material variants first
    others = [names.index(n) for n in ("Ga-67", "NU", "Yb-169")]
    screened = np.zeros(available.size)
    for rank, i in enumerate(order + others):
        screened[i] = 100.0 - rank
    chosen = shortlist(model, available, screened)
    assert chosen[:5] == order
    assert {names[i] for i in chosen[5:]} == {"Ga-67", "NU", "Yb-169"}


def test_only_annihilation():
    assert only_annihilation("F-18") and only_annihilation("Ga-68")
    assert not only_annihilation("Na-22") and not only_annihilation("Cs-137")
