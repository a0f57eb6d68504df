"""Plutonium grade from an HPGe spectrum: Pu-240 content from the 160.3 keV line against Pu-239 lines.

Lines (ICRP-107 yields per decay): Pu-239 129.30 (with Am-241 125.3), 203.55, 345.01, 413.71 keV (375 keV is
left out: Am-241 and U-237 interferences); Pu-240 160.31 keV
(4.0e-6), fitted together with its neighbours Pu-239 161.45 keV and U-237 164.61 keV (from Pu-241); Pu-241
from U-237 208.0 keV (in equilibrium after ~2 months) and Pu-241 148.57 keV. Activity ratios come from the same
relative-efficiency fit as uranium (:mod:`~radnuc.analysis.characterize.efficiency`, with plutonium
self-attenuation), then atom ratios with the half-lives of ``radioactivedecay``.

Pu-240 wt % is given relative to Pu-239 + Pu-240 + Pu-241; Pu-238 and Pu-242 are not measured (Pu-242 has no
usable gamma line; it is 0.02 % in weapon-grade and ~5 % in reactor-grade Pu, which lowers the true Pu-240
fraction of all Pu by that much — it does not move a material across the 7 % or 18 % limits except near them).
Grades (US DOE): weapon-grade < 7 % Pu-240, fuel-grade 7-18 %, reactor-grade ≥ 18 %.
Scintillators cannot resolve 160.3 keV from the Pu-239 lines: grade 'not determinable'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from radnuc.analysis.characterize.efficiency import LinePoint, _Curve, fit_relative_efficiency
from radnuc.analysis.characterize.errors import CharacterizeError
from radnuc.analysis.characterize.isotopes import ATOMIC_MASS_U, half_life_s, line_yield
from radnuc.analysis.characterize.peaks import calibrate, fit_window, peak_counts
from radnuc.physics.detectors import get_detector
from radnuc.spectra import Spectrum

__all__ = ["PlutoniumResult", "grade_for", "measure_plutonium"]

_PU239 = (129.30, 203.55, 345.01, 413.71)
_WINDOWS = (  # (labels, energies, low, high): label None = fitted interference
    (("Pu-239", None), (129.30, 125.30), 122.0, 133.5),
    (("Pu-240", "Pu-239", "Pu-241", None), (160.31, 161.45, 164.61, 165.81), 156.5, 168.0),  # 165.8: Am-241
    (("Pu-239", None), (203.55, 208.00), 199.5, 212.0),
    (("Pu-239",), (345.01,), 340.0, 350.0),
    (("Pu-239",), (413.71,), 408.0, 419.0),
)
SYSTEMATIC = 0.05
ABSORBERS = ("Fe", "Cd")  # external absorber materials tried in the efficiency fit


def grade_for(pu240_pct: float) -> str:
    """'weapons-grade' (< 7 % Pu-240), 'fuel-grade' (7-18 %) or 'reactor-grade' (≥ 18 %)."""
    if pu240_pct < 7.0:
        return "weapons-grade"
    return "fuel-grade" if pu240_pct < 18.0 else "reactor-grade"


@dataclass(frozen=True)
class PlutoniumResult:
    """Pu-240 wt % (of Pu-239+240+241) with 1-sigma, grade, or ``grade='not determinable'`` with a reason."""

    pu240_pct: float | None
    uncertainty_pct: float | None
    grade: str
    method: str
    reason: str = ""
    pu241_pct: float | None = None

    def to_dict(self) -> dict:
        def r(v):
            return None if v is None else round(v, 3)

        return {"pu240_pct": r(self.pu240_pct), "uncertainty_pct": r(self.uncertainty_pct), "grade": self.grade,
                "method": self.method, "reason": self.reason or None, "pu241_pct": r(self.pu241_pct)}


def measure_plutonium(spectrum: Spectrum, detector: str, background: np.ndarray | None = None) -> PlutoniumResult:
    """Pu-240 content and grade (see the module docstring)."""
    if not detector.startswith("hpge"):
        return PlutoniumResult(None, None, "not determinable", "none",
                               f"{detector} cannot resolve the Pu-240 160.3 keV line: HPGe needed")
    if spectrum.calibration is None:
        raise CharacterizeError("spectrum has no energy calibration")
    det = get_detector(detector)
    edges = spectrum.calibration.edges_kev
    counts = spectrum.counts.astype(float)

    def fwhm(e):
        return float(det.fwhm_kev(e))

    shape = calibrate(counts, edges, (413.71, 345.01), fwhm, background=background)
    peaks: list = []
    for labels, energies, lo, hi in _WINDOWS:
        if hi > edges[-1]:
            continue
        for lab, pk in zip(labels, fit_window(counts, edges, energies, lo, hi, fwhm, shape, background),
                           strict=True):
            if lab is not None:
                peaks.append((lab, pk))
    z239 = [p.significance for lab, p in peaks if lab == "Pu-239"]
    if not z239 or sum(z239) / math.sqrt(len(z239)) < 5.0:
        return PlutoniumResult(None, None, "not determinable", "hpge-relative-efficiency",
                               "no plutonium: Pu-239 lines not significant")
    # pass 1: efficiency curve from Pu-239 lines outside the 160 keV multiplet, with Pu-241 (U-237 208 keV,
    # 164.6 keV) as the second isotope
    (_, pk208) = fit_window(counts, edges, (203.55, 208.00), 199.5, 212.0, fwhm, shape, background)
    pts = [LinePoint(0, p.energy_kev, line_yield(lab, p.energy_kev), p.area, p.sigma)
           for lab, p in peaks if lab == "Pu-239" and p.energy_kev in _PU239]
    pts.append(LinePoint(1, 208.0, line_yield("Pu-241", 208.0), pk208.area, pk208.sigma))
    pts += [LinePoint(1, p.energy_kev, line_yield(lab, p.energy_kev, 0.05), p.area, p.sigma)
            for lab, p in peaks if lab == "Pu-241"]
    # external absorber: iron, or cadmium (the usual filter of the 59.5 keV Am-241 line); the one that fits the
    # lines better (iron mimicking 1.5 mm of Cd read Pu-240 5 % high)
    fit = min((fit_relative_efficiency(pts, detector, "Pu", absorber=m) for m in ABSORBERS),
              key=lambda f: f.reduced_chi2)
    curve = _Curve(detector, np.array([159.96]), "Pu", fit.absorber)
    eff160 = float(curve(fit.absorber_g_cm2, fit.self_g_cm2)[0])
    a239 = fit.amplitude0
    a241 = a239 * fit.ratio
    # pass 2: the 160 keV multiplet again with the Pu-241 159.96 keV line (0.35 keV from Pu-240 160.31 keV, not
    # resolvable) as a known peak of the area pass 1 predicts: left free, it pulled the fitted 160.31 keV
    # centroid and pushed Pu-239 161.45 keV negative (reactor-grade Pu, where Pu-241 gives 3x the 160.31 keV
    # counts)
    pu241_part = a241 * line_yield("Pu-241", 159.96, 0.05) * eff160
    # Pu-239 160.19 keV (6.2e-8 per decay: 7 % of the Pu-240 160.31 keV counts in weapons-grade Pu), also merged
    known = (peak_counts(edges, 159.96, pu241_part, fwhm, shape)
             + peak_counts(edges, 160.19, a239 * line_yield("Pu-239", 160.19, 0.05) * eff160, fwhm, shape))
    known = known if background is None else known + background
    _labels, energies160, lo160, hi160 = next(w for w in _WINDOWS if "Pu-240" in w[0])
    pk160 = fit_window(counts, edges, energies160, lo160, hi160, fwhm, shape, known)[0]
    area240 = pk160.area
    sig_area = math.hypot(pk160.sigma, pu241_part * (fit.ratio_sigma / fit.ratio if fit.ratio > 0 else 1.0))
    denom = line_yield("Pu-240", 160.31, 0.05) * eff160 * a239
    ratio = max(area240, 0.0) / denom
    sigma = math.hypot(sig_area / denom, SYSTEMATIC * ratio)
    # atoms: N240/N239 = A240/A239 * T240/T239; masses with atomic masses
    k = half_life_s("Pu-240") / half_life_s("Pu-239") * ATOMIC_MASS_U["Pu-240"] / ATOMIC_MASS_U["Pu-239"]
    k41 = half_life_s("Pu-241") / half_life_s("Pu-239") * ATOMIC_MASS_U["Pu-241"] / ATOMIC_MASS_U["Pu-239"]
    m240 = ratio * k
    pu241 = fit.ratio * k41 if pk208.significance >= 3 else None
    total = 1.0 + m240 + (pu241 or 0.0)
    pct = 100.0 * m240 / total
    unc = 100.0 * sigma * k / total * (1.0 - m240 / total)
    if unc > 0.5 * pct and unc > 5.0:
        return PlutoniumResult(pct, unc, "not determinable", "hpge-relative-efficiency",
                               f"too few counts: Pu-240 {pct:.2g} ± {unc:.2g} %",
                               None if pu241 is None else 100.0 * pu241 / total)
    lo, hi = pct - unc, pct + unc
    grade = grade_for(pct)
    reason = "" if grade_for(max(lo, 0)) == grade_for(hi) == grade else \
        f"1-sigma interval {max(lo, 0):.3g}-{hi:.3g} % spans a grade boundary"
    return PlutoniumResult(pct, unc, grade, "hpge-relative-efficiency", reason,
                           None if pu241 is None else 100.0 * pu241 / total)
