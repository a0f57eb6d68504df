"""Neutron test: excess of neutron counts over the lane's neutron background, over point kernels (a neutron
source passes like a gamma point source, with an inverse-square profile; same passage-width search) and the whole
occupancy (distributed kernel).

Per kernel the statistic is the signed root of the Poisson generalised likelihood ratio for a source amplitude
A >= 0 on top of the background rate beta: lambda_t = beta live_t + A g_t live_t, z = sqrt(2 [L(A_hat) - L(0)]),
A_hat by Newton iterations (the log-likelihood is concave in A). With a few counts per slice and a source that
can double the rate at closest approach, the likelihood ratio weights slices by log(1 + s/b), not linearly as
a matched filter, and its null tail is close to normal without a skewness correction. beta is the lane
background pooled with the occupancy (as for the gamma kernels); the background-estimate term rescales z to unit
null variance. The tail is calibrated on empty vehicles (which include the cosmic 'ship effect') like every
other statistic."""

from __future__ import annotations

import numpy as np

NEWTON_STEPS = 20


def neutron_sigma(neutrons: np.ndarray, live_s: np.ndarray, rate: float, background_live_s: float,
                  weights: np.ndarray) -> tuple[float, int]:
    """(max over kernels of the signed-root likelihood ratio, kernel index); ``weights`` [K, T] the kernel
    profiles g. NaN when the file has no neutron counts."""
    if not np.all(np.isfinite(neutrons)) or not np.isfinite(rate):
        return float("nan"), -1
    tb = max(background_live_s, 1e-9)
    e_tot = tb + float(live_s.sum())  # pooled with the occupancy, as the gamma kernels (kernels.kernel_sums)
    beta = max((rate * tb + float(neutrons.sum())) / e_tot, 0.5 / e_tot)
    y = np.asarray(neutrons, dtype=float)
    lam0 = beta * live_s  # [T]
    shape = weights * live_s[None, :]  # expected source counts per unit amplitude [K, T]
    total = shape.sum(axis=1)
    score0 = shape @ (y / lam0) - total  # dL/dA at A = 0
    info0 = (shape**2) @ (1.0 / lam0)  # expected information at A = 0
    z = score0 / np.sqrt(np.maximum(info0, 1e-12))  # A_hat = 0 where the score at 0 is not positive
    up = np.nonzero(score0 > 0)[0]
    if up.size:
        sh, tot, yk = shape[up], total[up], y[None, :]
        amp = score0[up] / np.maximum(info0[up], 1e-12)
        for _ in range(NEWTON_STEPS):
            lam = lam0[None, :] + amp[:, None] * sh
            d1 = (sh * (yk / lam)).sum(axis=1) - tot
            d2 = (sh**2 * (yk / lam**2)).sum(axis=1)
            step = np.where(d2 > 0, d1 / np.maximum(d2, 1e-12), 0.0)
            amp = np.maximum(amp + step, 0.0)
            if np.all(np.abs(step) <= 1e-6 * np.maximum(amp, 1e-9)):
                break
        lam = lam0[None, :] + amp[:, None] * sh
        dll = (yk * np.log(lam / lam0[None, :])).sum(axis=1) - amp * tot
        z[up] = np.where(amp > 0, np.sqrt(2.0 * np.maximum(dll, 0.0)), 0.0)
    # the pooled background estimate shares counts with the kernel: null variance (s2 - a1^2/E) / s2 of z
    a1 = weights @ live_s
    s2 = (weights**2) @ live_s
    z = z * np.sqrt(s2 / np.maximum(s2 - a1**2 / e_tot, 1e-9 * s2))
    k = int(np.argmax(z))
    return float(z[k]), k
