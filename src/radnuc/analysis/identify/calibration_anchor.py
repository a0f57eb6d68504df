"""Where a measured background puts the calibration when it shares the foreground's calibration.

With a background measured by the same instrument and calibration as the foreground (``background_follows_gain``
False), a correction of the stated calibration applies to both spectra. The foreground's background part is then
the measured spectrum itself, which is the same at every correction, so the source templates alone would decide
the correction and could slide one nuclide's line onto another's within the +-6 % search: I-123's 159 keV line
read as Tl-201's 167 keV, Ba-133's 356 keV as I-131's 364 keV, Eu-152's 344 keV as Ba-133's 356 keV. The
measured background can tell: its K-40, radon- and thorium-progeny lines and lead X-rays must sit where the
library's natural-background model puts them at that correction.

:class:`CalibrationAnchor` gives, for a (gain, offset keV) correction, the log-likelihood of the measured
background under the library's natural-background components (free non-negative amplitudes, the model's
systematic weights) relative to the best gain on the coarse grid: a non-positive term the gain search
adds to the foreground's score under that hypothesis (the joint likelihood of the two spectra).
"""

from __future__ import annotations

import threading

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import nnls

from radnuc.analysis.identify.model import Gain, SpectrumModel

#: grouped natural-background components per (calibration, groups, gain): the same for every spectrum of a detector
#: and calibration (oldest out beyond the size)
_COMPONENTS: dict[tuple, np.ndarray] = {}
_COMPONENTS_MAX = 512
_COMPONENTS_LOCK = threading.Lock()


class CalibrationAnchor:
    """How well the measured background (counts as measured, summed on channel ``groups``) fits the library's
    natural-background components plus the continuum nuisances (free non-negative amplitudes), as a function of
    the gain correction: -chi^2 / 2 with variance counts + (model uncertainty x counts)^2 (a weighted non-negative
    least-squares fit; the background's groups hold hundreds of counts or more, where this is the Poisson
    likelihood), at each of ``gains`` (the coarse search grid, offset 0), interpolated by a cubic spline (the
    curve's width is the relative FWHM of the background's lines, several grid steps on a scintillator).
    Divided by the best fit's chi-square per degree of freedom (at least 1): a real background unlike the
    library's model pins the calibration less. 0 at the best grid point, never positive. The offset is left
    to the foreground: the background's few low-energy lines barely fix it."""

    def __init__(self, model: SpectrumModel, groups: np.ndarray, gains) -> None:
        if model.measured_bg is None or model.measured_scale <= 0:
            raise ValueError("a calibration anchor needs a measured background")
        measured = model.measured_bg[model.mask] / model.measured_scale  # the background's own counts
        y = np.add.reduceat(measured, groups)
        sigma = np.sqrt(np.maximum(y, 1.0) + (model.model_uncertainty * y) ** 2)
        continuum = np.add.reduceat(model.continuum, groups, axis=1)
        self._gains = np.asarray(gains, dtype=float)
        chi_squares = []
        for g in self._gains:
            components = np.vstack([_natural_background(model, groups, float(g)), continuum])
            scale = np.maximum(components.sum(axis=1), 1e-300)  # unit-area columns: better conditioned
            _, residual_norm = nnls((components / scale[:, None] / sigma).T, y / sigma)
            chi_squares.append(residual_norm**2)
        chi_squares = np.array(chi_squares)
        dof = max(y.size - components.shape[0], 1)
        #: chi-square per degree of freedom of the best fit (>= 1)
        self.dispersion = max(1.0, float(chi_squares.min()) / dof)
        self._spline = CubicSpline(self._gains, -0.5 * (chi_squares - chi_squares.min()) / self.dispersion)

    def __call__(self, gain: Gain) -> float:
        """Log-likelihood of the measured background at the gain of ``gain`` less its best, over the dispersion."""
        g = float(np.clip(gain[0], self._gains[0], self._gains[-1]))
        return min(float(self._spline(g)), 0.0)


def _natural_background(model: SpectrumModel, groups: np.ndarray, gain: float) -> np.ndarray:
    """The library's natural-background components on the analysed channels at a gain correction, summed into
    ``groups`` (kept between spectra of the same detector and calibration)."""
    key = model.calibration_key + (hash(groups.tobytes()), round(gain, 9))
    cached = _COMPONENTS.get(key)
    if cached is None:
        _, background = model.library.rebinned(model.sub_edges, gain, 0.0, rows=np.zeros(0, dtype=int))
        cached = np.add.reduceat(np.clip(background, 0.0, None), groups, axis=1)
        with _COMPONENTS_LOCK:
            if len(_COMPONENTS) >= _COMPONENTS_MAX:
                _COMPONENTS.pop(next(iter(_COMPONENTS)), None)
            _COMPONENTS[key] = cached
    return cached
