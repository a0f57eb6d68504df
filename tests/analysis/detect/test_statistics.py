"""Numeric core of the alarm engine: windows, kernel sums, skewness correction, null laws, fusion, width search."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from radnuc.analysis.detect import shipped_thresholds
from radnuc.analysis.detect.background import BackgroundEstimate
from radnuc.analysis.detect.fusion import NullModel, fit_null, fuse
from radnuc.analysis.detect.kernels import kernel_sums, kernel_weights, skew_normalise
from radnuc.analysis.detect.statistics import compute_statistics
from radnuc.analysis.detect.windows import aggregation_matrix, category_edges, rebin_matrix, window_edges
from radnuc.physics.synthesis import OccupancyScenario, PortalGeometry, SourceSpec, synthesize_occupancy


def test_rebin_matrix_shares_channels_by_overlap():
    channels = np.linspace(0.0, 3000.0, 513)  # 5.86 keV channels
    edges = window_edges("nai-2x4x16")
    m = rebin_matrix(channels, edges)
    inside = (channels[:-1] >= edges[0]) & (channels[1:] <= edges[-1])
    assert np.allclose(m[inside].sum(axis=1), 1.0)
    # a window narrower than a channel still gets its share, in proportion to its width
    widths = np.diff(edges)
    expected = widths / np.diff(channels)[0]
    assert np.allclose(m.sum(axis=0)[1:20], expected[1:20], rtol=1e-9)
    counts = np.arange(512.0)
    assert (counts @ m).sum() == pytest.approx(counts[inside].sum() + counts[~inside] @ m.sum(axis=1)[~inside])


def test_detection_windows_nest_in_category_windows():
    fine, coarse = window_edges("nai-2x4x16"), category_edges("nai-2x4x16")
    assert fine.size > 2 * coarse.size and np.all(np.diff(fine) > 0)
    assert all(np.isclose(fine, e).any() for e in coarse)
    a = aggregation_matrix(fine, coarse)
    assert set(np.unique(np.round(a, 9))) <= {0.0, 1.0} and np.allclose(a.sum(axis=1), 1.0)
    assert np.array_equal(window_edges("pvt-portal"), category_edges("pvt-portal"))


def test_skew_normalise_gaussianises_a_skewed_tail():
    z = np.linspace(-3, 6, 50)
    assert np.allclose(skew_normalise(z, np.zeros_like(z)), z)
    g = 0.05
    assert np.allclose(skew_normalise(z[:20], g), z[:20] - g * (z[:20] ** 2 - 1) / 6, atol=0.01)
    assert np.all(np.diff(skew_normalise(z, 0.5)) > 0)
    rng = np.random.default_rng(1)
    k = 16.0  # gamma variable of skewness 2 / sqrt(k) = 0.5
    x = (rng.gamma(k, size=400_000) - k) / np.sqrt(k)
    raw_tail = np.mean(x >= 3.0)
    fixed_tail = np.mean(skew_normalise(x, 2 / np.sqrt(k)) >= 3.0)
    nominal = stats.norm.sf(3.0)
    assert raw_tail > 2.5 * nominal  # the uncorrected statistic has a heavy tail ...
    assert fixed_tail == pytest.approx(nominal, rel=0.2)  # ... the corrected one a normal one


def test_maxnormal_null_recovers_a_maximum_of_normals():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((200_000, 40)).max(axis=1)
    null = fit_null(x, "maxnormal")
    assert null.family == "maxnormal"
    assert null.scale == pytest.approx(1.0, abs=0.06)
    assert 10**null.loc == pytest.approx(40, rel=0.35)
    # extrapolation beyond the fitted percentiles (90th, 99th) to 1e-4
    assert null.quantile(1e-4) == pytest.approx(np.quantile(x, 1 - 1e-4), abs=0.12)
    assert NullModel.from_json(null.to_json()).log10_sf(4.0) == pytest.approx(null.log10_sf(4.0), abs=1e-4)


def test_pooled_kernel_sums_have_the_null_variance_they_claim():
    rng = np.random.default_rng(3)
    n, pre, rate = 80, 100, np.array([40.0, 5.0, 0.8])  # counts/s per window; 0.1 s slices
    live = np.full(n, 0.1)
    w = kernel_weights(n, 0.1, 2.2, 2.0, (1.0,))
    rows = [10, 40, n]  # two point kernels and the distributed one
    for pool in (True, False):
        z = []
        for _ in range(3000):
            occ = rng.poisson(rate * 0.1, size=(n, 3)).astype(float)
            bg = rng.poisson(rate * 0.1 * pre).astype(float) / (0.1 * pre)
            s = kernel_sums(occ, live, np.ones(n), bg, 0.1 * pre, w, pool=pool)
            z.append(s.residual[rows] / np.sqrt(s.c[rows, None] * rate[None, :]))
        z = np.array(z)
        assert np.allclose(z.mean(axis=0), 0.0, atol=0.06), pool
        assert np.allclose(z.std(axis=0), 1.0, atol=0.06), pool


def test_a_vehicle_wide_level_change_moves_pooled_residuals_by_the_level_gain():
    """The pooled rate absorbs part of a level change over the whole occupancy: the residuals keep T_b / E of it
    (the gross-count test scales its vehicle-to-vehicle level term accordingly)."""
    from radnuc.analysis.detect.gross import gross_sigma

    n, tb, rate = 80, 10.0, np.array([400.0, 50.0, 8.0])
    live = np.full(n, 0.1)
    w = kernel_weights(n, 0.1, 2.2, 2.0, (1.0,))
    base = np.tile(rate * 0.1, (n, 1))
    for pool, gain in ((True, tb / (tb + 0.1 * n)), (False, 1.0)):
        s0 = kernel_sums(base, live, np.ones(n), rate, tb, w, pool=pool)
        s1 = kernel_sums(base * 1.05, live, np.ones(n), rate, tb, w, pool=pool)
        assert s0.level_gain == pytest.approx(gain)
        shift = s1.residual.sum(axis=1) - s0.residual.sum(axis=1)
        assert shift == pytest.approx(0.05 * gain * s0.mu.sum(axis=1), rel=1e-6)
    # the level term of the gross test shrinks with a short lane background (it was overstated before)
    short = kernel_sums(base, live, np.ones(n), rate, tb, w)
    long = kernel_sums(base, live, np.ones(n), rate, 300.0, w)
    assert short.level_gain < 0.6 < 0.95 < long.level_gain
    assert gross_sigma(replace(short, residual=short.residual + 0.02 * short.mu), 0.02) > 0


def test_alarm_uses_only_the_alarm_algorithms():
    nulls = {a: NullModel("maxnormal", 1.0, 1.0) for a in ("gross", "windows", "matched_filter", "neutron")}
    values = {"gross": 0.5, "windows": 9.0, "matched_filter": 1.0, "neutron": 0.2}
    results, score = fuse(values, nulls, 1e-3, alarm=("gross", "matched_filter", "neutron"))
    assert results["windows"].fired and "diagnostic" in results["windows"].detail
    assert score < 3
    _, score_all = fuse(values, nulls, 1e-3)
    assert score_all > 3


def test_width_search_follows_a_vehicle_faster_than_assumed():
    """No speed in the data and a short vehicle: the occupancy is short, the assumed travel (16 m) makes the
    nominal passage width 1.8 times too narrow; the widest kernel of the search is the one that matches."""
    tset = shipped_thresholds("nai-2x4x16")
    geometry = PortalGeometry()
    scenario = OccupancyScenario(sources=(SourceSpec("Cs-137", 4e5),), vehicle_length_m=5.0)
    sim = synthesize_occupancy(scenario, np.random.default_rng(4), geometry)
    m = rebin_matrix(geometry.energy_calibration.edges_kev, tset.window_edges_kev)
    counts = sim.expected_gamma.sum(axis=1) @ m
    occ = sim.occupied
    pre = np.arange(occ.size) < np.argmax(occ)
    live_pre = pre.sum() * geometry.slice_s
    bg = BackgroundEstimate(counts[pre].sum(axis=0) / live_pre, 8.0, live_pre, 2, "test")
    st = compute_statistics(counts[occ], np.full(occ.sum(), geometry.slice_s), np.zeros(occ.sum()), bg, tset)
    widths = st.sums.width_s[:-1]
    nominal = tset.closest_approach_m / st.speed_mps
    assert st.sums.width_s[st.mf.kernel] == pytest.approx(widths.max())
    assert widths.max() > 1.5 * nominal
    # the widest kernel beats the nominal one clearly
    z_best = st.mf.z[st.mf.kernel].max()
    z_nominal = st.mf.z[:-1][np.isclose(widths, nominal)].max()
    assert z_best > 1.02 * z_nominal


def test_neutron_statistic_is_the_poisson_likelihood_ratio():
    from scipy.optimize import minimize_scalar

    from radnuc.analysis.detect.neutron import neutron_sigma

    rng = np.random.default_rng(6)
    n, live = 60, np.full(60, 0.1)
    w = kernel_weights(n, 0.1, 2.2, 2.0, (1.0,), exponent=1.0)
    truth = 0.8 + 6.0 * 0.1 * w[30]  # 8 cps background + a source passing at slice 30
    y = rng.poisson(truth).astype(float)
    z, k = neutron_sigma(y, live, 8.0, 1e9, w)  # background known exactly (infinite live time)
    shape = w[k] * live

    def nll(a):
        lam = 0.8 + a * shape
        return -(y * np.log(lam) - lam).sum()

    best = minimize_scalar(nll, bounds=(0.0, 1e3), method="bounded", options={"xatol": 1e-10})
    assert z == pytest.approx(np.sqrt(2 * (nll(0.0) - best.fun)), rel=1e-4)
    assert abs(k - 30) <= 3 and z > 3


def _tilt_case(residual_of):
    """Kernel sums of a 3 s occupancy over a ~4,000 counts/s NaI-like background in 40 windows, with
    ``residual_of(mu, log_energy)`` added to the whole-occupancy kernel's residual (the last row)."""
    edges = np.geomspace(30.0, 3000.0, 41)
    log_e = np.log(np.sqrt(edges[:-1] * edges[1:]))
    rate = 4000.0 * np.exp(-np.linspace(0.0, 4.0, 40))
    rate = rate / rate.sum() * 4000.0
    n = 30
    live = np.full(n, 0.1)
    w = kernel_weights(n, 0.1, 2.2, 2.0, (1.0,))
    sums = kernel_sums(np.tile(rate * 0.1, (n, 1)), live, np.ones(n), rate, 10.0, w)
    residual = sums.residual.copy()
    residual[-1] += residual_of(sums.mu[-1], log_e)
    return replace(sums, residual=residual), log_e


