"""Detector models: crystal, geometry, energy resolution and surroundings of the supported detector kinds.

Resolution: FWHM(E) = sqrt(a^2 + b^2 E + c^2 E^2) keV (E in keV): a electronic noise (keV), b the
counting-statistics term (keV^0.5), c the constant/non-proportionality term (fraction). Typical published
values at 662 keV: NaI(Tl) 3"x3" 7.0 %, 2"x2" 7.3 %, 1.5"x1.5" 7.5 % (Saint-Gobain data sheets), portal
log 2"x4"x16" ~8.5 %; CsI(Tl) pocket (RadiaCode-102 data sheet 9.8 %, units measured 8.5-9.5 %; here 9.0 %);
LaBr3(Ce) 1.5"x1.5" 2.9 % (BrilLanCe 380); CZT 1 cm3 2.5 % (coplanar-grid, e.g. Kromek GR1); coaxial
HPGe 40 % relative efficiency 1.9 keV at 1332 keV and ~1.0 keV at 122 keV (ORTEC GEM data sheets);
closed-end coaxial p-type crystal 62 mm x 60 mm with a 10 mm x 45 mm core hole, 0.7 mm Li outer dead layer,
5 mm end-cap-to-crystal gap (typical of 40 % coaxial detectors, e.g. ORTEC GEM-40 / Mirion GC4018 data sheets);
PVT ~25 % (the Compton edge is all a plastic shows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from radnuc.physics.errors import PhysicsError

KINDS = (
    "nai-1.5x1.5", "nai-2x2", "nai-3x3", "nai-2x4x16", "csi-pocket", "labr3-1.5x1.5", "czt-1cm3",
    "hpge-40pct", "pvt-portal",
)


@dataclass(frozen=True)
class DetectorModel:
    """One detector kind.

    Geometry: ``shape`` is "cylinder" (``diameter_cm`` x ``length_cm``, source on the axis facing the flat
    face) or "box" (``width_cm`` x ``height_cm`` front face, ``length_cm`` deep). All lengths in cm.
    ``window``: (material, g/cm2) in front of the crystal (housing, reflector). ``k_xray_elements``: the
    crystal elements whose K X-rays can escape. ``backscatter``: fraction of incident photons that are
    scattered back into the crystal by the surroundings (source holder, table, case, shield).
    ``threshold_kev``/``threshold_width_kev``: lower-level discriminator (smooth erf step).
    ``nonlinearity``: optional (amplitude, e-fold keV): apparent E = E (1 + amp exp(-E/efold)), the
    scintillator light-yield non-proportionality; None for linear.
    ``dead_layer_cm``: inactive outer layer (front and side) of the crystal. ``core_hole_cm``: (diameter, depth)
    of the core hole of a closed-end coaxial crystal, opening at the back face. ``endcap_gap_cm``: distance from
    the outside of the end cap to the crystal face (source distances are measured to the end cap).
    """

    kind: str
    description: str
    material: str
    shape: str
    length_cm: float
    diameter_cm: float = 0.0
    width_cm: float = 0.0
    height_cm: float = 0.0
    resolution: tuple[float, float, float] = (1.0, 1.0, 0.0)
    window: tuple[str, float] = ("Al", 0.14)
    k_xray_elements: tuple[str, ...] = ()
    backscatter: float = 0.02
    threshold_kev: float = 20.0
    threshold_width_kev: float = 3.0
    nonlinearity: tuple[float, float] | None = None
    dead_layer_cm: float = 0.0
    tags: tuple[str, ...] = field(default=())
    core_hole_cm: tuple[float, float] | None = None
    endcap_gap_cm: float = 0.0

    # --- resolution -----------------------------------------------------------------------------------
    def fwhm_kev(self, energy_kev) -> np.ndarray:
        """Full width at half maximum (keV) at ``energy_kev``."""
        e = np.maximum(np.asarray(energy_kev, dtype=float), 0.0)
        a, b, c = self.resolution
        return np.sqrt(a * a + b * b * e + c * c * e * e)

    def sigma_kev(self, energy_kev) -> np.ndarray:
        """Gaussian standard deviation (keV)."""
        return self.fwhm_kev(energy_kev) / 2.3548200450309493

    def fwhm_fraction(self, energy_kev: float = 661.657) -> float:
        """Relative resolution FWHM/E at ``energy_kev`` (default the Cs-137 line)."""
        return float(self.fwhm_kev(energy_kev) / energy_kev)

    def with_resolution(self, fwhm_frac_at_662: float) -> DetectorModel:
        """Copy with the statistical term rescaled to give ``fwhm_frac_at_662`` at 662 keV."""
        import dataclasses

        a, b, c = self.resolution
        target = (fwhm_frac_at_662 * 661.657) ** 2
        b2 = max((target - a * a - (c * 661.657) ** 2) / 661.657, 1e-6)
        return dataclasses.replace(self, resolution=(a, math.sqrt(b2), c))

    # --- geometry -------------------------------------------------------------------------------------
    @property
    def front_area_cm2(self) -> float:
        """Area of the face turned toward the source (cm2)."""
        if self.shape == "cylinder":
            return math.pi * self.diameter_cm**2 / 4
        return self.width_cm * self.height_cm

    @property
    def volume_cm3(self) -> float:
        return self.front_area_cm2 * self.length_cm

    @property
    def surface_cm2(self) -> float:
        if self.shape == "cylinder":
            r = self.diameter_cm / 2
            return 2 * math.pi * r * r + 2 * math.pi * r * self.length_cm
        w, h, d = self.width_cm, self.height_cm, self.length_cm
        return 2 * (w * h + w * d + h * d)

    @property
    def mean_chord_cm(self) -> float:
        """Mean chord length 4V/S of the crystal (Cauchy), the escape length of scattered photons."""
        return 4 * self.volume_cm3 / self.surface_cm2

    def geometric_efficiency(self, distance_cm: float | None) -> float:
        """Fraction of isotropically emitted photons that hit the front face from a point source on the axis
        at ``distance_cm`` (cm, source to the detector face: the end cap, ``endcap_gap_cm`` in front of the
        crystal). None gives 1 (response per photon incident on the face)."""
        if distance_cm is None:
            return 1.0
        d = float(distance_cm)
        if d <= 0:
            raise PhysicsError("source distance must be > 0 cm")
        d += self.endcap_gap_cm
        if self.shape == "cylinder":
            r = self.diameter_cm / 2
            return 0.5 * (1 - d / math.sqrt(d * d + r * r))
        a, b = self.width_cm, self.height_cm
        omega = 4 * math.asin(a * b / math.sqrt((a * a + 4 * d * d) * (b * b + 4 * d * d)))
        return omega / (4 * math.pi)

    def apparent_energy(self, energy_kev) -> np.ndarray:
        """Energy at which a deposit of ``energy_kev`` appears (non-proportionality), keV."""
        e = np.asarray(energy_kev, dtype=float)
        if self.nonlinearity is None:
            return e
        amp, efold = self.nonlinearity
        return e * (1 + amp * np.exp(-e / efold))


def _nai(kind: str, desc: str, d: float, length: float, frac: float, bs: float) -> DetectorModel:
    # stat term chosen so that FWHM(662) = frac with a = 2 keV noise, c = 3 % constant term
    a, c = 2.0, 0.03
    b = math.sqrt(((frac * 661.657) ** 2 - a * a - (c * 661.657) ** 2) / 661.657)
    return DetectorModel(kind, desc, "NaI", "cylinder", length, diameter_cm=d, resolution=(a, b, c),
                         window=("Al", 0.135), k_xray_elements=("I",), backscatter=bs, threshold_kev=25.0,
                         tags=("scintillator",))


def _build() -> dict[str, DetectorModel]:
    ins = 2.54
    dets = [
        _nai("nai-1.5x1.5", 'NaI(Tl) 1.5"x1.5" handheld (RIID) crystal', 1.5 * ins, 1.5 * ins, 0.075, 0.02),
        _nai("nai-2x2", 'NaI(Tl) 2"x2" crystal', 2 * ins, 2 * ins, 0.073, 0.02),
        _nai("nai-3x3", 'NaI(Tl) 3"x3" laboratory crystal', 3 * ins, 3 * ins, 0.070, 0.025),
        DetectorModel("nai-2x4x16", 'NaI(Tl) 2"x4"x16" portal log (4"x16" face toward the lane)', "NaI",
                      "box", 2 * ins, width_cm=4 * ins, height_cm=16 * ins,
                      resolution=(3.0, math.sqrt(((0.085 * 661.657) ** 2 - 9 - (0.035 * 661.657) ** 2)
                                                / 661.657), 0.035),
                      window=("Fe", 0.4), k_xray_elements=("I",), backscatter=0.04, threshold_kev=30.0,
                      tags=("scintillator", "portal")),
        DetectorModel("csi-pocket", "CsI(Tl) pocket spectrometer, 10x10x10 mm crystal (RadiaCode-102 like)",
                      "CsI", "box", 1.0, width_cm=1.0, height_cm=1.0,
                      resolution=(2.0, math.sqrt(((0.090 * 661.657) ** 2 - 4 - (0.035 * 661.657) ** 2)
                                                / 661.657), 0.035),
                      window=("PVT", 0.25), k_xray_elements=("Cs", "I"), backscatter=0.06,
                      threshold_kev=18.0, threshold_width_kev=3.0, tags=("scintillator", "pocket")),
        DetectorModel("labr3-1.5x1.5", 'LaBr3(Ce) 1.5"x1.5" crystal', "LaBr3", "cylinder", 1.5 * ins,
                      diameter_cm=1.5 * ins,
                      resolution=(1.5, math.sqrt(((0.029 * 661.657) ** 2 - 2.25 - (0.012 * 661.657) ** 2)
                                                / 661.657), 0.012),
                      window=("Al", 0.135), k_xray_elements=("La", "Br"), backscatter=0.02, threshold_kev=20.0,
                      tags=("scintillator",)),
        DetectorModel("czt-1cm3", "CdZnTe 1 cm3 coplanar-grid/pixelated detector", "CdZnTe", "box", 1.0,
                      width_cm=1.0, height_cm=1.0,
                      resolution=(3.0, math.sqrt(((0.025 * 661.657) ** 2 - 9 - (0.015 * 661.657) ** 2)
                                                / 661.657), 0.015),
                      window=("Al", 0.05), k_xray_elements=("Cd", "Te"), backscatter=0.02, threshold_kev=20.0,
                      tags=("semiconductor",)),
        DetectorModel("hpge-40pct", "coaxial p-type HPGe, 40 % relative efficiency (62 mm x 60 mm)", "Ge",
                      "cylinder", 6.0, diameter_cm=6.2, resolution=(1.0, math.sqrt(0.001642), 4.9e-4),
                      window=("Al", 0.27), k_xray_elements=("Ge",), backscatter=0.03, threshold_kev=15.0,
                      threshold_width_kev=1.0, dead_layer_cm=0.07, tags=("semiconductor",),
                      core_hole_cm=(1.0, 4.5), endcap_gap_cm=0.5),
        DetectorModel("pvt-portal", 'PVT plastic portal panel 2"x15"x60" (15"x60" face toward the lane)',
                      "PVT", "box", 2 * ins, width_cm=15 * ins, height_cm=60 * ins,
                      resolution=(5.0, math.sqrt(((0.25 * 661.657) ** 2 - 25) / 661.657), 0.0),
                      window=("Fe", 0.4), backscatter=0.04, threshold_kev=40.0, threshold_width_kev=10.0,
                      tags=("scintillator", "portal", "gross-counts")),
    ]
    return {d.kind: d for d in dets}


_DETECTORS: dict[str, DetectorModel] | None = None


def detector_kinds() -> tuple[str, ...]:
    """The supported detector kind names (the ``--detector`` values less ``auto``)."""
    return KINDS


def get_detector(kind: str | DetectorModel) -> DetectorModel:
    """The model of detector ``kind`` (one of :data:`KINDS`); a DetectorModel is returned as is."""
    global _DETECTORS
    if isinstance(kind, DetectorModel):
        return kind
    if _DETECTORS is None:
        _DETECTORS = _build()
    key = str(kind).strip().lower()
    if key not in _DETECTORS:
        raise PhysicsError(f"unknown detector kind {kind!r}; one of {', '.join(KINDS)}")
    return _DETECTORS[key]


#: One detector kind per resolution class, for choosing a model from a measured resolution (the mid-size NaI).
RESOLUTION_CLASSES = ("nai-2x2", "csi-pocket", "labr3-1.5x1.5", "czt-1cm3", "hpge-40pct", "pvt-portal")


def guess_detector(fwhm_frac_at_662: float) -> DetectorModel:
    """The detector kind whose resolution at 662 keV is nearest (in log) to ``fwhm_frac_at_662``.

    Scintillators of the same material differ only in size; the mid-size one is preferred (NaI 2"x2")."""
    if not (fwhm_frac_at_662 > 0 and math.isfinite(fwhm_frac_at_662)):
        raise PhysicsError("resolution must be a positive fraction (e.g. 0.07 for 7 % at 662 keV)")
    best = min(RESOLUTION_CLASSES,
               key=lambda k: abs(math.log(get_detector(k).fwhm_fraction() / fwhm_frac_at_662)))
    return get_detector(best)
