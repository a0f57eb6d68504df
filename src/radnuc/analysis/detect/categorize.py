"""Alarm categories (ANSI N42.34: SNM, industrial, medical, NORM; plus neutron, unknown) from the energy windows.

The excess counts over the lane background (in the 32 category windows) of one point kernel — chosen by the
engine as the one standing out above the whole-occupancy excess (:func:`.matched_filter.point_over_distributed`)
— and of the whole occupancy are decomposed into the template bank by non-negative least squares (weights 1/V,
V including the observed counts, i.e. a source's own Poisson noise; background level free in both signs as a
nuisance). A category is supported when removing all of its templates worsens the fit by Delta chi2 >= z^2:
z >= 4 for SNM (kept strict so that NORM and medical cargo are not called SNM) and z >= 3 for the others. A
template mismatch of ``SYSTEMATIC`` (relative, per window) of the fitted source counts is added to the
variance so that a strong source that does not look exactly like its template does not create phantom
components. SNM in the presence of NORM (masking) is found because NORM templates cannot explain the
186 keV / 375-414 keV excess of the point kernel.

When no category passes the removal test, the categories are substitutes for one another (a bare plutonium
source shows only the 59.5 keV line of its Am-241, which the Am-241 template explains as well as the WGPu one).
Then each category is also fitted *alone*: if the excess of the kernel is clear (>= ``Z_SNM`` against no source)
and SNM templates alone explain it (misfit < ``Z_OTHER`` sigma against the full fit) while neither NORM nor
medical templates alone do, the alarm is categorised SNM ('SNM cannot be excluded'): the benign explanations an
officer would release on are ruled out, and the explanation names the industrial alternative (Am-241) too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import nnls

from radnuc.analysis.detect.kernels import KernelSums
from radnuc.analysis.detect.templates import TemplateBank
from radnuc.physics.categories import most_severe

Z_SNM = 4.0
Z_OTHER = 3.0
Z_HINT = 2.0
SYSTEMATIC = 0.05


@dataclass(frozen=True)
class Component:
    """A template the excess needs: ``name`` (nuclide or material), ``template`` (with shielding),
    ``category``, ``significance`` (sigma), ``counts`` fitted net counts in the kernel."""

    name: str
    template: str
    category: str
    significance: float
    counts: float


@dataclass(frozen=True)
class Categorisation:
    """``category`` for the gamma part, ``by_category`` sigma of each category, ``components`` supported
    templates, ``explanation`` a sentence for the officer."""

    category: str
    by_category: dict[str, float]
    components: tuple[Component, ...]
    explanation: str


def _fit(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    x, rnorm = nnls(a, y, maxiter=50 * a.shape[1])
    return x, rnorm**2


def decompose(residual: np.ndarray, var: np.ndarray, mu: np.ndarray, bank: TemplateBank,
              alone: dict | None = None) -> tuple[dict, list]:
    """Category sigmas and template sigmas for one kernel's excess. ``alone`` (filled when given): per category
    the misfit (sigma) of its templates alone against the full fit, and under ``""`` the significance of any
    source at all (no template against the full fit)."""
    s = bank.shapes
    cols = np.vstack([s, mu / mu.sum(), -mu / mu.sum()]).T  # [W, J+2]
    sd = np.sqrt(np.maximum(var, 1e-12))
    x, _ = _fit(cols / sd[:, None], residual / sd)
    model = s.T @ x[: s.shape[0]]
    sd = np.sqrt(np.maximum(var + (SYSTEMATIC * model) ** 2, 1e-12))
    a, y = cols / sd[:, None], residual / sd
    x, chi_full = _fit(a, y)
    n_t = s.shape[0]
    by_cat: dict[str, float] = {}
    for cat in sorted(set(bank.categories)):
        keep = np.array([c != cat for c in bank.categories] + [True, True])
        _, chi = _fit(a[:, keep], y)
        by_cat[cat] = float(np.sqrt(max(chi - chi_full, 0.0)))
        if alone is not None:
            only = np.array([c == cat for c in bank.categories] + [True, True])
            _, chi = _fit(a[:, only], y)
            alone[cat] = float(np.sqrt(max(chi - chi_full, 0.0)))
    if alone is not None:
        _, chi = _fit(a[:, n_t:], y)
        alone[""] = float(np.sqrt(max(chi - chi_full, 0.0)))
    comps = []
    for j in np.nonzero(x[:n_t] > 0)[0]:
        keep = np.ones(n_t + 2, bool)
        keep[j] = False
        _, chi = _fit(a[:, keep], y)
        comps.append((int(j), float(np.sqrt(max(chi - chi_full, 0.0))), float(x[j])))
    return by_cat, comps


def categorise(sums: KernelSums, point_kernel: int, bank: TemplateBank, spectroscopic: bool,
               pvt_norm_like: bool = False, aggregate: np.ndarray | None = None) -> Categorisation:
    """Category of a gamma alarm from the best point kernel and the whole-occupancy kernel. ``bank`` is in the
    category windows; ``aggregate`` (detection windows x category windows) sums the kernel sums into them."""
    if not spectroscopic or bank.shapes.size == 0:
        cat = "NORM" if pvt_norm_like else "unknown"
        why = ("excess with the low/high energy-window ratio of NORM" if pvt_norm_like
               else "gross-count portal: the energy windows cannot tell the source")
        return Categorisation(cat, {}, (), why)
    by_cat: dict[str, float] = {}
    comps: dict[str, Component] = {}
    substitutes: list[str] = []
    for k in {point_kernel, sums.residual.shape[0] - 1}:
        r, v, mu = sums.residual[k], sums.var[k], sums.mu[k]
        if aggregate is not None:
            r, v, mu = r @ aggregate, v @ aggregate, mu @ aggregate
        alone: dict[str, float] = {}
        cats, parts = decompose(r, v, mu, bank, alone)
        if _snm_not_excluded(alone):
            substitutes = sorted(c for c, z in alone.items() if c and z < Z_OTHER)
        for c, z in cats.items():
            by_cat[c] = max(by_cat.get(c, 0.0), z)
        for j, z, counts in parts:
            name = bank.nuclides[j]
            if name not in comps or comps[name].significance < z:
                comps[name] = Component(name, bank.names[j], bank.categories[j], z, counts)
    supported = [c for c, z in by_cat.items() if z >= (Z_SNM if c == "SNM" else Z_OTHER)]
    if supported:
        category = most_severe(supported)
    elif substitutes:
        category = "SNM"
    else:
        hints = [(z, c) for c, z in by_cat.items() if c != "SNM" and z >= Z_HINT]
        category = max(hints)[1] if hints else "unknown"
    keep = [c for c in comps.values() if c.significance >= (Z_SNM if c.category == "SNM" else Z_OTHER)
            or (c.category == category and c.significance >= Z_HINT)]
    keep.sort(key=lambda c: -c.significance)
    explained = ", ".join(f"{c.template} ({c.significance:.1f} sigma)" for c in keep) or "no template stands out"
    why = f"window decomposition: {explained}; category sigmas " + ", ".join(
        f"{c} {z:.1f}" for c, z in sorted(by_cat.items(), key=lambda t: -t[1]))
    if category == "SNM" and not supported:
        why = (f"SNM cannot be excluded: the excess is explained by {' or '.join(substitutes)} templates alone "
               "(e.g. the 59.5 keV line of Am-241, as in plutonium), not by NORM or medical ones; " + why)
    return Categorisation(category, by_cat, tuple(keep), why)


def _snm_not_excluded(alone: dict[str, float]) -> bool:
    """A clear excess that SNM templates explain alone, and that NORM and medical templates alone explain worse
    than the SNM ones by at least ``Z_OTHER`` sigma. (Judged against the full fit alone, a benign category with
    few templates failed by chance against the 20-odd free templates of the full fit, and once the plutonium
    template carried its 375/414 keV lines it 'alone' fitted I-131 patients: 2-5 % of them were called SNM.)"""
    snm = alone.get("SNM")
    if snm is None or alone.get("", 0.0) < Z_SNM or snm >= Z_OTHER:
        return False
    return all(alone.get(c, np.inf) ** 2 - snm**2 >= Z_OTHER**2 for c in ("NORM", "medical"))
