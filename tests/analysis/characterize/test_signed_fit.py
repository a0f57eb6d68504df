"""The signed, penalised Poisson fit (the optional continuum treatment of the scintillator enrichment fit)."""

import numpy as np

from radnuc.analysis.characterize.signed_fit import fisher_cov_signed, fit_signed


def _problem():
    x = np.linspace(0.0, 1.0, 200)
    peak = np.exp(-0.5 * ((x - 0.5) / 0.03) ** 2)
    flat = np.ones_like(x)
    slope = x  # a correction that may enter with a negative amplitude
    return np.vstack([peak, flat, slope])


def test_signed_component_goes_negative_and_prior_pulls_it_to_zero():
    comps = _problem()
    truth = np.array([300.0, 50.0, -20.0])
    y = truth @ comps
    loose = fit_signed(y, comps, np.array([2]), np.array([1e6]), two_sided=True)
    np.testing.assert_allclose(loose.amplitudes, truth, rtol=1e-3, atol=0.5)
    tight = fit_signed(y, comps, np.array([2]), np.array([1e-3]), two_sided=True)
    assert abs(tight.amplitudes[2]) < 1.0  # the prior wins
    assert tight.loglike < loose.loglike


def test_covariance_is_symmetric_positive():
    comps = _problem()
    truth = np.array([300.0, 50.0, -20.0])
    fit = fit_signed(truth @ comps, comps, np.array([2]), np.array([1e6]), two_sided=True)
    cov = fisher_cov_signed(comps, fit.mean, fit.amplitudes, np.array([2]), np.array([1e6]), two_sided=True)
    np.testing.assert_allclose(cov, cov.T, rtol=1e-8, atol=1e-12)
    assert np.all(np.linalg.eigvalsh(cov) > 0)
