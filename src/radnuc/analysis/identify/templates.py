"""Template library: the detector's expected spectrum of every candidate, on a fine energy grid.

Templates are computed once per detector on a grid finer than the resolution (a fifth of the FWHM at
60 keV) with ``radnuc.physics.response.line_template`` (counts per photon on the detector face), then
rebinned to any spectrum's channels and gain by interpolating their cumulative sums — so one library
serves every calibration, channel count and gain drift. An optional cache directory keeps the computed
library between runs (one ``.npz`` per detector and library version).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from radnuc.analysis.identify.candidates import ALL_CANDIDATES, candidate_category, variants_for
from radnuc.physics.attenuation import ME_C2_KEV
from radnuc.physics.background import SiteBackground, background_spectrum
from radnuc.physics.detectors import get_detector
from radnuc.physics.response import line_template
from radnuc.physics.self_attenuation import item_element, thick_item
from radnuc.physics.synthesis.source_spec import (
    MIN_LINE_YIELD,
    MIN_MATERIAL_LINE_FRACTION,
    resolve_source,
    significant_lines,
)

log = logging.getLogger(__name__)

#: 9: the natural U-235 series in the ground's uranium series; 8: lines down to 1e-4 per decay; 6: material
#: lines relative to emitted photons; metal items; 511 keV background line
LIBRARY_VERSION = "9"
# Templates keep the lines the synthesizer keeps (source_spec.MIN_LINE_YIELD, 1e-4 per decay, and
# MIN_MATERIAL_LINE_FRACTION, 1e-6 of a material's photons). At 1e-3 per decay (until 2026-12-08) the U-238
# template lacked the 49.6 keV U-238 line, the Pa K X-rays and the Pa-234m 131 and 258 keV lines (2e-4 to 8e-4 per
# decay): a 300,000-count U-238 source on HPGe left five unknown regions (17-49 sigma) at reduced chi-square 7.9.
LOW_EDGE_KEV = 15.0
HIGH_EDGE_KEV = 3200.0
BACKGROUND_COMPONENTS = ("K40", "U238", "Th232", "scatter", "cosmic", "annihilation")
"""Free components of the built-in background (used without a measured background): the natural-background
model's series, scatter and cosmic continuum, and the 511 keV annihilation line of cosmic-ray pair production
in the surroundings, which every real background shows with a site- and shielding-dependent strength (the
real HPGe portal background of tests/data/portal: 0.4 % of its counts; without the component it read as
Ga-68 or F-18)."""


@dataclass(frozen=True, eq=False)
class TemplateLibrary:
    """Fine-grid templates of one detector: ``templates[k]`` is candidate ``names[k]`` behind
    ``variants[k]``, in counts per fine bin per unit of source (per Bq of parent, or per gram of a
    material) for photons on the face; ``background[j]`` are natural-background components."""

    detector: str
    fine_edges_kev: np.ndarray
    names: tuple[str, ...]
    variants: tuple[str, ...]
    categories: tuple[str, ...]
    templates: np.ndarray  # [K, n_fine]
    background: np.ndarray  # [J, n_fine]

    def rebinned(self, edges_kev: np.ndarray, gain: float = 0.0, offset_kev: float = 0.0,
                 rows: np.ndarray | None = None, background: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
        """(templates [K, n], background components [J, n]) on channel ``edges_kev`` for a detector whose
        stated calibration is off: channel i really covers (edges[i] - offset) / (1 + gain) keV.
        ``rows`` selects some templates only (all by default); ``background=False`` skips the background
        components (None in their place)."""
        true_edges = (np.asarray(edges_kev, dtype=float) - offset_kev) / (1.0 + gain)
        cumulative = self._cumulative if rows is None else self._cumulative[rows]
        lower, weight = _interpolation(self.fine_edges_kev, true_edges)
        return (_rebin_at(cumulative, lower, weight),
                _rebin_at(self._background_cumulative, lower, weight) if background else None)

    @cached_property
    def _cumulative(self) -> np.ndarray:
        return _cumulate(self.templates)

    @cached_property
    def _background_cumulative(self) -> np.ndarray:
        return _cumulate(self.background)

    def shapes_normalised(self) -> np.ndarray:
        """Each template divided by its total (unit-area shapes)."""
        totals = self.templates.sum(axis=1, keepdims=True)
        return self.templates / np.where(totals > 0, totals, 1.0)


def fine_grid(detector: str) -> np.ndarray:
    """Fine-grid edges (keV) for a detector: bins of a fifth of its FWHM at 60 keV (at least 0.2 keV)."""
    det = get_detector(detector)
    step = max(float(det.fwhm_kev(60.0)) / 5.0, 0.2)
    return np.arange(LOW_EDGE_KEV, HIGH_EDGE_KEV + step, step)


def build_library(detector: str, cache_dir: Path | None = None) -> TemplateLibrary:
    """The template library of ``detector`` (from ``cache_dir`` when present there, else computed)."""
    return _build(get_detector(detector).kind, str(cache_dir) if cache_dir else "")


@lru_cache(maxsize=16)
def _build(detector: str, cache_dir: str) -> TemplateLibrary:
    edges = fine_grid(detector)
    variants = {name: variants_for(name) for name in ALL_CANDIDATES}
    labels_key = [(name, [(v.label, v.self_attenuation_g_cm2) for v in vs]) for name, vs in variants.items()]
    key = hashlib.sha1(f"{LIBRARY_VERSION}|{MIN_LINE_YIELD}|{MIN_MATERIAL_LINE_FRACTION}|{detector}|{labels_key}|"
                       f"{edges[0]}|{edges[-1]}|{edges.size}".encode()).hexdigest()[:16]
    path = Path(cache_dir) / f"templates-{detector}-{key}.npz" if cache_dir else None
    names, labels, cats = [], [], []
    for name in ALL_CANDIDATES:
        for variant in variants[name]:
            names.append(name)
            labels.append(variant.label)
            cats.append(candidate_category(name))
    if path is not None and path.exists():
        try:
            data = np.load(path)
            return TemplateLibrary(detector, edges, tuple(names), tuple(labels), tuple(cats), data["templates"],
                                   data["background"])
        except (OSError, ValueError, KeyError):
            log.warning("template cache %s unreadable; rebuilding", path)
    rows = []
    for name in ALL_CANDIDATES:
        source = resolve_source(name)
        lines = significant_lines(source, MIN_LINE_YIELD, MIN_MATERIAL_LINE_FRACTION, LOW_EDGE_KEV)
        for variant in variants[name]:
            emitted = thick_item(lines, item_element(source), variant.self_attenuation_g_cm2)
            rows.append(np.asarray(line_template(detector, emitted.energy_kev, emitted.intensity, edges, None,
                                                 variant.shields)))
    components = background_spectrum(detector, edges, SiteBackground(), components=True)
    # per 511 keV photon on the face, scaled to ~1e-3 of the natural background's counts (conditioning only:
    # the amplitude is free)
    annihilation = np.asarray(line_template(detector, [ME_C2_KEV], [1.0], edges, None))
    components["annihilation"] = annihilation * 1e-3 * components["total"].sum() / max(annihilation.sum(), 1e-30)
    background = np.array([components[c] for c in BACKGROUND_COMPONENTS])
    library = TemplateLibrary(detector, edges, tuple(names), tuple(labels), tuple(cats), np.array(rows), background)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez_compressed(tmp, templates=library.templates, background=library.background)
            tmp.replace(path)
        except OSError as exc:
            log.warning("cannot write template cache %s: %s", path, exc)
    return library


def _cumulate(rows: np.ndarray) -> np.ndarray:
    return np.concatenate([np.zeros((rows.shape[0], 1)), np.cumsum(rows, axis=1)], axis=1)


def _interpolation(fine_edges: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fine-grid index below each of ``edges`` and the linear-interpolation weight of the next one."""
    position = np.interp(edges, fine_edges, np.arange(fine_edges.size, dtype=float))
    lower = np.clip(np.floor(position).astype(int), 0, fine_edges.size - 2)
    return lower, position - lower


def _rebin_at(cumulative: np.ndarray, lower: np.ndarray, weight: np.ndarray) -> np.ndarray:
    at_edges = cumulative.take(lower, axis=1)  # take and in-place products: half the time of fancy indexing
    at_edges *= 1.0 - weight
    upper = cumulative.take(lower + 1, axis=1)
    upper *= weight
    at_edges += upper
    return np.diff(at_edges, axis=1)


def _rebin_cumulative(cumulative: np.ndarray, fine_edges: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Rebin rows given by their cumulative sums on ``fine_edges`` onto ``edges`` (linear interpolation)."""
    return _rebin_at(cumulative, *_interpolation(fine_edges, edges))
