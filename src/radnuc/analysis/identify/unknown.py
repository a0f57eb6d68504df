"""Unknown regions: excesses the final model leaves unexplained (a source outside the library)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from radnuc.analysis.identify.evidence import principal_lines
from radnuc.analysis.identify.model import Gain, Selection, SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.result import NuclideID, UnknownRegion
from radnuc.analysis.identify.selection import SELECTED_SOURCE_SYSTEMATIC
from radnuc.physics.attenuation import ME_C2_KEV

#: Regions reported at most.
MAX_REGIONS = 5
#: Lead K X-rays (keV; Ka2, Ka1, Kb3, Kb1, Kb2; xraydb / Deslattes et al. 2003): fluorescence of the lead around a
#: detector (shield, collimator, housing) excited by any source with photons above the K edge.
LEAD_K_XRAYS_KEV = (72.80, 74.97, 84.45, 84.94, 87.30)
LEAD_K_EDGE_KEV = 88.0
#: Annihilation radiation (keV): always in a natural background (cosmic-ray pair production in the surroundings),
#: Doppler-broadened to ~2.5 keV FWHM (wider than a gamma line on HPGe). A positron emitter strong enough to
#: matter is identified by name (F-18, Na-22, ...); a leftover excess at 511 keV is not an unknown source.
ANNIHILATION_KEV = 511.0
ANNIHILATION_HALF_WIDTH_KEV = 2.5
#: Relative width of the band below each line where Compton scatter in material between source and detector
#: (source holder, housing, vehicle wall, soil for background lines) puts counts; 10 % is a 35-45 degree scatter
#: above 300 keV and a 90 degree one at 60 keV. Real HPGe peaks also carry a low-energy tail (incomplete charge
#: collection) that the Gaussian peak model lacks.
LOW_SIDE_BAND = 0.10
#: An excess in that band below a line is the line's own scatter and tail when it holds at most this fraction of
#: the line's net counts.
LOW_SIDE_FRACTION = 0.05
#: Half-width (in FWHM of the detector) of the window around a strong line in which an excess may be that line,
#: displaced: the stated calibration of a real HPGe field spectrum (Alcatraz Island, tests/data/becquerel) puts the
#: 2,614 keV line ~5 keV (2 FWHM) high, beyond what a linear correction of the gain and offset can also give the
#: lines below; the excess on its high side read as an unknown source at 48 sigma.
DISPLACED_LINE_FWHM = 5.0
#: ... an excess there is the displaced line itself when the window also holds a deficit (one FWHM wide, where the
#: model puts the line and the data do not) of at least this fraction of it: a new line adds counts beside the
#: model's peak; a displaced one leaves a hole there (Alcatraz: 130 counts missing at 2,616 keV beside 160 in excess
#: at 2,621 keV; the real line is also stronger than the model's, so its counts are not conserved).
DISPLACED_LINE_FRACTION = 0.5


@lru_cache(maxsize=256)
def own_line_energies(name: str) -> tuple[float, ...]:
    """Energies (keV) of a source's gamma and X-ray lines of at least 1 % yield above 10 keV: where an excess is
    the identified source itself (its low-energy efficiency or X-ray intensities differ from the model), not an
    unknown one."""
    return tuple(float(e) for e in principal_lines(name, 10.0).energy_kev)


#: Lines at least this intense (photons per decay) make the sum peaks of :func:`sum_peak_energies`.
SUM_LINE_MIN_YIELD = 0.1
#: Most of a source's net counts a sum peak can hold: Co-60 on the face of a 3"x3" NaI sums its cascade in ~2 % of
#: decays (peak efficiencies ~0.15 x 0.14) against ~0.6 counted photons per decay, i.e. ~3 % of its counts; a
#: larger excess there is something else.
SUM_PEAK_FRACTION = 0.05


@lru_cache(maxsize=256)
def sum_peak_energies(name: str) -> tuple[float, ...]:
    """Energies (keV) where two of a source's strong lines (at least SUM_LINE_MIN_YIELD per decay, above 10 keV)
    add up in one detector event — true-coincidence summing of cascade photons near the detector (Co-60's
    1173 + 1332 = 2505 keV), with the single and double escape peaks of such sums above 1,600 keV (Co-60: 1994 and
    1483 keV), and random summing (pile-up) of a line with itself at high count rates (its escape peaks, a small
    fraction of an already weak peak, are left out). The templates model neither, so beside a strong source these
    peaks are the identified source itself, not an unknown one."""
    lines = principal_lines(name, 10.0)
    strong = lines.energy_kev[lines.intensity >= SUM_LINE_MIN_YIELD]
    cascades = [float(a + b) for i, a in enumerate(strong) for b in strong[i + 1:]]
    escapes = [e - k * ME_C2_KEV for e in cascades if e > 1600.0 for k in (1, 2)]
    return tuple(cascades + escapes + [float(2 * a) for a in strong])


def explained_energies(nuclides: list[NuclideID]) -> np.ndarray:
    """Line energies (keV) an excess may sit on without being unknown: the identified sources' own lines, and
    the lead K X-rays when an identified source emits above the lead K edge."""
    energies = [e for n in nuclides for e in own_line_energies(n.name)]
    if any(e > LEAD_K_EDGE_KEV for e in energies):
        energies.extend(LEAD_K_XRAYS_KEV)
    return np.array(energies, dtype=float)


def strong_lines(model: SpectrumModel, selection: Selection, gain: Gain,
                 nuclides: list[NuclideID]) -> list[tuple[float, float]]:
    """(energy keV, net counts) of the lines that leave peak-shape residuals: the identified sources' lines of
    more than 3 sigma, and the natural-background lines whose model peak stands out of its surroundings (their
    net counts: the fitted model within one FWHM less the continuum one to two FWHM away)."""
    lines = [(line.energy_kev, line.net_counts) for n in nuclides for line in n.lines if line.significance > 3.0]
    centers = model.true_centers(gain)
    for energy in background_line_energies():
        fwhm = float(model.detector.fwhm_kev(energy))
        inside = np.abs(centers - energy) <= fwhm
        side = (np.abs(centers - energy) > fwhm) & (np.abs(centers - energy) <= 2 * fwhm)
        if inside.sum() == 0 or side.sum() == 0:
            continue
        net = float(selection.mean[inside].sum() - selection.mean[side].mean() * inside.sum())
        if net > 9.0 * np.sqrt(max(float(selection.mean[inside].sum()), 1.0)):
            lines.append((energy, net))
    return lines


#: Natural decay series present in every background (Ra-226 with its radon progeny for U-238, Th-232 with its
#: progeny, and U-238's own Th-234/Pa-234m).
NATURAL_SERIES = ("Ra-226", "Th-232", "U-238")


@lru_cache(maxsize=1)
def natural_series_energies() -> tuple[float, ...]:
    """Energies (keV) of every line of 1 % yield or more of the natural series (:data:`NATURAL_SERIES`, radnuc's
    ICRP-107 chains): an excess there is natural background the model's strong-line set leaves out (the real HPGe
    portal background shows Ac-228 1588 keV and Bi-214 1847 keV), not an unknown source."""
    return tuple(float(e) for name in NATURAL_SERIES for e in principal_lines(name, 10.0).energy_kev)


def resolves_weak_lines(detector) -> bool:
    """Does the detector resolve the weak natural lines from their strong neighbours (relative FWHM at 662 keV
    under 1.5 %: germanium)? On a scintillator the natural-series lines within one FWHM of each other cover most
    of the spectrum and would hide a real unknown line (Y-88 1836 keV beside Bi-214 1847 keV), while a weak
    natural line never stands out alone there."""
    return float(detector.fwhm_kev(661.657)) / 661.657 < 0.015


@lru_cache(maxsize=1)
def background_line_energies() -> tuple[float, ...]:
    """Energies (keV) of the strong natural-background lines (radnuc.physics background_lines.csv)."""
    from radnuc.physics.background import background_lines

    return tuple(line.energy_kev for line in background_lines())


def unknown_regions(model: SpectrumModel, selection: Selection, gain: Gain, options: IdentifyOptions,
                    nuclides: list[NuclideID]) -> list[UnknownRegion]:
    """Excesses of more than ``options.unknown_sigma`` (after dispersion scaling) in a window of one FWHM,
    except beside the strong lines of identified sources (there a residual is the peak-shape mismatch of a strong
    line, not another source), near a strong line where a deficit beside the excess shows the line displaced by a
    calibration error (:data:`DISPLACED_LINE_FWHM`), in the small-angle scatter band below them when
    small beside the line
    (:data:`LOW_SIDE_FRACTION`), on any line of an identified source or on lead K X-rays excited by it
    (:func:`explained_energies`), at 511 keV (annihilation), and excesses below 10% of the model."""
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
    for energy, counts in strong_lines(model, selection, gain, nuclides):
        fwhm = float(det.fwhm_kev(energy))
        flagged &= np.abs(centers - energy) > 2.5 * fwhm
        below = (centers < energy) & (centers >= (1.0 - LOW_SIDE_BAND) * energy - fwhm)
        flagged &= ~(below & (excess <= LOW_SIDE_FRACTION * counts))
        around = np.abs(centers - energy) <= DISPLACED_LINE_FWHM * fwhm
        if around.any():
            hole = -float(excess[around].min())  # the largest deficit of a one-FWHM window there
            flagged &= ~(around & (hole >= DISPLACED_LINE_FRACTION * excess))
    for nuclide in nuclides:
        for energy in sum_peak_energies(nuclide.name):
            # unmodelled peaks (no window of one FWHM may reach into their core) that a source can make
            near = np.abs(centers - energy) <= 1.5 * float(det.fwhm_kev(energy))
            flagged &= ~(near & (excess <= SUM_PEAK_FRACTION * nuclide.net_counts))
    natural = natural_series_energies() if resolves_weak_lines(det) else ()
    for energy in np.concatenate([explained_energies(nuclides), natural]):
        flagged &= np.abs(centers - energy) > float(det.fwhm_kev(energy))
    annihilation = max(float(det.fwhm_kev(ANNIHILATION_KEV)), ANNIHILATION_HALF_WIDTH_KEV)
    flagged &= np.abs(centers - ANNIHILATION_KEV) > annihilation
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
