"""Line evidence: the candidate's own lines, and what a fitted contribution shows in their windows.

Line lists come from the nuclide library (``radnuc.physics.synthesis.source_spec.resolve_source``) and are
cached: sources are immutable.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from radnuc.analysis.identify.result import LineEvidence
from radnuc.physics.synthesis.source_spec import resolve_source

if TYPE_CHECKING:
    from radnuc.analysis.identify.model import Gain, SpectrumModel


@lru_cache(maxsize=512)
def principal_lines(name: str, min_energy_kev: float):
    """The candidate's lines above ``min_energy_kev`` keV with at least 1 % yield (per decay of the parent, or of
    a material's total activity); when none reaches that (aged plutonium: its activity is mostly Pu-241 beta
    decay), its strongest line."""
    source = resolve_source(name)
    lines = source.lines(min_yield=0.01, min_energy_kev=min_energy_kev)
    if not len(lines):
        lines = source.lines(min_yield=0.0, min_energy_kev=min_energy_kev).strongest(1)
    return lines


def evidence_lines(name: str):
    """The candidate's 12 strongest principal lines above 30 keV (:func:`principal_lines`)."""
    return principal_lines(name, 30.0).strongest(12)


@lru_cache(maxsize=256)
def strongest_line_above(name: str, min_energy_kev: float) -> float | None:
    """Energy (keV) of the candidate's most intense principal line above ``min_energy_kev``, if any."""
    lines = principal_lines(name, min_energy_kev)
    if not len(lines):
        return None
    return float(lines.energy_kev[int(np.argmax(lines.intensity))])


def line_evidence(model: SpectrumModel, name: str, contribution: np.ndarray, mean: np.ndarray,
                  gain: Gain) -> tuple[LineEvidence, ...]:
    """Up to six lines of ``name`` where ``contribution`` has counts, by significance against ``mean``
    (windows of +-1 FWHM; lines closer than half a FWHM to a stronger one are one line)."""
    centers = model.true_centers(gain)
    evidence = []
    for energy in evidence_lines(name).energy_kev:
        half = float(model.detector.fwhm_kev(energy))
        window = np.abs(centers - energy) <= half
        if not window.any():
            continue
        net = float(contribution[window].sum())
        sigma = net / np.sqrt(max(float(mean[window].sum()), 1.0))
        if net > 0 and all(abs(e.energy_kev - energy) > 0.5 * half for e in evidence):
            evidence.append(LineEvidence(float(energy), net, float(sigma)))
    return tuple(sorted(evidence, key=lambda e: -e.significance)[:6])


def window(model: SpectrumModel, energy_kev: float, gain: Gain) -> np.ndarray:
    """The analysed channels within one FWHM of ``energy_kev``."""
    half = float(model.detector.fwhm_kev(energy_kev))
    return np.abs(model.true_centers(gain) - energy_kev) <= half
