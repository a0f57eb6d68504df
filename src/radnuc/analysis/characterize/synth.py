"""Synthetic uranium and plutonium spectra of any composition, for tests and benchmarks (seeded).

:class:`radnuc.physics.synthesis.SourceSpec` keeps a material's lines down to 1e-6 of the photons it emits,
enough for identification and portal spectra; an enrichment or plutonium measurement looks at weaker lines
still. Here the lines of :func:`radnuc.physics.materials.uranium` are kept down to ``min_yield`` (default
1e-10 per decay of the whole material; 1e-8 until 2026-12-07, which in reactor-grade plutonium, whose decays
are mostly the beta decay of Pu-241, dropped Pu-239 161.45 keV) and folded with
:func:`radnuc.physics.response.line_template`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from radnuc.physics.background import SiteBackground, background_spectrum
from radnuc.physics.materials import DEFAULT_AGE_S, plutonium, uranium
from radnuc.physics.response import line_template
from radnuc.physics.shielding import Shield
from radnuc.physics.sources import Source
from radnuc.spectra import EnergyCalibration, SourceType, Spectrum

__all__ = ["default_calibration", "material_template", "synthesize_material", "synthesize_uranium"]


def default_calibration(detector: str) -> EnergyCalibration:
    """8192 channels to 3 MeV for HPGe (0.37 keV/channel); 1024 channels to 3 MeV for the others."""
    n = 8192 if detector.startswith("hpge") else 1024
    return EnergyCalibration.linear(0.0, 3000.0 / n, n)


@functools.lru_cache(maxsize=64)
def _source_lines(source: Source, min_yield: float) -> tuple[np.ndarray, np.ndarray]:
    lines = source.lines(min_yield=min_yield, min_energy_kev=10.0)
    return np.asarray(lines.energy_kev, float), np.asarray(lines.intensity, float)


def material_template(detector: str, calibration: EnergyCalibration, source: Source, distance_cm: float = 30.0,
                      shields: Sequence[Shield] = (), min_yield: float = 1e-10) -> np.ndarray:
    """Expected counts per channel per second per gram of ``source`` (a material :class:`Source`) at
    ``distance_cm`` on the detector axis behind ``shields``."""
    energies, intensity = _source_lines(source, min_yield)
    return np.asarray(line_template(detector, energies, intensity, calibration.edges_kev, distance_cm,
                                    tuple(shields)))


def synthesize_material(detector: str, source: Source, rng: np.random.Generator, *, total_counts: float = 1e5,
                        calibration: EnergyCalibration | None = None, live_time_s: float = 600.0,
                        distance_cm: float = 30.0, shields: Sequence[Shield] = (),
                        background: SiteBackground | None = SiteBackground(), grams: float | None = None,
                        resolution_scale: float = 1.0, noise_free: bool = False) -> tuple[Spectrum, float]:
    """A Poisson spectrum of ``source`` (per-gram material source). With ``grams`` None the mass is chosen so
    that the expected total (source + background) is ``total_counts``. ``resolution_scale`` widens the
    detector resolution (a different crystal than the model). ``noise_free``: the expected counts themselves
    (not integers; ``rng`` unused), to separate the bias of an analysis from its counting noise.
    Returns (spectrum, grams)."""
    from dataclasses import replace

    from radnuc.physics.detectors import get_detector

    cal = calibration or default_calibration(detector)
    det = get_detector(detector)
    if resolution_scale != 1.0:
        a, b, c = det.resolution
        det = replace(det, resolution=(a * resolution_scale, b * resolution_scale, c * resolution_scale))
    per_g = material_template(det, cal, source, distance_cm, shields) * live_time_s
    bg = background_spectrum(det, cal.edges_kev, background) * live_time_s if background is not None else 0.0
    bg_total = float(np.sum(bg))
    if grams is None:
        grams = max(total_counts - bg_total, 0.0) / max(float(per_g.sum()), 1e-300)
    mean = np.clip(per_g * grams + bg, 0.0, None)
    counts = mean.astype(float) if noise_free else rng.poisson(mean).astype(float)
    spectrum = Spectrum(counts=counts, calibration=cal, live_time_s=live_time_s, real_time_s=live_time_s,
                        detector_name=det.kind, source_type=SourceType.FOREGROUND, title=source.name)
    return spectrum, float(grams)


def synthesize_uranium(detector: str, enrichment_pct: float, rng: np.random.Generator, *,
                       age_s: float = DEFAULT_AGE_S, **kwargs) -> Spectrum:
    """A spectrum of uranium of ``enrichment_pct`` wt % U-235 (see :func:`synthesize_material`)."""
    return synthesize_material(detector, uranium(enrichment_pct, age_s), rng, **kwargs)[0]


def synthesize_plutonium(detector: str, mass_fractions: dict[str, float], rng: np.random.Generator, *,
                         age_s: float = DEFAULT_AGE_S, **kwargs) -> Spectrum:
    """A spectrum of plutonium of the given composition (see :func:`synthesize_material`)."""
    return synthesize_material(detector, plutonium(mass_fractions, age_s), rng, **kwargs)[0]
