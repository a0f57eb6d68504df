"""Natural gamma background: K-40, U-238 and Th-232 series in the ground, terrestrial scatter, cosmic continuum.

Model (approximate, adjustable per site):

* unscattered fluence rate of each line at height h over an infinite half-space of soil with activity
  concentration C (Bq/kg): phi = C/1000 * y / (2 (mu/rho)_soil) * E2(mu_air h) photons/cm2/s
  (Beck, DeCampo & Gogolak 1972, HASL-258), line data from data/background_lines.csv (NNDC/ICRP-107);
* the detector in this (roughly isotropic) field presents its mean projected area S/4 (Cauchy);
* scattered terrestrial photons: ``scatter_ratio`` x unscattered, spread as dE/E between 30 keV and the
  line energy, rolled off below ~60 keV by self-absorption; a continuous spectrum folded with the detector
  response (:meth:`ResponseModel.continuous_response`), so it is smooth at any resolution (HPGe included);
* cosmic continuum: ``cosmic`` x 2e-6 x V (E/1 MeV)^-1.3 counts/s/keV (sea level, mid-latitude order of
  magnitude for NaI).
Defaults are the UNSCEAR 2000 world medians: K-40 400, U-238 35, Th-232 30 Bq/kg.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy.special import expn

from radnuc.physics.attenuation import linear_attenuation, mass_attenuation
from radnuc.physics.detectors import DetectorModel, get_detector
from radnuc.physics.errors import PhysicsError
from radnuc.physics.response import get_model

SCATTER_LOW_KEV = 30.0  # lower end of the terrestrial scatter continuum
SCATTER_ROLLOFF_KEV = 60.0  # e-fold of the low-energy roll-off (self-absorption in soil)


@dataclass(frozen=True)
class BackgroundLine:
    series: str
    nuclide: str
    energy_kev: float
    yield_per_decay: float


@dataclass(frozen=True)
class SiteBackground:
    """Site parameters: soil activity concentrations (Bq/kg), detector height (m), relative cosmic intensity
    (1 = sea level, mid latitude; ~2 at 1500 m), scattered/unscattered terrestrial photon ratio."""

    k40_bq_kg: float = 400.0
    u238_bq_kg: float = 35.0
    th232_bq_kg: float = 30.0
    height_m: float = 1.0
    cosmic: float = 1.0
    scatter_ratio: float = 1.5

    def __post_init__(self):
        for name in ("k40_bq_kg", "u238_bq_kg", "th232_bq_kg", "height_m", "cosmic", "scatter_ratio"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise PhysicsError(f"background parameter {name} must be >= 0, got {v}")

    def concentration(self, series: str) -> float:
        return {"K40": self.k40_bq_kg, "U238": self.u238_bq_kg, "Th232": self.th232_bq_kg}[series]


@functools.cache
def background_lines() -> tuple[BackgroundLine, ...]:
    """The bundled strong natural-background lines (data/background_lines.csv)."""
    text = resources.files("radnuc.physics").joinpath("data/background_lines.csv").read_text()
    rows = csv.DictReader(ln for ln in text.splitlines() if ln and not ln.startswith("#"))
    return tuple(BackgroundLine(r["series"], r["nuclide"], float(r["energy_kev"]), float(r["yield"])) for r in rows)


def line_fluence_rates(site: SiteBackground = SiteBackground()) -> tuple[np.ndarray, np.ndarray]:
    """(energies keV, unscattered fluence rate photons/cm2/s) of the background lines at the site."""
    lines = background_lines()
    e = np.array([ln.energy_kev for ln in lines])
    y = np.array([ln.yield_per_decay for ln in lines])
    c = np.array([site.concentration(ln.series) for ln in lines])
    mu_air_h = linear_attenuation("air", e) * site.height_m * 100.0
    phi = c / 1000.0 * y / (2 * mass_attenuation("soil", e)) * expn(2, np.maximum(mu_air_h, 1e-9))
    return e, phi


def scatter_density(site: SiteBackground = SiteBackground(), low_kev: float = SCATTER_LOW_KEV,
                    points: int = 3000) -> tuple[np.ndarray, np.ndarray]:
    """(energies keV, fluence rate density photons/cm2/s/keV) of the terrestrial photons scattered in soil and
    air: each line adds ``scatter_ratio`` times its unscattered fluence rate, spread as dE/E from ``low_kev`` up
    to the line energy and rolled off below ~60 keV by self-absorption. A continuum: the energies include each
    line energy and a point just below it, so the density steps down at the line instead of being smeared."""
    e_lines, phi = line_fluence_rates(site)
    e_lines, phi = e_lines[e_lines > low_kev], phi[e_lines > low_kev]
    if e_lines.size == 0:
        return np.array([low_kev, 2 * low_kev]), np.zeros(2)
    grid = np.geomspace(low_kev, e_lines.max(), points)
    grid = np.unique(np.concatenate([grid, e_lines, e_lines * (1 - 1e-7)]))
    shape = (1 - np.exp(-((grid / SCATTER_ROLLOFF_KEV) ** 2))) / grid
    # normalisation of each line's share: integral of the shape from low_kev to the line energy (trapezoid)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (shape[1:] + shape[:-1]) * np.diff(grid))])
    totals = np.interp(e_lines * (1 - 1e-7), grid, cum)
    below = grid[:, None] < e_lines[None, :] * (1 - 5e-8)
    density = shape * (below @ (site.scatter_ratio * phi / totals))
    return grid, density


def background_spectrum(detector: DetectorModel | str, edges_kev, site: SiteBackground = SiteBackground(),
                        components: bool = False, photon_weight: Callable[[np.ndarray], np.ndarray] | None = None):
    """Expected background counts per channel per second for ``detector`` with channel ``edges_kev``.

    With ``components=True`` returns a dict {"K40", "U238", "Th232", "scatter", "cosmic", "total"}.
    ``photon_weight(E)`` (0-1, E in keV) multiplies the terrestrial photons reaching the detector by their
    incident energy (e.g. the share an absorber in their way removes, 1 - T(E)); the cosmic continuum is
    then left out (it comes from above, not through the absorber)."""
    det = get_detector(detector)
    model = get_model(det, edges_kev)
    area = det.surface_cm2 / 4.0
    e, phi = line_fluence_rates(site)
    e_scatter, density = scatter_density(site)
    if photon_weight is not None:
        phi = phi * photon_weight(e)
        density = density * photon_weight(e_scatter)
    series = np.array([ln.series for ln in background_lines()])
    resp = model.line_responses(e)  # per photon on the face
    out = {}
    for s in ("K40", "U238", "Th232"):
        sel = series == s
        out[s] = resp[:, sel] @ (phi[sel] * area)
    out["scatter"] = model.continuous_response(e_scatter, density * area)
    cen = model.centers
    width = np.diff(model.edges)
    cosmic_share = 0.0 if photon_weight is not None else 1.0
    out["cosmic"] = (cosmic_share * site.cosmic * 2e-6 * det.volume_cm3 * (np.maximum(cen, 1.0) / 1000.0) ** -1.3
                     * width * model._thr)
    out["total"] = sum(out[k] for k in ("K40", "U238", "Th232", "scatter", "cosmic"))
    return out if components else out["total"]
