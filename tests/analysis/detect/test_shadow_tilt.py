"""The vehicle shadow's spectral tilt (radnuc.analysis.detect.shadow_tilt)."""

from __future__ import annotations

import numpy as np
import pytest

from radnuc.analysis.detect.kernels import kernel_weights
from radnuc.analysis.detect.shadow_tilt import GAMMA_MIN, centred_log_energy, estimate_tilt, remove_tilt

EDGES = np.geomspace(30.0, 3000.0, 41)
LOG_E = np.log(np.sqrt(EDGES[:-1] * EDGES[1:]))
RATE = 4000.0 * np.exp(-np.linspace(0.0, 4.0, 40)) / np.exp(-np.linspace(0.0, 4.0, 40)).sum()
N = 70
LIVE = np.full(N, 0.1)
SHADOW = 1.0 - 0.1 * np.sin(np.linspace(0.0, np.pi, N))  # deepest mid-vehicle


def _occupancy(gamma: float) -> np.ndarray:
    """Expected counts [T, W]: live b (m_t - gamma (1 - m_t) h)."""
    h = centred_log_energy(LOG_E, RATE)
    return LIVE[:, None] * RATE[None, :] * (SHADOW[:, None] - gamma * (1.0 - SHADOW)[:, None] * h[None, :])


def test_the_tilt_of_a_shadowed_background_is_recovered_and_removed():
    counts = _occupancy(-0.6)
    gamma = estimate_tilt(counts, LIVE, SHADOW, RATE, LOG_E)
    assert gamma == pytest.approx(-0.6, rel=1e-9)
    fixed = remove_tilt(counts, LIVE, SHADOW, RATE, LOG_E, gamma)
    np.testing.assert_allclose(fixed, _occupancy(0.0), rtol=1e-9)
    np.testing.assert_allclose(fixed.sum(axis=1), counts.sum(axis=1), rtol=1e-12)  # levels untouched


def test_only_the_physical_sign_is_corrected_and_the_tilt_is_bounded():
    """A background *softer* under the vehicle (a low-energy excess: HEU, plutonium, Tc-99m) is no tilt."""
    assert estimate_tilt(_occupancy(+0.6), LIVE, SHADOW, RATE, LOG_E) == 0.0
    assert estimate_tilt(_occupancy(-40.0), LIVE, SHADOW, RATE, LOG_E) == GAMMA_MIN
    assert estimate_tilt(_occupancy(-0.6), LIVE, np.ones(N), RATE, LOG_E) == 0.0  # no shadow: nothing to tilt


def test_a_hard_point_source_is_left_out_of_the_tilt_estimate():
    """A hard source passing mid-vehicle (excess above 1 MeV in a second or two, inverse-square profile) would
    read as a tilt over the whole occupancy; the slices of the point kernel it lights up are left out (its
    far tails, below 3 % of the peak, stay in)."""
    weights = kernel_weights(N, 0.1, 2.2, 2.0, (0.6, 1.0, 1.65))[:-1]
    t = (np.arange(N) + 0.5) * 0.1
    profile = (1.0 + (2.2 * (t - t[N // 2]) / 2.0) ** 2) ** -1.5
    hard = np.where(LOG_E > np.log(1000.0), 1.0, 0.0)
    source = 10.0 * profile[:, None] * (hard / hard.sum())[None, :]  # ~180 counts on ~840 above 1 MeV
    blind = estimate_tilt(_occupancy(0.0) + source, LIVE, SHADOW, RATE, LOG_E)
    seeing = estimate_tilt(_occupancy(0.0) + source, LIVE, SHADOW, RATE, LOG_E, weights)
    assert blind < -0.2
    assert seeing > 0.4 * blind
    # with a real tilt as well, the estimate is near the tilt's
    assert estimate_tilt(_occupancy(-0.5) + source, LIVE, SHADOW, RATE, LOG_E, weights) == pytest.approx(-0.5, abs=0.15)


def test_a_soft_point_source_does_not_hide_the_vehicles_tilt():
    """A soft source (HEU, plutonium: lines below 200 keV) pulls the tilt towards 0, which would leave a heavy
    vehicle's low-energy deficit under the source's own kernel; its slices are left out as well."""
    weights = kernel_weights(N, 0.1, 2.2, 2.0, (0.6, 1.0, 1.65))[:-1]
    t = (np.arange(N) + 0.5) * 0.1
    profile = (1.0 + (2.2 * (t - t[N // 2]) / 2.0) ** 2) ** -1.5
    soft = np.where(LOG_E < np.log(200.0), 1.0, 0.0)
    source = 150.0 * profile[:, None] * (soft / soft.sum())[None, :]
    blind = estimate_tilt(_occupancy(-0.5) + source, LIVE, SHADOW, RATE, LOG_E)
    seeing = estimate_tilt(_occupancy(-0.5) + source, LIVE, SHADOW, RATE, LOG_E, weights)
    assert blind > -0.35
    assert seeing == pytest.approx(-0.5, abs=0.08)
