"""A source placed in a scenario: what it is (nuclide or material), how much, where, behind what."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from radnuc.physics.errors import PhysicsError, UnknownMaterialError
from radnuc.physics.materials import material, material_names
from radnuc.physics.nuclides import Lines
from radnuc.physics.self_attenuation import item_element, thick_item
from radnuc.physics.shielding import Shield
from radnuc.physics.sources import Source

MIN_LINE_YIELD = 1e-4
"""Weakest line kept for a nuclide source, photons per decay of the parent: weaker lines change no spectrum
measurably."""
MIN_MATERIAL_LINE_FRACTION = 1e-6
"""Weakest line kept for a material, as a fraction of all photons it emits above 10 keV: low enough to keep
the Pa-234m 1001 / 766 keV lines of U-238 in 93 % HEU (~3e-5 and ~1e-5 of its photons) and the Pu-239
129-414 keV lines beside the Am-241 60 keV line and the L X-rays of aged plutonium (~1e-4 to 5e-4)."""


@lru_cache(maxsize=256)
def resolve_source(name: str, age_s: float | None = None) -> Source:
    """A nuclide (``Cs-137``, with daughters at the default or given age) or a named material (``HEU`` …)."""
    text = name.strip()
    if text.lower() in {m.lower() for m in material_names()}:
        return material(text) if age_s is None else material(text, age_s)
    try:
        return Source.nuclide(text, age_s)
    except UnknownMaterialError:
        raise
    except PhysicsError as exc:
        raise PhysicsError(f"unknown source {name!r}: not a nuclide nor one of {', '.join(material_names())}"
                           f" ({exc})") from None


@dataclass(frozen=True)
class SourceSpec:
    """A source of ``activity_bq`` total activity (all members of the chain or material count for a material;
    the parent's activity for a nuclide), at ``distance_cm`` from the detector face, behind ``shields``.
    ``self_attenuation_g_cm2`` > 0 makes it a thick item of its own element (metal uranium or plutonium) of
    that areal density: its lines leave the item as :func:`radnuc.physics.self_attenuation.thick_item` says,
    and ``activity_bq`` is still the activity inside."""

    name: str
    activity_bq: float
    distance_cm: float = 100.0
    shields: tuple[Shield, ...] = field(default_factory=tuple)
    age_s: float | None = None
    self_attenuation_g_cm2: float = 0.0

    def __post_init__(self) -> None:
        if not self.activity_bq >= 0:
            raise PhysicsError(f"activity must be >= 0 Bq, got {self.activity_bq}")
        if not self.distance_cm > 0:
            raise PhysicsError(f"distance must be > 0 cm, got {self.distance_cm}")
        if not (self.self_attenuation_g_cm2 >= 0 and math.isfinite(self.self_attenuation_g_cm2)):
            raise PhysicsError(f"self-attenuation must be >= 0 g/cm2, got {self.self_attenuation_g_cm2}")

    @property
    def source(self) -> Source:
        return resolve_source(self.name, self.age_s)

    def emission_lines(self) -> tuple[Lines, float]:
        """(lines per unit of the source, units of the source present): photons/s = intensity x units."""
        src = self.source
        lines = _lines(src)
        if self.self_attenuation_g_cm2 > 0:
            lines = thick_item(lines, item_element(src), self.self_attenuation_g_cm2)
        if src.unit == "Bq":
            return lines, self.activity_bq
        return lines, self.activity_bq / src.specific_activity_bq_per_g()  # grams of material


def source_lines(source: Source, min_energy_kev: float = 10.0) -> Lines:
    """The lines of ``source`` that spectra are built from (synthesis and analysis templates alike): above
    ``min_energy_kev`` keV, at least :data:`MIN_LINE_YIELD` per decay for a nuclide or
    :data:`MIN_MATERIAL_LINE_FRACTION` of the emitted photons for a material."""
    return significant_lines(source, MIN_LINE_YIELD, MIN_MATERIAL_LINE_FRACTION, min_energy_kev)


def significant_lines(source: Source, min_yield: float, min_material_fraction: float,
                      min_energy_kev: float) -> Lines:
    """Lines of ``source`` above ``min_energy_kev`` keV: at least ``min_yield`` photons per decay of the parent
    for a nuclide; for a material at least ``min_material_fraction`` of all photons it emits above that
    energy. (A material's total activity is no reference: in aged plutonium it is mostly the beta decay of
    Pu-241, which emits almost no photons, and a cut per decay of it drops every Pu-239 line; in HEU it is
    mostly U-234, and the cut drops the Pa-234m lines of U-238.)"""
    if source.unit == "Bq":
        return source.lines(min_yield=min_yield, min_energy_kev=min_energy_kev)
    lines = source.lines(min_yield=0.0, min_energy_kev=min_energy_kev)
    return lines.select(min_intensity=min_material_fraction * float(lines.intensity.sum()))


@lru_cache(maxsize=256)
def _lines(source: Source) -> Lines:
    return source_lines(source, 10.0)
