"""Confidence, alternatives and activity of each selected source.

Confidence = P(present) x P(this candidate rather than the best alternatives). P(present) is the one-sided
chi-square test of the source's profile-likelihood drop (divided by the dispersion), with the look-elsewhere
correction over the candidate names; P(identity) = 1 / (1 + sum_j exp(-dL_j / phi)) with dL_j how much worse
the alternative j explains the same counts when refitted in the source's place.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from radnuc.analysis.identify.evidence import line_evidence
from radnuc.analysis.identify.model import Gain, Selection, SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.poisson_fit import screen_additions
from radnuc.analysis.identify.result import Alternative, NuclideID
from radnuc.analysis.identify.selection import available_rows
from radnuc.physics.response import line_template
from radnuc.physics.synthesis.source_spec import resolve_source

#: Alternatives named (and weighed in the confidence) per source.
N_ALTERNATIVES = 3


def describe(model: SpectrumModel, selection: Selection, gain: Gain, options: IdentifyOptions) -> list[NuclideID]:
    """One :class:`NuclideID` per selected source, most confident first."""
    templates, background = model.components(gain)
    n_bg = background.shape[0]
    phi = selection.dispersion
    fit = model.fit(gain, selection.rows)
    weights = model.model_weights(fit, gain)
    weighted_full = model.fit(gain, selection.rows, weights=weights)
    available = available_rows(model, selection.rows)
    out = []
    for position, row in enumerate(selection.rows):
        others = [r for r in selection.rows if r != row]
        without = model.fit(gain, others, weights=weights)
        drop = max(weighted_full.loglike - without.loglike, 0.0)
        p_value = 0.5 * chi2.sf(2 * drop / phi, 1)
        p_present = 1.0 - min(1.0, p_value * model.n_names)
        alternatives = _alternatives(model, gain, others, without, drop, available, weights)
        p_identity = 1.0
        if alternatives:
            odds = [np.exp(-max(a.delta_loglike, 0.0) / phi) for a in alternatives]
            p_identity = 1.0 / (1.0 + float(np.sum(odds)))
        amplitude = float(selection.amplitudes[n_bg + position])
        contribution = amplitude * templates[row]
        name = model.library.names[row]
        out.append(NuclideID(
            name=name, confidence=float(np.clip(p_present * p_identity, 0.0, 1.0)),
            category=model.library.categories[row], net_counts=float(contribution.sum()),
            shielding=model.library.variants[row], significance=float(np.sqrt(2 * drop / phi)),
            lines=line_evidence(model, name, contribution, selection.mean, gain),
            alternatives=tuple(alternatives),
            activity_bq=activity(model, name, amplitude, options),
        ))
    return sorted(out, key=lambda n: -n.confidence)


def _alternatives(model: SpectrumModel, gain: Gain, others: list[int], without, drop: float,
                  available: np.ndarray, weights: np.ndarray) -> list[Alternative]:
    """The best other candidates for the counts a source explains: ranked by the quick screen against the
    model without the source, then judged by the profile likelihood of each in the source's place (same
    nuisances refitted), so that a near-identical candidate (Tc-99m / Mo-99, F-18 / Ga-68) lowers the
    confidence."""
    alternatives: list[Alternative] = []
    if not available.size:
        return alternatives
    templates, _ = model.components(gain)
    delta, _ = screen_additions(model.y, without.mean, templates[available], weights=weights)
    seen: set[str] = set()
    for index in np.argsort(delta)[::-1]:
        name = model.library.names[available[index]]
        if name in seen:
            continue
        seen.add(name)
        swapped = model.fit(gain, others + [int(available[index])], weights=weights)
        alternatives.append(Alternative(name, float(drop - max(swapped.loglike - without.loglike, 0.0))))
        if len(alternatives) == N_ALTERNATIVES:
            break
    return alternatives


def activity(model: SpectrumModel, name: str, amplitude: float, options: IdentifyOptions) -> float | None:
    """Activity (Bq, or Bq of the material's mass) of an on-axis point source at ``options.distance_cm``."""
    if options.distance_cm is None or not model.live_time:
        return None
    det = model.detector
    source = resolve_source(name)
    # counts per unit of source at the distance over those per photon on the face: the geometric efficiency
    # times the divergence of the beam (rays near the rim cross less crystal), counts-weighted over lines
    lines = source.lines(min_yield=1e-3, min_energy_kev=15.0)
    edges = model.library.fine_edges_kev[::8]
    face = float(np.sum(line_template(det.kind, lines.energy_kev, lines.intensity, edges)))
    at_distance = float(np.sum(line_template(det.kind, lines.energy_kev, lines.intensity, edges,
                                             options.distance_cm)))
    if face <= 0 or at_distance <= 0:
        return None
    units = amplitude * face / (model.live_time * at_distance)
    return float(units if source.unit == "Bq" else units * source.specific_activity_bq_per_g())