def test_the_tilt_nuisance_absorbs_a_whole_occupancy_shadow_deeper_at_low_energy_and_keeps_lines():
    """A vehicle absorbing low energies more leaves a residual -delta mu (1 + beta h) (h centred ln E): with the
    tilt prior it no longer reads as a distributed source; a line (one window) keeps nearly all of its
    significance. Point kernels get no tilt prior."""
    from radnuc.analysis.detect.matched_filter import TILT_SIGMA, matched_filter

    def tilt(mu, log_e):
        h = log_e - (mu @ log_e) / mu.sum()
        return 0.06 * mu * h  # 6 % per unit ln E: 25 % suppression by ~5 g/cm2 of iron

    sums, log_e = _tilt_case(tilt)
    line = np.zeros((1, 40))
    line[0, 25] = 1.0
    hard = np.exp(-np.linspace(0.0, 4.0, 40)) * np.linspace(0.0, 2.0, 40)  # a continuum harder than the background
    bank = np.vstack([line, hard[None, :]])
    without = matched_filter(sums, bank, 0.02, log_e, tilt_sigma=0.0)
    with_tilt = matched_filter(sums, bank, 0.02, log_e, tilt_sigma=TILT_SIGMA)
    assert without.statistic > 6.0 > 2.0 > with_tilt.statistic
    np.testing.assert_allclose(with_tilt.z[:-1], without.z[:-1])  # point kernels unchanged

    def line_source(mu, log_e):
        out = np.zeros_like(mu)
        out[25] = 5.0 * np.sqrt(mu[25])
        return out

    sums, log_e = _tilt_case(line_source)
    z0 = matched_filter(sums, line, 0.02, log_e, tilt_sigma=0.0).statistic
    z1 = matched_filter(sums, line, 0.02, log_e, tilt_sigma=TILT_SIGMA).statistic
    assert 0.95 * z0 < z1 <= z0 + 1e-9


def test_threshold_files_record_their_tilt_prior():
    """The null laws belong to the tilt prior they were calibrated with; files older than it have none."""
    from radnuc.analysis.detect.thresholds import ThresholdSet

    tset = shipped_thresholds("nai-2x4x16")
    assert tset.tilt_sigma > 0
    data = tset.to_json()
    assert ThresholdSet.from_json(data).tilt_sigma == tset.tilt_sigma
    del data["tilt_sigma"]
    assert ThresholdSet.from_json(data).tilt_sigma == 0.0
