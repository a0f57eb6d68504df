"""Which detector model a spectrum comes from: the user's word, the file's metadata, or its resolution."""

from __future__ import annotations

import numpy as np

from radnuc.analysis.errors import AnalysisError
from radnuc.analysis.identify.background_measurement import snip_continuum
from radnuc.physics.detectors import RESOLUTION_CLASSES, detector_kinds, get_detector
from radnuc.spectra import MeasurementSet, Spectrum

_MODEL_HINTS = (
    ("radiacode", "csi-pocket"),
    ("identifinder", "nai-2x2"),
    ("detective", "hpge-40pct"),
    ("falcon", "hpge-40pct"),
    ("osasp", "hpge-40pct"),
    ("hpge", "hpge-40pct"),
    ("labr", "labr3-1.5x1.5"),
    ("czt", "czt-1cm3"),
    ("d3s", "csi-pocket"),  # Kromek D3S: CsI(Tl); Kromek's other handhelds are CZT
    ("kromek", "czt-1cm3"),
    ("pvt", "pvt-portal"),
)


def choose_detector(requested: str, spectrum: Spectrum, measurements: MeasurementSet | None = None) -> tuple[str, str]:
    """(detector kind, how it was chosen). ``requested`` is a kind or ``auto``."""
    if requested and requested != "auto":
        if requested not in detector_kinds():
            raise AnalysisError(f"unknown detector {requested!r}; one of {', '.join(detector_kinds())}, auto")
        return requested, "given"
    if measurements is not None:
        text = " ".join([measurements.instrument.model, measurements.instrument.manufacturer,
                         spectrum.detector_name]).lower()
        for kind in detector_kinds():
            if kind in text:
                return kind, "file metadata"
        for hint, kind in _MODEL_HINTS:
            if hint in text:
                return kind, "file metadata"
    lines = measured_lines(spectrum)
    if lines:
        kind, fraction = resolution_class(lines)
        return kind, f"resolution ({100 * fraction:.1f}% FWHM at 662 keV)"
    return ("hpge-40pct" if _fine_channels(spectrum) else "nai-3x3"), "default"


def _fine_channels(spectrum: Spectrum) -> bool:
    cal = spectrum.calibration
    return cal is not None and float(np.median(cal.widths_kev)) < 0.6


#: The widest photopeak accepted (FWHM / E at 662 keV, scaled as E^-1/2): beyond the scintillators' ~7-10 %. A
#: broader bump is a blend, a Compton edge or the scattered-radiation hump of a background, not a line.
WIDEST_PEAK = 0.15
#: The continuum is clipped with a window of twice this resolution (that of the broadest common scintillators): a
#: window as wide as WIDEST_PEAK reaches from a uranium item's 186 keV line into its 60-100 keV X-ray complex.
CONTINUUM_RESOLUTION = 0.10
#: A line's counts above the continuum within its half-maximum crossings must exceed this many sigma.
MIN_PEAK_SIGMA = 8.0
#: Lines measured (the most significant that are narrow enough); the resolution class is fitted to them.
PEAKS_MEASURED = 3


