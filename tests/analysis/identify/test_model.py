"""The spectrum model: projections on the analysed channels, kept projections and fits."""

import dataclasses

import numpy as np
import pytest

from radnuc.analysis.errors import AnalysisError
from radnuc.analysis.identify import model as model_module
from radnuc.analysis.identify.gain_search import coarse_groups
from radnuc.analysis.identify.model import SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.templates import build_library
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import synthesize_spectrum
from radnuc.physics.synthesis.spectrum import synthesize_background
from radnuc.spectra import EnergyCalibration, Spectrum

DET = "nai-3x3"
CAL = EnergyCalibration.linear(0.0, 3.0, 1024)


@pytest.fixture(scope="module")
def spectra():
    rng = np.random.default_rng(8)
    return (synthesize_spectrum(DET, CAL, [], 100.0, rng, SiteBackground()),
            synthesize_background(DET, CAL, 1000.0, rng))


def test_projection_on_the_analysed_channels_equals_the_masked_full_projection(spectra):
    fg, bg = spectra
    library = build_library(DET)
    model = SpectrumModel.build(fg, None, library, IdentifyOptions())
    rows = model.candidates[:7]
    templates, background = model.projected((0.02, 1.5), rows)
    full_t, full_b = library.rebinned(CAL.edges_kev, 0.02, 1.5, rows=rows)
    np.testing.assert_allclose(templates, np.clip(full_t[:, model.mask], 0, None), rtol=1e-12, atol=1e-15)
    n_natural = full_b.shape[0]
    np.testing.assert_allclose(background[:n_natural], full_b[:, model.mask], rtol=1e-12, atol=1e-15)
    # without a measured background, the natural nuclides behind lead are background components too
    natural_t, _ = library.rebinned(CAL.edges_kev, 0.02, 1.5, rows=model.natural_rows, background=False)
    np.testing.assert_allclose(background[n_natural:], np.clip(natural_t[:, model.mask], 0, None), rtol=1e-12,
                               atol=1e-15)
    assert {library.names[r] for r in model.natural_rows} == {"Ra-226", "Th-232", "U-238", "NU"}
    measured = SpectrumModel.build(fg, bg, library, IdentifyOptions())
    assert measured.projected((0.0, 0.0), rows)[1] is None  # a measured background needs no model background


def test_coarse_projections_are_shared_by_spectra_of_one_calibration(spectra):
    fg, bg = spectra
    library = build_library(DET)
    first = SpectrumModel.build(fg, bg, library, IdentifyOptions())
    second = SpectrumModel.build(fg.with_counts(fg.counts[::-1].copy()), bg, library, IdentifyOptions())
    groups = coarse_groups(first.centers)
    rows = first.candidates[:5]
    a = first.coarse_projected((0.015, 0.0), rows, groups)
    assert second.coarse_projected((0.015, 0.0), rows, groups) is a
    assert first.coarse_projected((0.03, 0.0), rows, groups) is not a
    expected = np.add.reduceat(first.projected((0.015, 0.0), rows)[0], groups, axis=1)
    np.testing.assert_allclose(a[0], expected)
    assert len(model_module._COARSE_PROJECTIONS) <= model_module._COARSE_PROJECTIONS_MAX


def test_a_fit_asked_twice_is_computed_once(spectra, monkeypatch):
    fg, bg = spectra
    model = SpectrumModel.build(fg, bg, build_library(DET), IdentifyOptions())
    calls = []
    real = model_module.fit_nonnegative
    monkeypatch.setattr(model_module, "fit_nonnegative", lambda *a, **k: calls.append(1) or real(*a, **k))
    row = int(model.candidates[0])
    first = model.fit((0.0, 0.0), [row])
    assert model.fit((0.0, 0.0), [row]) is first and len(calls) == 1
    model.fit((0.0, 0.0), [row], weights=np.full(model.y.size, 0.5))
    assert len(calls) == 2  # other weights: another fit
    assert first.layout[-1][0] in {"template", "bump"} and len(first.layout) == first.amplitudes.size


def test_background_moved_with_the_gain_keeps_its_counts(spectra):
    fg, bg = spectra
    model = SpectrumModel.build(fg, bg, build_library(DET), IdentifyOptions())
    fixed = model.background_at((0.02, 0.0), None)
    model.background_follows_gain = True
    moved = model.background_at((0.02, 0.0), None)
    assert moved.shape == fixed.shape == (1, model.y.size)
    assert moved.sum() == pytest.approx(fixed.sum(), rel=0.05)
    assert not np.allclose(moved, fixed)
    groups = coarse_groups(model.centers)
    np.testing.assert_allclose(model.background_at((0.02, 0.0), None, groups)[0], np.add.reduceat(moved[0], groups))


def test_too_narrow_a_calibration_is_refused():
    narrow = Spectrum(counts=np.ones(64), calibration=EnergyCalibration.linear(0.0, 0.1, 64), live_time_s=1.0)
    with pytest.raises(AnalysisError, match="covers too little"):
        SpectrumModel.build(narrow, None, build_library(DET), IdentifyOptions())


def test_the_first_and_last_channels_are_not_analysed(spectra):
    """Underflow and overflow channels: even where the calibration puts them inside the analysed energies
    (here channel 0 starts at 30 keV and the last ends at 2,500 keV), they are left out."""
    fg, _ = spectra
    shifted = Spectrum(counts=fg.counts[:820], calibration=EnergyCalibration.linear(30.0, 3.0, 820),
                       live_time_s=fg.live_time_s)
    model = SpectrumModel.build(shifted, None, build_library(DET), IdentifyOptions())
    inside = np.flatnonzero(model.mask)
    assert inside[0] == 1 and inside[-1] == 818 and model.y.size == 818


