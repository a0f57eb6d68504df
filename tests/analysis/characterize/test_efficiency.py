"""Relative-efficiency fit (MGA/FRAM-style intrinsic efficiency) on exact line areas."""

import numpy as np
import pytest

from radnuc.analysis.characterize.efficiency import LinePoint, _Curve, fit_relative_efficiency

# Pu-239 lines (group 0) and Pu-241 via U-237 (group 1): energies (keV), photons per decay (ICRP-107)
LINES = ((0, 129.30, 6.31e-5), (0, 203.55, 5.69e-6), (0, 345.01, 6.06e-6), (0, 413.71, 1.466e-5),
         (1, 164.61, 4.56e-7), (1, 208.00, 5.20e-6))


def _points(absorber: str, g_cm2: float, ratio: float) -> list[LinePoint]:
    energies = np.array([e for _g, e, _y in LINES])
    eps = _Curve("hpge-40pct", energies, "Pu", absorber)(g_cm2, 0.0)
    pts = []
    for (group, e, y), eff in zip(LINES, eps, strict=True):
        area = 1e6 * (ratio if group else 1.0) * y * eff / 1e-5
        pts.append(LinePoint(group, e, y, area, 0.003 * area))
    return pts


def test_cadmium_filter_is_not_iron():
    """1.5 mm of Cd (1.3 g/cm2): an iron absorber cannot take its energy dependence (it fits worse and reads the
    activity ratio wrong); the fit with a Cd absorber returns the truth."""
    pts = _points("Cd", 1.3, 40.0)
    iron = fit_relative_efficiency(pts, "hpge-40pct", "Pu", absorber="Fe")
    cadmium = fit_relative_efficiency(pts, "hpge-40pct", "Pu", absorber="Cd")
    assert cadmium.reduced_chi2 < 0.1 * iron.reduced_chi2
    assert cadmium.ratio == pytest.approx(40.0, rel=1e-3)
    assert cadmium.absorber == "Cd" and cadmium.absorber_g_cm2 == pytest.approx(1.3, rel=1e-2)
    assert abs(iron.ratio / 40.0 - 1) > 0.02  # 3.5 % high
