"""Poisson maximum-likelihood fit in which some components are signed, under a Gaussian prior.

y ~ Poisson(mu), mu = sum_k a_k T_k. Components outside ``signed`` keep a_k >= 0 (physics templates, room
background). Components in ``signed`` (smooth continuum corrections) may take either sign, with a Gaussian prior
N(0, tau_k^2) (``two_sided``), or free upwards and penalised only below zero (one-sided):

    L(a) = sum_i y_i log mu_i - mu_i - 1/2 sum_{k in signed} (a_k / tau_k)^2,   mu_i > 0
    (one-sided: min(a_k, 0) in place of a_k).

Why: a non-negative continuum component at zero cannot follow a downward fluctuation of the counts, while it
follows the upward ones, and a free one absorbs any shape the physics templates also have. The two-sided prior
makes the continuum a correction of bounded size around the physics model. (The one-sided form was tried for the
NaI HEU bias at 1e4 counts and changed nothing: the bias comes from the free upward side.)

The fit starts from the non-negative optimum (:func:`radnuc.analysis.identify.poisson_fit.fit_nonnegative`),
which is feasible, and takes Newton steps with bounds (active set) and step halving; steps that make some mu_i
<= 0 are halved. Started from a flat guess instead, a signed fit jams against mu_i = 0 in channels without counts.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg.lapack import dgesv

from radnuc.analysis.identify.poisson_fit import Fit, fit_nonnegative

__all__ = ["fisher_cov_signed", "fit_signed"]

_TINY = 1e-12


def _objective(y, a, comps, comps_sum, signed, inv_tau2, two_sided=False):
    mu = a @ comps
    if np.any(mu <= 0):
        return -np.inf, mu
    neg = a[signed] if two_sided else np.minimum(a[signed], 0.0)
    return float(y @ np.log(mu) - a @ comps_sum - 0.5 * np.sum(neg * neg * inv_tau2)), mu


def fit_signed(y: np.ndarray, components: np.ndarray, signed: np.ndarray, tau: np.ndarray,
               start: np.ndarray | None = None, iterations: int = 400, tolerance: float = 1e-10,
               two_sided: bool = False) -> Fit:
    """Maximise L(a) above. ``signed``: indices of the components that may go negative; ``tau``: their prior
    widths in counts (same order). Returns amplitudes in the units of ``components`` and ``loglike`` = L (the
    Poisson log-likelihood minus the penalty)."""
    y = np.asarray(y, float)
    used = np.any(components != 0, axis=0)  # channels no component reaches carry no information
    if not used.all():
        fit = fit_signed(y[used], components[:, used], signed, tau, start, iterations, tolerance, two_sided)
        mean = np.zeros(y.size)
        mean[used] = fit.mean
        return Fit(fit.amplitudes, mean, fit.loglike)
    k = components.shape[0]
    scale = np.maximum(components.sum(axis=1), _TINY)
    comps = components / scale[:, None]
    comps_sum = comps.sum(axis=1)
    signed = np.asarray(signed, int)
    is_signed = np.zeros(k, bool)
    is_signed[signed] = True
    inv_tau2 = 1.0 / np.maximum(np.asarray(tau, float), 1e-6) ** 2
    total = max(float(y.sum()), 1.0)
    a = None if start is None else np.asarray(start, float) * scale
    current = -np.inf
    if a is not None:
        current, mu = _objective(y, a, comps, comps_sum, signed, inv_tau2, two_sided)
    if not np.isfinite(current):  # from the non-negative optimum: feasible, and L never ends below it
        a = fit_nonnegative(y, components, iterations=iterations, tolerance=tolerance).amplitudes * scale
        current, mu = _objective(y, a, comps, comps_sum, signed, inv_tau2, two_sided)
        if not np.isfinite(current):  # a channel only reached by components at zero: lift them by ~1e-9 counts
            a = a + 1e-9 * total / k
            current, mu = _objective(y, a, comps, comps_sum, signed, inv_tau2, two_sided)
    ridge = 1e-12 * total
    for _ in range(iterations):
        q = y / mu
        gradient = comps @ q - comps_sum
        pen_h = np.zeros(k)
        pen_h[signed] = inv_tau2 if two_sided else np.where(a[signed] < 0, inv_tau2, 0.0)
        gradient = gradient - pen_h * (a if two_sided else np.minimum(a, 0.0))
        free = is_signed | (a > 0) | (gradient > 0)
        n_free = int(free.sum())
        if n_free == 0:
            break
        c = comps[free]
        hessian = (c * (q / mu)) @ c.T
        hessian.flat[:: n_free + 1] += ridge + pen_h[free]
        _, _, step, info = dgesv(hessian, gradient[free])
        if info != 0:
            step = gradient[free] / np.maximum(np.diag(hessian), _TINY)
        lower = np.where(is_signed[free], -np.inf, 0.0)
        best = None
        for _ in range(40):
            trial = a.copy()
            trial[free] = np.maximum(a[free] + step, lower)
            value, trial_mu = _objective(y, trial, comps, comps_sum, signed, inv_tau2, two_sided)
            if value >= current - 1e-12:
                best = (trial, value, trial_mu)
                break
            step = step * 0.5
        if best is None:
            break
        improvement = best[1] - current
        a, current, mu = best
        if 0 <= improvement < tolerance * max(abs(current), 1.0):
            break
    return Fit(a / scale, mu, current)


def fisher_cov_signed(comps: np.ndarray, mean: np.ndarray, amplitudes: np.ndarray, signed: np.ndarray,
                      tau: np.ndarray, always: int = 2, two_sided: bool = False) -> np.ndarray:
    """Covariance of the amplitudes of :func:`fit_signed`: inverse of the Poisson Fisher matrix plus the prior
    precision of the negative signed amplitudes, over the components that are not held at their bound (a > 0,
    signed ones, and the first ``always``)."""
    k = amplitudes.size
    is_signed = np.zeros(k, bool)
    is_signed[np.asarray(signed, int)] = True
    keep = np.flatnonzero((amplitudes > 0) | is_signed | (np.arange(k) < always))
    c = comps[keep]
    fisher = (c / np.maximum(mean, 1e-9)) @ c.T
    prec = np.zeros(k)
    scale = np.maximum(comps.sum(axis=1), _TINY)
    tau_full = np.full(k, np.inf)
    tau_full[np.asarray(signed, int)] = np.asarray(tau, float)
    neg = is_signed & ((amplitudes < 0) | two_sided)
    prec[neg] = (scale[neg] / tau_full[neg]) ** 2  # tau in counts, amplitudes in component units
    fisher[np.diag_indices_from(fisher)] += prec[keep]
    inv = np.linalg.pinv(fisher)
    full = np.zeros((k, k))
    full[np.ix_(keep, keep)] = inv
    return full