def measured_lines(spectrum: Spectrum) -> list[tuple[float, float]]:
    """(energy keV, FWHM keV) of up to PEAKS_MEASURED clear lines of the spectrum; empty when it shows none.

    The continuum is taken out first (SNIP with a window of twice CONTINUUM_RESOLUTION, so that it passes under
    scintillator and germanium lines alike); the local maxima of what remains in 45-2,800 keV (away from the
    Doppler-broadened 511 keV line) are ranked by significance over that continuum, and the full width at half
    maximum of the first PEAKS_MEASURED that hold MIN_PEAK_SIGMA and are no wider than WIDEST_PEAK is measured
    with interpolated crossings (corrected for the 3-channel smoothing). Until 2026-12-08 the five *highest*
    maxima were taken: in every real spectrum of ../shared/data and of becquerel's samples those were continuum
    bumps below 200 keV, no estimate was made, and a RadiaCode CSV export (no instrument metadata) was read with a
    3x3 NaI model: its Fiestaware uranium glaze as HEU, its Ra-226 source as Ga-67 + Ba-133."""
    cal = spectrum.calibration
    if cal is None or spectrum.total_counts < 500:
        return []
    energies = cal.centers_kev
    widths = cal.widths_kev
    counts = np.clip(spectrum.counts.astype(float), 0.0, None)
    smooth = np.convolve(counts, np.ones(3) / 3, mode="same")
    window = 2 * CONTINUUM_RESOLUTION * np.sqrt(661.657 * np.maximum(energies, 1.0)) / np.maximum(widths, 1e-9)
    continuum = snip_continuum(smooth, window)
    net = smooth - continuum
    index = np.arange(2, counts.size - 2)
    local_max = ((net[index] > 0) & (net[index] >= net[index - 1]) & (net[index] >= net[index + 1])
                 & (net[index] >= net[index - 2]) & (net[index] >= net[index + 2]))
    usable = (energies[index] >= 45.0) & (energies[index] <= 2800.0) & (np.abs(energies[index] - 511.0) > 8.0)
    index = index[local_max & usable]
    significance = net[index] / np.sqrt(np.maximum(continuum[index], 1.0))
    found: list[tuple[float, float]] = []
    taken: list[tuple[int, int]] = []
    order = np.argsort(significance)[::-1][:40]
    for i, sigma in zip(index[order], significance[order], strict=True):
        if net[i] < 10 or sigma < 5:
            break  # ranked by significance: the rest are weaker
        if any(lo <= i <= hi for lo, hi in taken):
            continue  # a second maximum of a line already measured
        crossing = _half_maximum(net, int(i))
        if crossing is None:
            continue
        taken.append(crossing)
        inside = slice(crossing[0] + 1, crossing[1])
        area, under = counts[inside].sum(), continuum[inside].sum()
        if area - under < MIN_PEAK_SIGMA * np.sqrt(max(area, 1.0)):
            continue  # a fluctuation of a few channels, not a line
        fwhm = _fwhm_kev(net, energies, widths, int(i), crossing)
        if fwhm / energies[i] * np.sqrt(energies[i] / 661.657) <= WIDEST_PEAK:
            found.append((float(energies[i]), fwhm))
            if len(found) == PEAKS_MEASURED:
                break
    return found


def resolution_class(lines: list[tuple[float, float]]) -> tuple[str, float]:
    """(detector kind, FWHM/E at 662 keV) of the RESOLUTION_CLASSES model whose FWHM curve is nearest (least
    squares in log) to the measured ``lines`` [(energy keV, FWHM keV)]; the resolution is that model's, scaled by
    the median measured/model ratio. Each model's own energy dependence is used, not one E^-1/2 law (synthetic
    LaBr3 spectra of 1,000 net counts read as NaI with the E^-1/2 scaling of a 90 keV line)."""
    energies = np.array([e for e, _ in lines])
    measured = np.log([w for _, w in lines])
    scores = {kind: float(np.sum((measured - np.log(get_detector(kind).fwhm_kev(energies))) ** 2))
              for kind in RESOLUTION_CLASSES}
    kind = min(scores, key=scores.get)
    model = get_detector(kind)
    ratio = float(np.exp(np.median(measured - np.log(model.fwhm_kev(energies)))))
    return kind, model.fwhm_fraction() * ratio


def _half_maximum(net: np.ndarray, i: int) -> tuple[int, int] | None:
    """The last channels (lo, hi) around channel ``i`` where ``net`` is still above half its value at ``i``,
    widened by one on each side (where it is at or below half); None if it does not fall to half on both sides."""
    half = net[i] / 2
    lo, hi = i, i
    while lo > 0 and net[lo] > half:
        lo -= 1
    while hi < net.size - 1 and net[hi] > half:
        hi += 1
    return None if net[lo] > half or net[hi] > half else (lo, hi)


def _fwhm_kev(net: np.ndarray, energies: np.ndarray, widths: np.ndarray, i: int, crossing: tuple[int, int]) -> float:
    """FWHM (keV) of the peak of ``net`` at channel ``i`` between its half-maximum ``crossing`` channels
    (crossings interpolated; the 3-channel boxcar's variance, (3 w)^2 / 12, taken out)."""
    half = net[i] / 2
    lo, hi = crossing
    left = energies[lo] + (half - net[lo]) / max(net[lo + 1] - net[lo], 1e-12) * (energies[lo + 1] - energies[lo])
    right = energies[hi - 1] + (net[hi - 1] - half) / max(net[hi - 1] - net[hi], 1e-12) * (energies[hi]
                                                                                            - energies[hi - 1])
    measured = right - left
    return float(np.sqrt(max(measured**2 - 2.355**2 * (3 * widths[i]) ** 2 / 12, (0.5 * widths[i]) ** 2)))
