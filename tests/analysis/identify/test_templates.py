"""Template rebinning by interpolated cumulative sums."""

import numpy as np

from radnuc.analysis.identify.templates import _interpolation, _rebin_at, _rebin_cumulative


def test_rebinning_equals_the_interpolated_cumulative_sums_and_keeps_the_counts():
    rng = np.random.default_rng(1)
    fine = np.arange(15.0, 3200.0, 2.0)
    rows = rng.uniform(0.0, 1.0, (5, fine.size - 1))
    cumulative = np.concatenate([np.zeros((5, 1)), np.cumsum(rows, axis=1)], axis=1)
    edges = np.linspace(40.0, 2900.0, 700) * 1.013 - 2.5
    rebinned = _rebin_cumulative(cumulative, fine, edges)
    expected = np.diff(np.array([np.interp(edges, fine, c) for c in cumulative]), axis=1)
    assert np.allclose(rebinned, expected, rtol=1e-12, atol=1e-9)
    within = [np.interp(edges[-1], fine, c) - np.interp(edges[0], fine, c) for c in cumulative]
    assert np.allclose(rebinned.sum(axis=1), within, rtol=1e-12)
    lower, weight = _interpolation(fine, edges)
    assert np.array_equal(_rebin_at(cumulative[[1, 3]], lower, weight), rebinned[[1, 3]])
