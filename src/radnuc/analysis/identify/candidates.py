"""The sources radnuc identification looks for, and the shielding variants of each template.

The list covers the ANSI N42.34 radionuclide categories (SNM, industrial, medical, NORM) plus the nuclear
materials of DESIGN.md; each candidate is a nuclide with its daughters at the library's default age
(``radnuc.physics.sources.default_age_s``: e.g. Cs-137 with Ba-137m, Ra-226 with radon progeny,
Th-232 at 20 years, U-238 with Th-234 and Pa-234m) or a material (HEU, WGPu, natural uranium NU, …). Nuclides whose only
photons are below ~25 keV or extremely weak (Sr-89, Pd-103, Tl-204, H-3, Ni-63, Pm-147) cannot be
identified by gamma spectrometry and are not candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

from radnuc.physics.categories import category
from radnuc.physics.shielding import Shield

SNM = ("HEU", "LEU", "WGPu", "RGPu", "U-233", "Np-237")
INDUSTRIAL = ("Co-57", "Co-60", "Ba-133", "Cs-137", "Ir-192", "Am-241", "Na-22", "Mn-54", "Eu-152", "Cd-109",
              "Cs-134", "Eu-154", "Yb-169", "Se-75")
MEDICAL = ("F-18", "Ga-67", "Cr-51", "Mo-99", "Tc-99m", "In-111", "I-123", "I-125", "I-131", "Sm-153", "Tl-201",
           "Xe-133", "Lu-177", "Ga-68")
NORM = ("K-40", "Ra-226", "Th-232", "U-238", "NU", "DU")
ALL_CANDIDATES = SNM + INDUSTRIAL + MEDICAL + NORM

_MATERIAL_CATEGORY = {"HEU": "SNM", "LEU": "SNM", "WGPu": "SNM", "RGPu": "SNM", "NU": "NORM",
                     "DU": "NORM"}


#: Materials also sought as thick metal items (self-attenuated, with their own K X-rays).
METAL_ITEMS = ("HEU", "LEU", "WGPu", "RGPu", "DU")
#: Areal density of the metal-item variant, g/cm2 (~1 cm of uranium or plutonium metal): thick enough that the
#: escaping fraction follows 1/mu up to ~400 keV; the amplitude absorbs the size of the item.
METAL_ITEM_G_CM2 = 20.0


@dataclass(frozen=True)
class ShieldingVariant:
    """A shielding configuration templates are built for (label used in reports): external ``shields`` and, for
    a thick item, the areal density (g/cm2) of the item itself (:mod:`radnuc.physics.self_attenuation`)."""

    label: str
    shields: tuple[Shield, ...]
    self_attenuation_g_cm2: float = 0.0


def shielding_variants() -> tuple[ShieldingVariant, ...]:
    """Bare, moderately shielded by steel (2 cm, ~16 g/cm2), and lead-shielded (1 cm, ~11 g/cm2).

    Steel (low Z) attenuates evenly; lead (high Z) removes low-energy lines first. Between them they span
    the shapes of shielded sources well enough for identification; the amplitudes absorb the thickness.
    """
    return (
        ShieldingVariant("bare", ()),
        ShieldingVariant("steel 2 cm", (Shield("Fe", thickness_cm=2.0),)),
        ShieldingVariant("lead 1 cm", (Shield("Pb", thickness_cm=1.0),)),
    )


def candidate_category(name: str) -> str:
    """ANSI N42.34 category of a candidate (materials included)."""
    return _MATERIAL_CATEGORY.get(name) or category(name)


def variants_for(name: str) -> tuple[ShieldingVariant, ...]:
    """The variants of candidate ``name``: :func:`shielding_variants`, plus a thick metal item for the nuclear
    materials of :data:`METAL_ITEMS` (metal HEU or plutonium suppresses its low-energy lines in proportion to
    1/mu and shows its own K X-rays: a shape no external shield gives)."""
    variants = shielding_variants()
    if name in METAL_ITEMS:
        variants += (ShieldingVariant("metal item", (), METAL_ITEM_G_CM2),)
    return variants
