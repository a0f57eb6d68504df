"""The Poisson fits against brute force: the vectorised screen and the non-negative Newton fit."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from radnuc.analysis.identify.poisson_fit import fit_nonnegative, loglike, screen_additions


def _problem(seed=0, n=400, k=12, scale=1.0):
    rng = np.random.default_rng(seed)
    x = np.arange(n)
    templates = np.array([np.exp(-0.5 * ((x - c) / 8.0) ** 2) + 0.02 * np.exp(-x / 200) for c in
                          rng.uniform(20, n - 20, k)])
    templates /= templates.sum(axis=1, keepdims=True)
    base = scale * (40.0 * np.exp(-x / 150.0) + 2.0)
    y = rng.poisson(base + scale * (800 * templates[2] + 300 * templates[7])).astype(float)
    weights = rng.uniform(0.4, 1.0, n)
    return y, base, templates, weights


@pytest.mark.parametrize(("weighted", "scale"), [(False, 1.0), (True, 1.0), (True, 0.05)])
def test_screen_matches_one_dimensional_maximisation(weighted, scale):
    """Also on a sparse spectrum (scale 0.05: most channels without counts, as in HPGe spectra)."""
    y, base, templates, weights = _problem(scale=scale)
    assert scale == 1.0 or (y == 0).mean() > 0.3
    w = weights if weighted else None
    delta, amplitude = screen_additions(y, base, templates, weights=w)
    for k, t in enumerate(templates):
        best = minimize_scalar(lambda a, t=t: -(loglike(y, base + a * t, w) - loglike(y, base, w)),
                               bounds=(0.0, 5e3 * scale), method="bounded", options={"xatol": 1e-7})
        expected = max(-best.fun, 0.0)
        assert delta[k] == pytest.approx(expected, abs=1e-5, rel=1e-6)
        if expected > 1e-3:
            assert amplitude[k] == pytest.approx(best.x, rel=1e-3, abs=1e-3)
    assert delta[2] == delta.max()  # the strongest added template ranks first


def test_screen_rows_that_only_lower_the_likelihood_stay_at_zero():
    y, base, templates, _ = _problem()
    delta, amplitude = screen_additions(y * 0.0, base, templates)  # no counts: any addition lowers L
    assert not delta.any() and not amplitude.any()


def test_fit_recovers_amplitudes_and_respects_bounds():
    y, base, templates, weights = _problem(seed=3)
    components = np.vstack([base[None, :] / base.sum(), templates])
    fit = fit_nonnegative(y, components, weights=weights)
    assert np.all(fit.amplitudes >= 0)
    assert fit.amplitudes[3] == pytest.approx(800, rel=0.1) and fit.amplitudes[8] == pytest.approx(300, rel=0.2)
    assert fit.loglike == pytest.approx(loglike(y, fit.mean, weights), rel=1e-12)
    # the optimum: no free direction improves the likelihood (KKT conditions)
    gradient = components @ (weights * (y / np.maximum(fit.mean, 1e-12) - 1.0))
    scale = components.sum(axis=1)
    assert np.all(gradient / scale < 1e-3 * y.sum() / y.size)
    free = fit.amplitudes > 1e-6 * y.sum()
    assert np.allclose(gradient[free] / scale[free], 0.0, atol=1e-2)


def test_fit_from_a_warm_start_reaches_the_same_optimum():
    y, base, templates, _ = _problem(seed=4)
    components = np.vstack([base[None, :] / base.sum(), templates])
    cold = fit_nonnegative(y, components)
    warm = fit_nonnegative(y, components, start=cold.amplitudes * 1.1)
    assert warm.loglike == pytest.approx(cold.loglike, abs=1e-7 * abs(cold.loglike))


def test_fit_of_a_sparse_spectrum_uses_every_channel_for_its_mean_and_likelihood():
    """Most channels without counts (HPGe): the fit runs on the counted channels only, but its mean covers
    every channel and its likelihood is that of the whole spectrum, at an optimum (KKT)."""
    y, base, templates, weights = _problem(seed=5, scale=0.01)
    assert (y == 0).mean() > 0.5
    components = np.vstack([base[None, :] / base.sum(), templates])
    fit = fit_nonnegative(y, components, weights=weights)
    assert fit.mean.shape == y.shape
    assert np.allclose(fit.mean, fit.amplitudes @ components, rtol=1e-12, atol=1e-12)
    assert fit.loglike == pytest.approx(loglike(y, fit.mean, weights), rel=1e-12)
    gradient = components @ (weights * (y / np.maximum(fit.mean, 1e-12) - 1.0))
    free = fit.amplitudes > 1e-6 * y.sum()
    assert np.allclose(gradient[free] / components.sum(axis=1)[free], 0.0, atol=1e-2)


def test_gaussian_prior_gives_the_maximum_a_posteriori_amplitude():
    """One component of one channel with prior precision p: the maximum of y ln a - a - p a^2 / 2 is
    a = (sqrt(1 + 4 p y) - 1) / (2 p), and the returned loglike is that penalised maximum."""
    y, p = np.array([400.0]), 1.0 / 50.0**2
    fit = fit_nonnegative(y, np.ones((1, 1)), precision=np.array([p]))
    expected = (np.sqrt(1 + 4 * p * y[0]) - 1) / (2 * p)
    assert fit.amplitudes[0] == pytest.approx(expected, rel=1e-6)
    assert fit.loglike == pytest.approx(y[0] * np.log(expected) - expected - 0.5 * p * expected**2, rel=1e-9)
    free = fit_nonnegative(y, np.ones((1, 1)))
    assert free.amplitudes[0] == pytest.approx(400.0, rel=1e-6) and expected < 0.9 * 400.0


def test_a_zero_precision_is_the_free_fit_and_a_prior_shrinks_only_its_component():
    y, base, templates, _ = _problem()
    comps = np.vstack([base[None, :], templates])
    free = fit_nonnegative(y, comps, tolerance=1e-12, iterations=200)
    zero = fit_nonnegative(y, comps, tolerance=1e-12, iterations=200, precision=np.zeros(comps.shape[0]))
    np.testing.assert_allclose(zero.amplitudes, free.amplitudes, rtol=1e-9, atol=1e-9)
    precision = np.zeros(comps.shape[0])
    precision[3] = 1.0 / 30.0**2  # template 2 (800 counts) held to ~30 counts by its prior
    held = fit_nonnegative(y, comps, tolerance=1e-12, iterations=200, precision=precision)
    assert held.amplitudes[3] < 0.5 * free.amplitudes[3]
    # the penalised objective at the optimum beats a small move of any free component
    def objective(a):
        return loglike(y, a @ comps) - 0.5 * float(precision @ (a * a))
    assert held.loglike == pytest.approx(objective(held.amplitudes), rel=1e-9)
    for k in range(comps.shape[0]):
        moved = held.amplitudes.copy()
        moved[k] *= 1.01
        assert objective(moved) <= held.loglike + 1e-9


def test_a_cold_fit_of_a_spectrum_of_ten_million_counts_with_systematic_weights_converges(monkeypatch):
    """With 5 % systematic weights the curvature of 10^7-count spectra is ~1e-9 per unit-area component: a ridge
    of 1e-12 x the counts alone (RIDGE unbounded, the former rule) made each Newton step a tiny gradient step, and
    a real 2.6e7-count RadiaCode Th-232 spectrum's fits stopped thousands of log-likelihood units short. Bounded by
    the mean diagonal, the fit gets most of the way (not all: see RIDGE)."""
    from scipy.optimize import minimize

    from radnuc.analysis.identify import poisson_fit
    from radnuc.analysis.identify.poisson_fit import systematic_weights

    y, base, templates, _ = _problem(scale=3e4)
    comps = np.vstack([base[None, :] / base.sum(), templates])
    w = systematic_weights(y, 0.05)
    assert y.sum() > 1e7

    def negative(a):
        mu = np.maximum(a @ comps, 1e-12)
        return -float(np.sum(w * (y * np.log(mu) - mu))), -(comps @ (w * (y / mu - 1.0)))

    reference = minimize(negative, np.full(comps.shape[0], y.sum() / comps.shape[0]), jac=True, method="L-BFGS-B",
                         bounds=[(0, None)] * comps.shape[0], options={"maxiter": 20000, "ftol": 1e-15, "gtol": 1e-10})
    best = max(-reference.fun, fit_nonnegative(y, comps, weights=w, iterations=2000, tolerance=1e-14).loglike)
    shortfall_at_start = best - fit_nonnegative(y, comps, weights=w, iterations=0).loglike
    bounded = best - fit_nonnegative(y, comps, weights=w).loglike
    monkeypatch.setattr(poisson_fit, "RIDGE", np.inf)  # the former ridge
    former = best - fit_nonnegative(y, comps, weights=w).loglike
    assert former > 0.9 * shortfall_at_start  # hardly moved from its start (112,150 of 112,150 units short)
    assert bounded < 0.02 * shortfall_at_start  # 1,540 short: the mean-diagonal bound still damps weak components


def test_upper_bounds_hold_and_the_rest_reach_the_constrained_optimum():
    """A component bounded below its free optimum ends at its bound, the others at the optimum given it (KKT of
    the box-constrained problem: zero gradient where free, a gradient pointing beyond the bound where held), and
    infinite bounds are the free fit."""
    y, base, templates, weights = _problem(seed=3)
    components = np.vstack([base[None, :] / base.sum(), templates])
    free = fit_nonnegative(y, components, weights=weights, tolerance=1e-12, iterations=200)
    upper = np.full(components.shape[0], np.inf)
    upper[3] = 0.5 * free.amplitudes[3]
    bounded = fit_nonnegative(y, components, weights=weights, tolerance=1e-12, iterations=200, upper=upper)
    assert bounded.amplitudes[3] == pytest.approx(upper[3], rel=1e-12)
    assert np.all(bounded.amplitudes >= 0) and bounded.loglike < free.loglike
    gradient = components @ (weights * (y / np.maximum(bounded.mean, 1e-12) - 1.0)) / components.sum(axis=1)
    assert gradient[3] > 0
    inside = (bounded.amplitudes > 1e-6 * y.sum()) & (np.arange(components.shape[0]) != 3)
    assert np.allclose(gradient[inside], 0.0, atol=1e-2)
    same = fit_nonnegative(y, components, weights=weights, tolerance=1e-12, iterations=200,
                           upper=np.full(components.shape[0], np.inf))
    np.testing.assert_allclose(same.amplitudes, free.amplitudes, rtol=1e-9, atol=1e-9)


def test_a_fit_reaches_the_same_optimum_from_any_start():
    """The likelihood is concave in the amplitudes, so every start must end at its optimum. Newton steps clipped at
    the bounds can lower the likelihood; halving them crept forward until the fit stopped as if converged (here
    0.92 units short from one of eight starts; in the engine, a model with a source below the model without it).
    The step is damped instead (Levenberg-Marquardt), which keeps it pointing up the gradient."""
    y, base, templates, weights = _problem(seed=5, scale=10.0)
    components = np.vstack([base[None, :] / base.sum(), templates])
    optimum = fit_nonnegative(y, components, weights=weights, iterations=3000, tolerance=1e-15).loglike
    rng = np.random.default_rng(1)
    for _ in range(8):
        start = rng.uniform(0.0, 3.0, components.shape[0]) * y.sum() / components.shape[0]
        start[rng.uniform(size=start.size) < 0.3] = 0.0
        assert optimum - fit_nonnegative(y, components, start=start, weights=weights).loglike < 0.01
