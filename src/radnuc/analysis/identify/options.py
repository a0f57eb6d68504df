"""The tuning of the identification engine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IdentifyOptions:
    """Tuning of the engine. ``alpha``: probability, per spectrum, of a false identification from
    background fluctuations (split over the candidates); energies in keV; ``distance_cm`` (optional) turns
    fitted amplitudes into activities for an on-axis point source."""

    max_sources: int = 4
    alpha: float = 0.005
    gain_range: float = 0.06
    min_energy_kev: float = 30.0
    max_energy_kev: float = 3000.0
    unknown_sigma: float = 6.0
    model_uncertainty: float = 0.05
    min_counts: float = 20.0
    distance_cm: float | None = None
    cache_dir: Path | None = None
