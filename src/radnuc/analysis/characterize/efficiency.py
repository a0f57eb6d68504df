"""Relative efficiency of a measured item: detector full-energy efficiency times attenuation.

The "intrinsic" (geometry-independent) method of MGA/MGAU/FRAM: the apparent activity of line i of isotope k,
R_i = N_i / (t y_i) (net peak counts over live time and photons per decay), equals A_k x eps(E_i) with one
relative efficiency curve eps(E) shared by all isotopes of the item. radnuc parametrises eps(E) physically:

    eps(E) = eps_det(E) x exp(-mu_Fe(E) x_Fe) x (1 - exp(-mu_m(E) x_m)) / (mu_m(E) x_m)

- eps_det(E): full-energy efficiency per photon on the detector face, from the detector response model
  (:meth:`radnuc.physics.response.ResponseModel.full_energy_efficiency`) — the geometry (solid angle) is a
  common factor of all lines and cancels in the ratio of isotopes;
- exp(-mu_Fe x_Fe): an external absorber, x_Fe >= 0 in g/cm2 of iron (container, steel) by default, or of
  another element (``absorber``: e.g. the cadmium filter of plutonium measurements, whose energy dependence
  iron cannot mimic);
- the slab self-attenuation factor of the item's own material (uranium or plutonium, x_m >= 0 in g/cm2,
  mass attenuation from xraydb): the line-ratio signature of self-absorption (strong above the 115.6 keV
  U K-edge, weaker just below it).

Attenuation coefficients: :func:`radnuc.physics.attenuation.mass_attenuation` (xraydb/Elam below 800 keV,
Klein-Nishina above; see docs/physics-response.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from radnuc.analysis.characterize.errors import CharacterizeError
from radnuc.physics.attenuation import mass_attenuation
from radnuc.physics.response import get_model

__all__ = ["LinePoint", "RelativeEfficiencyFit", "fit_relative_efficiency", "self_attenuation"]


def self_attenuation(mu_x: np.ndarray) -> np.ndarray:
    """Slab self-attenuation factor (1 - exp(-z))/z, 1 at z = 0."""
    z = np.asarray(mu_x, float)
    small = z < 1e-6
    return np.where(small, 1.0 - z / 2, -np.expm1(-np.where(small, 1.0, z)) / np.where(small, 1.0, z))


@dataclass(frozen=True)
class LinePoint:
    """One peak used in the fit: isotope group index (0 or 1), energy (keV), yield (per decay), area, sigma."""

    group: int
    energy_kev: float
    yield_per_decay: float
    area: float
    sigma: float
    label: str = ""


@dataclass(frozen=True)
class RelativeEfficiencyFit:
    """Fitted activity ratio A_1/A_0 (group 1 over group 0) with uncertainty and the efficiency parameters."""

    ratio: float
    ratio_sigma: float
    amplitude0: float
    absorber_g_cm2: float
    self_g_cm2: float
    reduced_chi2: float
    n_lines: int
    residuals: tuple[float, ...]
    absorber: str = "Fe"


class _Curve:
    def __init__(self, detector: str, energies: np.ndarray, self_material: str, absorber: str = "Fe"):
        edges = np.array([1.0, max(float(energies.max()) * 1.5, 100.0)])
        self.eps = np.asarray(get_model(detector, edges).full_energy_efficiency(energies), float)
        self.mu_abs = np.asarray(mass_attenuation(absorber, energies, "total"), float)
        self.mu_m = np.asarray(mass_attenuation(self_material, energies, "total"), float)

    def __call__(self, x_fe: float, x_m: float) -> np.ndarray:
        return self.eps * np.exp(-self.mu_abs * x_fe) * self_attenuation(self.mu_m * x_m)


def fit_relative_efficiency(points: Sequence[LinePoint], detector: str, self_material: str = "U",
                            max_absorber_g_cm2: float = 40.0, max_self_g_cm2: float = 60.0,
                            fix_attenuation: tuple[float, float] | None = None,
                            absorber: str = "Fe") -> RelativeEfficiencyFit:
    """Weighted least squares of R_i = A_g(i) eps(E_i) over (A_0, A_1/A_0, x_Fe, x_m) (see the module
    docstring); areas are per unit live time already divided out or not — only ratios matter.

    The covariance is the Gauss-Newton one, scaled by the reduced chi-square when it exceeds 1 (line data
    scattering more than their Poisson errors: model or interference systematics)."""
    pts = [p for p in points if p.sigma > 0 and p.yield_per_decay > 0]
    if not any(p.group == 0 for p in pts) or not any(p.group == 1 for p in pts):
        raise CharacterizeError("relative efficiency needs lines of both isotopes")
    e = np.array([p.energy_kev for p in pts])
    r = np.array([p.area / p.yield_per_decay for p in pts])
    s = np.array([p.sigma / p.yield_per_decay for p in pts])
    g = np.array([p.group for p in pts])
    curve = _Curve(detector, e, self_material, absorber)

    def model(params):
        a0, f, x_fe, x_m = params
        amp = np.where(g == 0, a0, a0 * f)
        return amp * curve(x_fe, x_m)

    # starting point: amplitudes from the unattenuated curve
    eps0 = curve(0.0, 0.0)
    w = 1 / s**2
    a0 = float(np.sum(w[g == 0] * r[g == 0] * eps0[g == 0]) / np.sum(w[g == 0] * eps0[g == 0] ** 2))
    a1 = float(np.sum(w[g == 1] * r[g == 1] * eps0[g == 1]) / np.sum(w[g == 1] * eps0[g == 1] ** 2))
    a0 = max(a0, 1e-30)
    f0 = max(a1 / a0, 0.0)
    scale = a0

    if fix_attenuation is not None:
        xf, xm = fix_attenuation

        def resid(p):
            return (model([p[0] * scale, p[1], xf, xm]) - r) / s

        lo, hi, x0 = [0.0, 0.0], [np.inf, np.inf], [1.0, f0]
    else:
        def resid(p):
            return (model([p[0] * scale, p[1], p[2], p[3]]) - r) / s

        lo, hi = [0.0, 0.0, 0.0, 0.0], [np.inf, np.inf, max_absorber_g_cm2, max_self_g_cm2]
        x0 = [1.0, f0, 0.0, 0.0]
    best = None
    starts = [x0]
    if fix_attenuation is None:  # attenuated starts: the problem is not convex in the attenuations
        for xs in (0.5, 3.0, 20.0):
            starts.append([3.0, f0, 0.0, xs])
        starts.append([2.0, f0, 5.0, 0.0])
    for start in starts:
        try:
            sol = least_squares(resid, np.clip(start, lo, [h if np.isfinite(h) else 1e300 for h in hi]),
                                bounds=(lo, hi), x_scale="jac", method="trf")
        except ValueError:
            continue
        if best is None or sol.cost < best.cost:
            best = sol
    if best is None:
        raise CharacterizeError("relative-efficiency fit failed")
    n_par = best.x.size
    dof = max(len(pts) - n_par, 1)
    chi2 = 2 * best.cost
    jac = best.jac
    try:
        cov = np.linalg.pinv(jac.T @ jac)
    except np.linalg.LinAlgError as exc:  # pragma: no cover - pinv does not raise on rank deficiency
        raise CharacterizeError("relative-efficiency fit is singular") from exc
    red = chi2 / dof
    cov = cov * max(1.0, red)
    ratio = float(best.x[1])
    ratio_sigma = float(np.sqrt(max(cov[1, 1], 0.0)))
    xf, xm = (fix_attenuation if fix_attenuation is not None else (float(best.x[2]), float(best.x[3])))
    return RelativeEfficiencyFit(ratio, ratio_sigma, float(best.x[0] * scale), float(xf), float(xm), red,
                                 len(pts), tuple(float(v) for v in best.fun), absorber)
