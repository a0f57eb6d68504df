"""Net areas of full-energy peaks: Gaussians of known energies and widths on a linear continuum.

Model in a window of channels j (edges e_j, e_j+1, keV):

    y_j ~ b0 + b1 (x_j - x_c) + sum_k A_k [Phi((e_j+1 - c_k)/s_k) - Phi((e_j - c_k)/s_k)]

with c_k = E_k + shift(E_k) and s_k = width_scale x sigma_detector(E_k) (the detector model's FWHM/2.355).
For a fixed shift and width the model is linear in (b0, b1, A_k): solved by weighted least squares with
Poisson variances taken from the model itself (two iterations; this avoids the downward bias of weights from
the data at low counts). Areas come with the covariance of that fit. The shift and width scale are found from
the strong peaks of a spectrum (:func:`calibrate`) and then applied to all windows, so that weak peaks are
fitted at fixed positions (no bias upward from chasing noise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from radnuc.analysis.characterize.errors import CharacterizeError

__all__ = ["PeakArea", "PeakShape", "calibrate", "fit_window", "peak_counts"]

_FWHM_TO_SIGMA = 1.0 / 2.3548200450309493


@dataclass(frozen=True)
class PeakShape:
    """Energy shift (keV) as ``offset + gain * E`` and a width scale applied to the model FWHM."""

    offset_kev: float = 0.0
    gain: float = 0.0
    width_scale: float = 1.0

    def shift(self, energy_kev: float) -> float:
        return self.offset_kev + self.gain * energy_kev


@dataclass(frozen=True)
class PeakArea:
    """Net area of one peak (counts) with its 1-sigma uncertainty, where it was fitted and how well."""

    energy_kev: float
    area: float
    sigma: float
    centroid_kev: float
    fwhm_kev: float
    reduced_chi2: float

    @property
    def significance(self) -> float:
        """area / sigma."""
        return self.area / self.sigma if self.sigma > 0 else 0.0


def _gaussian_bins(edges: np.ndarray, center: float, sigma: float) -> np.ndarray:
    """Fraction of a unit Gaussian (keV) in each channel of ``edges``."""
    return ndtr((edges[1:] - center) / sigma) - ndtr((edges[:-1] - center) / sigma)


def _peak_sigma(fwhm: Callable[[float], float], shape: PeakShape, energy_kev: float) -> float:
    """Gaussian sigma (keV) of a peak at ``energy_kev``: the model FWHM times the shape's width scale."""
    return max(float(fwhm(energy_kev)) * shape.width_scale * _FWHM_TO_SIGMA, 1e-3)


def _design(edges: np.ndarray, centers: Sequence[float], sigmas: Sequence[float]) -> np.ndarray:
    x = 0.5 * (edges[1:] + edges[:-1])
    xc = float(np.mean(x))
    cols = [np.ones_like(x), (x - xc) / max(float(x[-1] - x[0]), 1e-9)]
    cols += [_gaussian_bins(edges, c, s) for c, s in zip(centers, sigmas, strict=True)]
    return np.column_stack(cols)


