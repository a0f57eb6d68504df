"""How often each candidate is met at a border crossing: the prior that breaks ties the spectrum cannot.

Some candidates explain nearly the same counts: aged plutonium without self-absorption is Am-241 60 keV with
lines ~1e-3 as strong; Ga-68 is F-18 with a 3 % line at 1077 keV; LEU and HEU differ by the U-238 lines. When
the likelihood cannot tell them apart, naming the rare one turns a smoke-detector source into weapons plutonium.
The engine therefore ranks candidates by log-likelihood + log prior, so a rare candidate must explain the data
better by ``-log prior`` (its own lines must stand out) to be preferred; the significance test of a source is
the likelihood ratio alone and is not changed.

The tiers are orders of magnitude, not measured frequencies. They follow what portal and handheld operators
meet (IAEA Nuclear Security Series No. 21, 2013, and Kouzes et al., Nucl. Instrum. Meth. A 587 (2008) 89:
alarms are mostly NORM cargo and nuclear-medicine patients; the industrial sources met are mostly Cs-137,
Co-60, Am-241, Ir-192 and check sources; nuclear material is rare):

* 1: NORM, the common medical nuclides (Tc-99m, F-18, I-131, Tl-201, I-123, Ga-67, In-111, Lu-177) and the
  common industrial and check sources (Cs-137, Co-60, Am-241, Ir-192, Ba-133, Co-57, Eu-152, Na-22);
* 0.1: the other industrial and medical candidates, and depleted and natural uranium items (glazes, uranium
  glass, ores: NU must explain the counts better than LEU by ln 10, because calling enriched uranium natural
  misses a threat; at a prior of 1, LEU of 3,000 counts on a pocket CsI without a background read as NU in 2 of
  8 draws);
* 0.01: nuclear material (HEU, LEU, plutonium, U-233, Np-237).
"""

from __future__ import annotations

import math

COMMON = frozenset({
    "K-40", "Ra-226", "Th-232", "U-238",
    "Tc-99m", "F-18", "I-131", "Tl-201", "I-123", "Ga-67", "In-111", "Lu-177",
    "Cs-137", "Co-60", "Am-241", "Ir-192", "Ba-133", "Co-57", "Eu-152", "Na-22",
})
NUCLEAR_MATERIAL = frozenset({"HEU", "LEU", "WGPu", "RGPu", "U-233", "Np-237"})
PRIOR_COMMON, PRIOR_OTHER, PRIOR_NUCLEAR_MATERIAL = 1.0, 0.1, 0.01


def prior(name: str) -> float:
    """Relative prior frequency of candidate ``name`` (1, 0.1 or 0.01; see the module docstring)."""
    if name in COMMON:
        return PRIOR_COMMON
    if name in NUCLEAR_MATERIAL:
        return PRIOR_NUCLEAR_MATERIAL
    return PRIOR_OTHER


def log_prior(name: str) -> float:
    """Natural log of :func:`prior`."""
    return math.log(prior(name))
