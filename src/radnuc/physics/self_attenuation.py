"""Photons leaving a thick emitting item: self-attenuation and self-fluorescence (metal uranium, plutonium).

A uniform slab of the item's element with areal density rho*x (g/cm2) emits lines isotropically and is viewed
from afar along its normal. The fraction of a line that leaves the front face uncollided is

    P(E) = (1 - exp(-mu x)) / (mu x),   mu x = mu/rho(E) * rho x,

the inverse of the self-attenuation correction factor of passive NDA (Parker, "Attenuation correction
procedures", ch. 6 of Reilly, Ensslin, Smith & Kreiner, Passive Nondestructive Assay of Nuclear Materials,
NUREG/CR-5550, 1991). For a thick item (mu x >> 1) P ~ 1 / (mu x): the low-energy lines (U-235 186 keV, Am-241
60 keV) are suppressed against the high-energy ones (Pa-234m 1001 keV, Pu-239 375-414 keV) in proportion to
1/mu — a shape neither a bare source nor an external shield (exp(-mu t)) has.

Self-fluorescence: a line above the element's K edge that is absorbed in the item (fraction 1 - P(E)) is
absorbed in the K shell with probability tau_K/mu = tau (1 - 1/J) / mu and gives a K X-ray with the
fluorescence yield omega_K; the X-rays, spread over the K lines by their relative intensities (xraydb: Elam,
Ravel & Sieber 2002, the standard energies :mod:`radnuc.physics.line_corrections` maps decay data to), are
created uniformly in the item and leave with P(E_K). This gives the strong U (Pu) K X-rays of metal items at 94-115 keV.

Approximate by design: one dimension, no scattered continuum from inside the item, no X-rays excited by the
item's betas or alphas. Mass attenuation from :func:`radnuc.physics.attenuation.mass_attenuation` (XCOM-type
data through xraydb).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from radnuc.physics.attenuation import get_material, mass_attenuation
from radnuc.physics.errors import PhysicsError
from radnuc.physics.nuclides import Lines

if TYPE_CHECKING:
    from radnuc.physics.sources import Source


def escape_fraction(element: str, areal_density: float, energies_kev) -> np.ndarray:
    """P(E): fraction of the photons of energy ``energies_kev`` (keV) emitted uniformly in a slab of
    ``element`` of ``areal_density`` g/cm2 that leave its front face uncollided (1 for a vanishing slab)."""
    if not (areal_density >= 0 and np.isfinite(areal_density)):
        raise PhysicsError(f"self-attenuation areal density must be >= 0 g/cm2, got {areal_density}")
    e = np.atleast_1d(np.asarray(energies_kev, dtype=float))
    mux = mass_attenuation(element, e, "total") * areal_density
    small = mux < 1e-6
    safe = np.where(small, 1.0, mux)
    return np.where(small, 1.0 - 0.5 * mux, -np.expm1(-safe) / safe)


@functools.lru_cache(maxsize=16)
def _k_lines(element: str) -> tuple[float, float, np.ndarray, np.ndarray]:
    """(K edge keV, omega_K (1 - 1/J), K line energies keV, relative intensities summing to 1)."""
    import xraydb

    edge = xraydb.xray_edge(element, "K")
    lines = xraydb.xray_lines(element, "K")
    energies = np.array([ln.energy / 1e3 for ln in lines.values()])
    intensity = np.array([ln.intensity for ln in lines.values()], dtype=float)
    return edge.energy / 1e3, edge.fyield * (1 - 1 / edge.jump_ratio), energies, intensity / intensity.sum()


def thick_item_lines(energies_kev, yields, element: str,
                     areal_density: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lines (``energies_kev``, ``yields`` photons per unit of source) as they leave a slab of ``element``
    (``U``, ``Pu``, …) of ``areal_density`` g/cm2. Returns (the yields times :func:`escape_fraction`, the energies
    (keV) of the item's own K X-rays, their yields per unit of source: self-fluorescence)."""
    e = np.atleast_1d(np.asarray(energies_kev, dtype=float))
    y = np.atleast_1d(np.asarray(yields, dtype=float))
    if e.shape != y.shape:
        raise PhysicsError("energies and yields must have the same length")
    get_material(element)  # a clear error for an unknown element
    escape = escape_fraction(element, areal_density, e)
    edge, omega, k_energies, k_share = _k_lines(element)
    above = e > edge
    k_photons = 0.0
    if above.any():
        tau_over_mu = (mass_attenuation(element, e[above], "photoelectric")
                       / mass_attenuation(element, e[above], "total"))
        k_photons = float(np.sum(y[above] * (1.0 - escape[above]) * tau_over_mu)) * omega
    return y * escape, k_energies.copy(), k_photons * k_share * escape_fraction(element, areal_density, k_energies)


def item_element(source: Source) -> str:
    """The element a source item is made of: that of the largest mass fraction of a material, else the parent's
    (``HEU`` -> ``U``, ``WGPu`` -> ``Pu``)."""
    nuclide = max(source.initial, key=lambda item: item[1])[0]
    return nuclide.split("-")[0]


def thick_item(lines: Lines, element: str, areal_density: float) -> Lines:
    """:class:`radnuc.physics.nuclides.Lines` as they leave a slab of ``element`` of ``areal_density`` g/cm2
    (:func:`thick_item_lines`; the item's K X-rays get kind ``xray`` and the element as origin)."""
    if areal_density == 0 or not len(lines):
        return lines
    escaped, k_energies, k_yields = thick_item_lines(lines.energy_kev, lines.intensity, element, areal_density)
    n = k_energies.size
    return Lines.concat([
        Lines(lines.energy_kev, escaped, lines.kind, lines.origin),
        Lines(k_energies, k_yields, np.full(n, "xray", dtype="<U12"), np.full(n, element, dtype="<U10")),
    ])