def test_measured_background_noise_enters_the_weights(spectra):
    """The measured background is counted data: its own Poisson variance (live-time ratio x its scaled content)
    lowers the weights where it explains the counts. A background 10x longer than the foreground adds ~10 %."""
    fg, bg = spectra  # 100 s foreground, 1000 s background
    library = build_library(DET)
    model = SpectrumModel.build(fg, bg, library, IdentifyOptions())
    assert model.measured_scale == pytest.approx(0.1)
    fit = model.fit((0.0, 0.0), [])
    with_noise = model.model_weights(fit, (0.0, 0.0))
    model.measured_scale = 0.0
    without = model.model_weights(fit, (0.0, 0.0))
    ratio = with_noise / without
    assert np.all(ratio <= 1.0 + 1e-12)
    assert 0.85 < float(np.median(ratio)) < 0.95


def test_continuum_nuisances_beside_a_measured_background_have_a_prior(spectra):
    """With a measured background the continuum nuisances may reshape it by CONTINUUM_BACKGROUND_SHAPE (2 %),
    looser where the data exceed it; the measured background's own amplitude stays free. Beside the model background
    only its 511 keV annihilation line has a prior (1 sigma = ANNIHILATION_FRACTION of the counts)."""
    fg, bg = spectra
    library = build_library(DET)
    alone = SpectrumModel.build(fg, None, library, IdentifyOptions())
    prior = alone.precision(alone.background_precision.size + 2)
    annihilation = model_module.BACKGROUND_COMPONENTS.index("annihilation")
    assert prior[annihilation] > 0 and np.count_nonzero(prior) == 1
    _, background = alone.components((0.0, 0.0))
    sigma_counts = background[annihilation].sum() / np.sqrt(prior[annihilation])
    assert sigma_counts == pytest.approx(model_module.ANNIHILATION_FRACTION * alone.y.sum(), rel=1e-6)
    model = SpectrumModel.build(fg, bg, library, IdentifyOptions())
    precision = model.precision(model.continuum.shape[0] + 3)
    assert precision[0] == 0.0 and np.all(precision[1:11] > 0) and np.all(precision[11:] == 0)
    measured = model.measured_bg[model.mask]
    shape = model.continuum / model.continuum.max(axis=1, keepdims=True)
    sigma = 1 / np.sqrt(precision[1:11])
    assert np.all(sigma >= model_module.CONTINUUM_BACKGROUND_SHAPE * (shape @ measured))
    # a data excess under a nuisance loosens its prior
    excess = model_module.continuum_precision(model.continuum, measured, model.y + 200.0 * shape[4])
    assert excess[5] < 0.5 * precision[5]


def test_a_weak_source_keeps_its_continuum_evidence_beside_a_measured_background():
    """Free continuum nuisances take a weak source's Compton continuum into the no-source fit, lowering its
    likelihood ratio (NaI, ~250 net Cs-137 counts over 30,000 background); the prior keeps much of it."""
    from radnuc.physics.synthesis import SourceSpec, expected_counts
    rng = np.random.default_rng(3)
    library = build_library(DET)
    live = 30_000 / expected_counts(DET, CAL, [], 1.0, SiteBackground()).sum()
    per_bq = expected_counts(DET, CAL, [SourceSpec("Cs-137", 1.0, 100.0)], live).sum()
    gains = np.zeros(2)
    for _ in range(12):
        fg = synthesize_spectrum(DET, CAL, [SourceSpec("Cs-137", 250 / per_bq, 100.0)], live, rng, SiteBackground())
        model = SpectrumModel.build(fg, synthesize_background(DET, CAL, 10 * live, rng), library, IdentifyOptions())
        row = next(r for r in model.candidates if library.names[r] == "Cs-137" and library.variants[r] == "bare")
        for k, prior in enumerate((model.background_precision, None)):
            model.background_precision = prior
            model._fits.clear()
            gains[k] += model.fit((0.0, 0.0), [row], bumps_for=[]).loglike - model.fit((0.0, 0.0), []).loglike
    assert gains[0] > 1.15 * gains[1]  # 1.23 with seed 3; exactly 1 if the prior did nothing


def test_the_natural_background_is_bounded_by_the_live_time(spectra):
    """Without a measured background each natural series may hold at most NATURAL_SITE_FACTOR_MAX times its counts
    at the reference site in the spectrum's live time, each natural nuclide's shielded component as many counts as
    its series; the other components stay free, and a measured background or an unknown live time has no bound."""
    fg, bg = spectra
    library = build_library(DET)
    model = SpectrumModel.build(fg, None, library, IdentifyOptions())
    factor = model_module.NATURAL_SITE_FACTOR_MAX
    upper = model.upper(model.components((0.0, 0.0))[1].shape[0] + 2)
    names = model_module.BACKGROUND_COMPONENTS
    for series in model_module.NATURAL_SERIES_COMPONENTS:
        assert upper[names.index(series)] == pytest.approx(factor * fg.live_time_s)
    for position, row in enumerate(model.natural_rows):
        series = model_module.NATURAL_NUCLIDE_SERIES[library.names[row]]
        counts = upper[len(names) + position] * library.templates[row].sum()
        assert counts == pytest.approx(factor * fg.live_time_s * library.background[names.index(series)].sum())
    assert np.all(np.isinf(upper[[names.index("scatter"), names.index("annihilation")]]))
    assert np.all(np.isinf(upper[len(names) + model.natural_rows.size:]))  # continuum nuisances, templates
    assert SpectrumModel.build(fg, bg, library, IdentifyOptions()).upper(20) is None
    no_time = dataclasses.replace(fg, live_time_s=None, real_time_s=None)
    assert SpectrumModel.build(no_time, None, library, IdentifyOptions()).upper(20) is None