def _solve(y: np.ndarray, design: np.ndarray, background: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted LS with model-based Poisson variances; returns (params, covariance, chi2)."""
    extra = np.zeros_like(y) if background is None else background
    target = y - extra
    var = np.maximum(y, 1.0)
    params = cov = None
    for _ in range(3):
        w = 1.0 / var
        a = design * w[:, None]
        normal = design.T @ a
        try:
            cov = np.linalg.inv(normal + np.eye(normal.shape[0]) * 1e-12 * np.trace(normal))
        except np.linalg.LinAlgError as exc:
            raise CharacterizeError("peak fit is singular (window too narrow?)") from exc
        params = cov @ (a.T @ target)
        model = design @ params + extra
        var = np.maximum(model, 1.0)
        if background is not None:  # a scaled measured background adds its own variance
            var = var + np.maximum(background, 0.0)
    resid = target - design @ params
    chi2 = float(np.sum(resid**2 / var))
    return params, cov, chi2


def peak_counts(edges_kev: np.ndarray, energy_kev: float, area: float, fwhm: Callable[[float], float],
                shape: PeakShape = PeakShape()) -> np.ndarray:
    """Counts per channel on ``edges_kev`` of a peak of known ``area`` at ``energy_kev``, with the peak model of
    :func:`fit_window` (to pass a known, unresolvable neighbour to it as part of ``background``)."""
    edges = np.asarray(edges_kev, float)
    return area * _gaussian_bins(edges, energy_kev + shape.shift(energy_kev), _peak_sigma(fwhm, shape, energy_kev))


def fit_window(counts: np.ndarray, edges_kev: np.ndarray, energies_kev: Sequence[float], low_kev: float,
               high_kev: float, fwhm: Callable[[float], float], shape: PeakShape = PeakShape(),
               background: np.ndarray | None = None) -> list[PeakArea]:
    """Fit the peaks at ``energies_kev`` in the window [low, high] keV (see the module docstring).

    ``counts`` and ``background`` (optional, already scaled to the live time of ``counts``; it is
    subtracted in the fit and its variance added) are per channel on ``edges_kev``; ``fwhm(E)`` is the detector
    FWHM in keV. Returns one :class:`PeakArea` per energy, in the order given."""
    edges = np.asarray(edges_kev, float)
    lo = int(np.searchsorted(edges, low_kev, side="left"))
    hi = int(np.searchsorted(edges, high_kev, side="right")) - 1
    n_par = 2 + len(energies_kev)
    if hi - lo < n_par + 3:
        raise CharacterizeError(f"window {low_kev:.0f}-{high_kev:.0f} keV has too few channels for a peak fit")
    y = np.asarray(counts, float)[lo:hi]
    bg = None if background is None else np.asarray(background, float)[lo:hi]
    sub_edges = edges[lo:hi + 1]
    centers = [e + shape.shift(e) for e in energies_kev]
    sigmas = [_peak_sigma(fwhm, shape, e) for e in energies_kev]
    design = _design(sub_edges, centers, sigmas)
    params, cov, chi2 = _solve(y, design, bg)
    dof = max(y.size - n_par, 1)
    out = []
    for k, e in enumerate(energies_kev):
        var = float(cov[2 + k, 2 + k])
        out.append(PeakArea(float(e), float(params[2 + k]), float(np.sqrt(max(var, 0.0))), float(centers[k]),
                            float(sigmas[k] / _FWHM_TO_SIGMA), chi2 / dof))
    return out


def calibrate(counts: np.ndarray, edges_kev: np.ndarray, energies_kev: Sequence[float],
              fwhm: Callable[[float], float], min_significance: float = 15.0,
              background: np.ndarray | None = None) -> PeakShape:
    """Shift and width scale from the strong isolated peaks among ``energies_kev``: each peak is fitted on a
    grid of shifts (±1 FWHM) and width scales (0.7-1.6), the best chi-square kept; peaks with significance
    below ``min_significance`` are ignored. One peak gives a gain-like shift, two far apart an offset + gain."""
    found = []
    for e in energies_kev:
        f = float(fwhm(e))
        half = 3.5 * f
        best = None
        for scale in (0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6):
            for frac in np.linspace(-1.0, 1.0, 21):
                shape = PeakShape(offset_kev=frac * f, width_scale=scale)
                try:
                    (pk,) = fit_window(counts, edges_kev, [e], e - half * scale, e + half * scale, fwhm, shape,
                                       background)
                except CharacterizeError:
                    continue
                if best is None or pk.reduced_chi2 < best[0]:
                    best = (pk.reduced_chi2, frac * f, scale, pk)
        if best is not None and best[3].significance >= min_significance:
            found.append((e, best[1], best[2], best[3].area))
    if not found:
        return PeakShape()
    energies = np.array([f[0] for f in found])
    shifts = np.array([f[1] for f in found])
    weights = np.sqrt(np.array([f[3] for f in found]))
    scale = float(np.average([f[2] for f in found], weights=weights))
    if energies.max() - energies.min() > 300.0 and len(found) >= 2:
        gain, offset = np.polyfit(energies, shifts, 1, w=weights)
        return PeakShape(float(offset), float(gain), scale)
    gain = float(np.average(shifts / energies, weights=weights))
    return PeakShape(0.0, gain, scale)
