"""Unknown regions: excesses the final model leaves unexplained (a source outside the library)."""

from __future__ import annotations

import numpy as np

from radnuc.analysis.identify.model import Gain, Selection, SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.result import NuclideID, UnknownRegion
from radnuc.analysis.identify.selection import SELECTED_SOURCE_SYSTEMATIC

#: Regions reported at most.
MAX_REGIONS = 5


def unknown_regions(model: SpectrumModel, selection: Selection, gain: Gain, options: IdentifyOptions,
                    nuclides: list[NuclideID]) -> list[UnknownRegion]:
    """Excesses of more than ``options.unknown_sigma`` (after dispersion scaling) in a window of one FWHM,
    except beside the lines of identified sources (there a residual is the peak-shape mismatch of a strong line,
    not another source) and excesses below 10% of the model."""
    det = model.detector
    y = model.y
    centers = model.true_centers(gain)
    half = np.maximum(np.round(det.fwhm_kev(centers) / model.channel_width / 2).astype(int), 1)
    cum_y = np.concatenate([[0.0], np.cumsum(y)])
    cum_mu = np.concatenate([[0.0], np.cumsum(selection.mean)])
    index = np.arange(y.size)
    lo = np.clip(index - half, 0, y.size)
    hi = np.clip(index + half + 1, 0, y.size)
    excess = (cum_y[hi] - cum_y[lo]) - (cum_mu[hi] - cum_mu[lo])
    expected = cum_mu[hi] - cum_mu[lo]
    cum_mu2 = np.concatenate([[0.0], np.cumsum(selection.mean**2)])
    systematic = model.model_uncertainty**2 * (cum_mu2[hi] - cum_mu2[lo])  # per-channel model error
    # the identified sources' own model error is coherent over a window (as in the line evidence)
    _, background = model.components(gain)
    source_part = np.clip(selection.mean - selection.amplitudes[:background.shape[0]] @ background, 0.0, None)
    cum_src = np.concatenate([[0.0], np.cumsum(source_part)])
    systematic = systematic + (SELECTED_SOURCE_SYSTEMATIC * (cum_src[hi] - cum_src[lo])) ** 2
    sigma = excess / np.sqrt(np.maximum(expected, 1.0) * selection.dispersion + systematic)
    local = np.maximum(cum_mu[hi] - cum_mu[lo], 1.0)
    flagged = (sigma > options.unknown_sigma) & (excess > 0.1 * local)
    for nuclide in nuclides:
        for line in nuclide.lines:
            if line.significance > 3.0:
                flagged &= np.abs(centers - line.energy_kev) > 2.5 * float(det.fwhm_kev(line.energy_kev))
    regions: list[UnknownRegion] = []
    start = None
    for i in range(flagged.size + 1):
        if i < flagged.size and flagged[i]:
            start = i if start is None else start
        elif start is not None:
            peak = start + int(np.argmax(sigma[start:i]))
            region = UnknownRegion(float(centers[lo[peak]]), float(centers[min(hi[peak], y.size) - 1]),
                                   float(excess[peak]), float(sigma[peak]))
            if regions and region.low_kev <= regions[-1].high_kev:  # overlapping windows: one excess
                if region.significance > regions[-1].significance:
                    regions[-1] = region
            else:
                regions.append(region)
            start = None
    return regions[:MAX_REGIONS]
