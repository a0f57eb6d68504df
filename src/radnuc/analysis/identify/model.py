"""The spectrum model of one identification: the data of one spectrum against one template library.

It holds the analysed channels, the background (measured, or the natural-background model), the continuum
nuisances and the templates projected to a calibration correction (gain, offset keV), and fits them
(:meth:`SpectrumModel.fit`). Projections per correction, backscatter bumps and fits are kept for the life of
the model, so a fit asked for twice (selection, pruning, description) is computed once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from radnuc.analysis.errors import AnalysisError
from radnuc.analysis.identify.background_measurement import denoised_background
from radnuc.analysis.identify.evidence import strongest_line_above
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.poisson_fit import Fit, fit_nonnegative
from radnuc.analysis.identify.result import FittedModel
from radnuc.analysis.identify.templates import BACKGROUND_COMPONENTS, TemplateLibrary
from radnuc.physics.detectors import get_detector
from radnuc.spectra import Spectrum

SHAPE_UNCERTAINTY = 0.1  # peak position/width uncertainty of the templates, as a fraction of the FWHM
#: With a measured background, how far (relative, 1 sigma) the continuum nuisances may reshape it: the background
#: under the object differs from the measurement by shadowing and room changes of a few percent. Free nuisances
#: (the model-background case) took half of a weak source's likelihood ratio with its Compton continuum (NaI at
#: the ideal identifier's N99: 2 dL 12-17 instead of 28-41); at 0.02, 22-25 (bench notes in docs/identify.md).
CONTINUUM_BACKGROUND_SHAPE = 0.02
#: ... and how far relative to the data's excess over the measured background under a nuisance: the continuum of
#: a real source (scatter in its holder and the room, detector response) departs from the template's by tens of
#: percent, so a strong source leaves the nuisances free as before.
CONTINUUM_SOURCE_SHAPE = 0.5
#: Natural nuclides. Without a measured background the built-in background has free components for their series
#: as the ground around the detector emits them; a local source of them is told from that only by what the ground
#: does not show: unattenuated low-energy lines and X-rays (a bare source). So without a measured background the
#: bare variant is a candidate and the variant behind NATURAL_BACKGROUND_SHIELD is a free background component:
#: radon progeny and thorium behind walls, shielding or the ground itself, whose hardened line ratios a real
#: background shows (the real HPGe portal background of tests/data/portal read as Ra-226 behind lead, 1.00),
#: and which a shielded natural source cannot be told from without a background measurement. K-40 has one
#: line, so its background component covers every variant. Natural uranium (NU: U-238 with Th-234, Pa-234m and
#: U-235, without radium) is the ground's uranium without its radium part: shielded, it is as indistinguishable from
#: the ground's as U-238.
MODEL_BACKGROUND_NORM = frozenset({"K-40", "Ra-226", "Th-232", "U-238", "NU"})
#: The natural nuclides with lines of their own beyond one: K-40 has one line, so its background component covers
#: every variant and nothing but a measured background tells a local K-40 source from the ground's.
MULTI_LINE_NATURAL = MODEL_BACKGROUND_NORM - {"K-40"}
NATURAL_BACKGROUND_SHIELD = "lead 1 cm"
#: Without a measured background, the most natural radioactivity the built-in background may hold, per natural
#: series, as a multiple of the UNSCEAR 2000 world-median site it is computed for (K-40 400, U-238 35, Th-232
#: 30 Bq/kg in soil) at the spectrum's live time. National soil ranges reach ~4-10x those medians (UNSCEAR 2000
#: Annex B, table 5), indoor radon progeny add to the uranium series, and a detector larger than its model sees
#: more; the real backgrounds in ../shared/data hold 0.02-0.5x per series against the model (RadiaCode CsI,
#: ORTEC portal HPGe). Beyond this bound the natural lines are a local source: the real RadiaCode Th-232 source
#: read without its background (153 counts/s, 43x the instrument's background) needs 132x of the Th series and
#: was reported as nothing while the free series components took it.
NATURAL_SITE_FACTOR_MAX = 20.0
#: Library background components (:data:`BACKGROUND_COMPONENTS`) of the natural series, and the series whose
#: expected counts bound each natural nuclide's NATURAL_BACKGROUND_SHIELD component.
NATURAL_SERIES_COMPONENTS = ("K40", "U238", "Th232")
NATURAL_NUCLIDE_SERIES = {"Ra-226": "U238", "U-238": "U238", "NU": "U238", "Th-232": "Th232"}

Gain = tuple[float, float]  # (relative gain correction, offset correction keV)

#: Coarse-grid template projections, kept between spectra (key: detector, calibration, gain, rows).
_COARSE_PROJECTIONS: dict[tuple, tuple[np.ndarray, np.ndarray | None]] = {}
_COARSE_PROJECTIONS_MAX = 256
_COARSE_PROJECTIONS_LOCK = threading.Lock()  # the web service may identify in several threads


@dataclass(frozen=True)
class ModelFit(Fit):
    """A fit with what each amplitude belongs to: ("background", j), ("template", row) or ("bump", row)."""

    layout: tuple = ()


@dataclass
class Selection:
    """The selected library rows and the fit of the model with them."""

    rows: list[int]
    amplitudes: np.ndarray  # background components first, then the selected rows
    mean: np.ndarray
    loglike: float
    dispersion: float


def gain_key(gain: Gain) -> tuple[float, float]:
    return round(gain[0], 6), round(gain[1], 4)


class SpectrumModel:
    """The data of one spectrum against one library: channel mask, background, templates per gain."""

    def __init__(self, y, mask, edges, library: TemplateLibrary, measured_bg, candidates, live_time,
                 model_uncertainty: float = 0.05, measured_scale: float = 0.0):
        self.y = y
        self.mask = mask
        self.edges = edges
        self.library = library
        self.measured_bg = measured_bg
        #: foreground / background live time: the measured background's own Poisson variance, per count of it
        #: in the foreground model, is this (counts scaled by s have variance s x the scaled counts)
        self.measured_scale = measured_scale
        self.candidates = candidates  # library rows allowed
        #: library rows that are free background components (model background only: see MODEL_BACKGROUND_NORM)
        self.natural_rows = natural_background_rows(library) if measured_bg is None else np.zeros(0, dtype=int)
        self.live_time = live_time
        self.background_follows_gain = False
        #: how well the measured background's lines sit at a calibration correction (set by the gain search;
        #: a ``calibration_anchor.CalibrationAnchor``), None where not used
        self.calibration_anchor = None
        self.model_uncertainty = model_uncertainty
        self.detector = get_detector(library.detector)
        inside = np.flatnonzero(mask)
        if inside[-1] - inside[0] + 1 != inside.size:  # increasing edges (as calibrations guarantee): one run
            raise AnalysisError("the analysed channels are not contiguous: is the calibration increasing?")
        self.sub_edges = edges[inside[0]:inside[-1] + 2]  # the edges of the analysed channels
        #: what the coarse projections of this spectrum share with other spectra
        self.calibration_key = (library.detector, id(library), hash(np.asarray(edges, float).tobytes()),
                                int(inside[0]), int(inside[-1]))
        self.centers = 0.5 * (edges[:-1] + edges[1:])[mask]
        self.channel_width = np.diff(edges)[mask]
        self.energy_jitter = SHAPE_UNCERTAINTY * self.detector.fwhm_kev(np.maximum(self.centers, 1.0))
        self.continuum = continuum_components(self.centers, self.channel_width)
        self.n_names = len({library.names[r] for r in candidates})
        self._components: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._fits: dict[tuple, ModelFit] = {}
        self._bumps: dict[tuple, np.ndarray | None] = {}
        self._measured_cumulative = None if measured_bg is None else np.concatenate([[0.0], np.cumsum(measured_bg)])
        self.background_precision = (
            continuum_precision(self.continuum, measured_bg[mask], y) if measured_bg is not None
            else annihilation_precision(library, self.sub_edges, y, self.natural_rows.size, self.continuum.shape[0]))
        #: upper bounds of the background amplitudes (None: none; see NATURAL_SITE_FACTOR_MAX)
        self.background_upper = (
            natural_upper_bounds(library, self.natural_rows, live_time, self.continuum.shape[0])
            if measured_bg is None and live_time else None)

    @classmethod
    def build(cls, fg: Spectrum, bg: Spectrum | None, library: TemplateLibrary,
              options: IdentifyOptions) -> SpectrumModel:
        cal = fg.calibration
        edges = cal.edges_kev
        top = min(options.max_energy_kev, float(library.fine_edges_kev[-1]) / (1 + options.gain_range))
        bottom = max(options.min_energy_kev, float(library.fine_edges_kev[0]) * (1 + options.gain_range))
        mask = (edges[:-1] >= bottom) & (edges[1:] <= top)
        # the first and last channels of a multichannel analyser collect what falls below and above its range
        # (the real RadiaCode-103 trinitite spectrum holds 6,663 counts in its last channel, 2,813 keV, against
        # ~40 in its neighbours: read without its background, that one channel made the dispersion 1,000 and no
        # source was found)
        mask[[0, -1]] = False
        if mask.sum() < 16:
            raise AnalysisError(f"calibration covers too little of {bottom:.0f}-{top:.0f} keV "
                                f"({cal.energy_range_kev[0]:.0f}-{cal.energy_range_kev[1]:.0f} keV)")
        measured, scale = None, 0.0
        if bg is not None:
            if bg.calibration is not None and not bg.calibration.same_as(cal):
                bg = bg.rebinned(cal)
            if bg.n_channels != fg.n_channels:
                raise AnalysisError("background and foreground have different channel counts")
            if fg.live_time_s is None or bg.live_time_s is None:
                raise AnalysisError("background subtraction needs live times in both spectra")
            det = get_detector(library.detector)
            fwhm_channels = det.fwhm_kev(np.maximum(cal.centers_kev, 1.0)) / np.diff(edges)
            measured = denoised_background(bg.counts, fwhm_channels, cal.centers_kev)
            scale = fg.live_time_s / bg.live_time_s
            measured = measured * scale
            if measured.sum() <= 0:
                measured = None
        rows = [r for r, name in enumerate(library.names)
                if not (measured is None and name in MODEL_BACKGROUND_NORM and library.variants[r] != "bare")]
        return cls(fg.counts[mask].astype(float), mask, edges, library, measured, np.array(rows), fg.live_time_s,
                   options.model_uncertainty, scale if measured is not None else 0.0)

    def background_kind(self, origin: str) -> str:
        return "model" if self.measured_bg is None else origin

    # --- components ---------------------------------------------------------------------------
    def components(self, gain: Gain) -> tuple[np.ndarray, np.ndarray]:
        """(candidate templates, background and continuum components) for a (gain, offset keV) correction."""
        key = gain_key(gain) + (self.background_follows_gain,)
        if key not in self._components:
            templates, background = self.library.rebinned(self.sub_edges, gain[0], gain[1],
                                                          background=self.measured_bg is None)
            templates = np.clip(templates, 0.0, None)
            if self.natural_rows.size:
                background = np.vstack([background, templates[self.natural_rows]])
            background = np.vstack([self.background_at(gain, background), self.continuum])
            self._components[key] = (templates, background)
        return self._components[key]

    def projected(self, gain: Gain, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Templates of ``rows`` on the analysed channels for ``gain`` and the model background components (None
        with a measured background), not kept (the gain search tries each correction once)."""
        rows = np.asarray(rows, dtype=int)
        templates, background = self.library.rebinned(self.sub_edges, gain[0], gain[1],
                                                      rows=np.concatenate([rows, self.natural_rows]),
                                                      background=self.measured_bg is None)
        templates = np.clip(templates, 0.0, None)
        if self.natural_rows.size:
            background = np.vstack([background, templates[rows.size:]])
        return templates[:rows.size], background

    def coarse_projected(self, gain: Gain, rows: np.ndarray, groups: np.ndarray):
        """:meth:`projected`, summed into the channel ``groups``, for a gain of the coarse search grid: the same
        for every spectrum of the same detector and calibration, so kept between spectra."""
        key = self.calibration_key + gain_key(gain) + (hash(np.asarray(rows).tobytes()), self.measured_bg is None)
        cached = _COARSE_PROJECTIONS.get(key)
        if cached is None:
            templates, background = self.projected(gain, rows)
            templates = np.add.reduceat(templates, groups, axis=1)
            if background is not None:
                background = np.add.reduceat(np.clip(background, 0.0, None), groups, axis=1)
            cached = (templates, background)
            with _COARSE_PROJECTIONS_LOCK:
                if len(_COARSE_PROJECTIONS) >= _COARSE_PROJECTIONS_MAX:  # oldest out
                    _COARSE_PROJECTIONS.pop(next(iter(_COARSE_PROJECTIONS)))
                _COARSE_PROJECTIONS[key] = cached
        return cached

    def background_at(self, gain: Gain, model_background: np.ndarray | None,
                      groups: np.ndarray | None = None) -> np.ndarray:
        """Background components on the analysed channels (summed into ``groups`` if given) for a calibration
        correction; ``model_background`` is on those channels (or groups) already."""
        if self.measured_bg is None:
            return np.clip(model_background, 0.0, None)
        if not self.background_follows_gain:
            measured = self.measured_bg[self.mask]
        else:
            # the background was measured with the stated calibration: move it with the correction
            true_edges = (self.edges - gain[1]) / (1.0 + gain[0])
            shifted = np.diff(np.interp(true_edges, self.edges, self._measured_cumulative))
            measured = np.clip(shifted[self.mask], 0.0, None)
        return (measured if groups is None else np.add.reduceat(measured, groups))[None, :]

    def backscatter(self, row: int, gain: Gain) -> np.ndarray | None:
        """A broad bump at the 180-degree backscatter energy of the row's strongest line above 300 keV.

        How many photons scatter back from walls, floor, holder or vehicle depends on the surroundings,
        not on the source, so its amplitude is free (a nuisance): without it, the mismatch between the
        template's nominal backscatter and the real one reads as a 150-250 keV line (HEU's 186 keV)."""
        key = (row,) + gain_key(gain)
        if key in self._bumps:
            return self._bumps[key]
        energy = strongest_line_above(self.library.names[row], 300.0)
        bump = None
        if energy is not None:
            e_bs = energy / (1.0 + 2.0 * energy / 511.0)
            sigma = np.hypot(0.12 * e_bs, float(self.detector.fwhm_kev(e_bs)) / 2.355)
            bump = np.exp(-0.5 * ((self.true_centers(gain) - e_bs) / sigma) ** 2) * self.channel_width
            total = bump.sum()
            bump = bump / total if total > 0 else None
        self._bumps[key] = bump
        return bump

    def background_calibration_loglike(self, gain: Gain) -> float:
        """Relative log-likelihood of the measured background at the calibration this hypothesis gives it: the
        correction ``gain`` when it shares the foreground's calibration, the stated one when the foreground
        drifted from it (``background_follows_gain``); 0 without a :attr:`calibration_anchor`."""
        if self.calibration_anchor is None:
            return 0.0
        return self.calibration_anchor((0.0, 0.0) if self.background_follows_gain else gain)

    def true_centers(self, gain: Gain) -> np.ndarray:
        """Energies (keV) of the analysed channels' centres under the calibration correction ``gain``."""
        return (self.centers - gain[1]) / (1 + gain[0])

    # --- fits -------------------------------------------------------------------------------------
    def fit(self, gain: Gain, rows: list[int], weights=None, bumps_for=None, warm: ModelFit | None = None,
            extra: dict | None = None) -> ModelFit:
        """Fit background, continuum, the templates of ``rows`` and one environmental backscatter bump per
        source of ``bumps_for`` (default: every row; amplitudes of the nuisances come after the templates).

        ``warm``: an earlier fit whose amplitudes start this one (components matched by what they are; those it
        lacks start from ``extra`` {("template", row): amplitude}, else zero). The same fit asked for again
        (pruning, description) is not recomputed. Cold and warm starts are kept apart: the fit stops at a
        relative likelihood tolerance, which in a spectrum of 10^7 counts is several units of log-likelihood,
        so where it starts can change a decision."""
        key = gain_key(gain) + (self.background_follows_gain, tuple(rows),
                                None if bumps_for is None else tuple(bumps_for),
                                None if weights is None else hash(weights.tobytes()), warm is not None)
        if key in self._fits:
            return self._fits[key]
        templates, background = self.components(gain)
        parts = [background] + ([templates[rows]] if rows else [])
        layout = [("background", j) for j in range(background.shape[0])] + [("template", r) for r in rows]
        for r in (rows if bumps_for is None else bumps_for):
            bump = self.backscatter(r, gain)
            if bump is not None:
                parts.append(bump[None, :])
                layout.append(("bump", r))
        start = None
        if warm is not None:
            known = dict(zip(warm.layout, warm.amplitudes, strict=True)) | (extra or {})
            start = np.array([known.get(c, 0.0) for c in layout])
        fit = fit_nonnegative(self.y, np.vstack(parts), start, weights=weights,
                              precision=self.precision(len(layout)), upper=self.upper(len(layout)))
        fit = ModelFit(fit.amplitudes, fit.mean, fit.loglike, tuple(layout))
        self._fits[key] = fit
        return fit

    def precision(self, n_components: int) -> np.ndarray | None:
        """Prior precision of the amplitudes of a fit of ``n_components`` whose background components come
        first (:func:`continuum_precision` beside a measured background, :func:`annihilation_precision` beside the
        model background; the rest are free). None (no prior) when :attr:`background_precision` is None."""
        if self.background_precision is None:
            return None
        return np.concatenate([self.background_precision,
                               np.zeros(n_components - self.background_precision.size)])

    def upper(self, n_components: int) -> np.ndarray | None:
        """Upper bounds of the amplitudes of a fit of ``n_components`` whose background components come first
        (:func:`natural_upper_bounds` for the model background; the rest unbounded), None without bounds."""
        if self.background_upper is None:
            return None
        return np.concatenate([self.background_upper,
                               np.full(n_components - self.background_upper.size, np.inf)])

    def model_weights(self, fit: Fit, gain: Gain) -> np.ndarray:
        """Weights for a fit: the systematic amplitude term applies to the modelled part only — a measured
        background is data, known to Poisson precision (its own counting variance, ``measured_scale`` x its
        content, is added: a background measured for as long as the foreground doubles the variance of what it
        explains), while templates and continuum are physics models."""
        if self.measured_bg is None:
            return self.weights(fit.mean)
        _, background = self.components(gain)
        measured_part = np.clip(fit.amplitudes[0] * background[0], 0.0, None)
        return self.weights(fit.mean, np.clip(fit.mean - measured_part, 0.0, None),
                            self.measured_scale * measured_part)

    def weights(self, mean: np.ndarray, modelled: np.ndarray | None = None,
                extra_variance: np.ndarray | None = None) -> np.ndarray:
        """Channel weights Poisson / (Poisson + systematic) variance. The systematic part has an amplitude
        term (``model_uncertainty`` x mean) and a shape term: peak positions and widths known to
        ``SHAPE_UNCERTAINTY`` x FWHM, i.e. (dmu/dE x that energy) — large on the flanks of strong peaks,
        where real detectors and models disagree most, and zero on flat continua."""
        modelled = mean if modelled is None else modelled
        slope = np.gradient(modelled) / self.channel_width
        floor = np.maximum(mean, 1.0)
        systematic = (self.model_uncertainty * modelled) ** 2 + (slope * self.energy_jitter) ** 2
        if extra_variance is not None:
            systematic = systematic + extra_variance
        return floor / (floor + systematic)

    def pearson(self, mean: np.ndarray) -> float:
        """Pearson chi-square of the data against ``mean``, with the systematic term in the variance."""
        variance = np.maximum(mean, 1.0) + (self.model_uncertainty * mean) ** 2
        return float(np.sum((self.y - mean) ** 2 / variance))

    def dispersion(self, mean: np.ndarray, n_params: int) -> float:
        """Pearson chi-square per degree of freedom, with the systematic term in the variance (at least 1)."""
        dof = max(int(self.y.size) - n_params, 1)
        return max(1.0, self.pearson(mean) / dof)

    def fitted_model(self, selection: Selection, gain: Gain) -> FittedModel:
        """The fitted components for plots: background (with the environmental backscatter) and each source."""
        templates, background = self.components(gain)
        n_bg = background.shape[0]
        bg = selection.amplitudes[:n_bg] @ background
        bumps = [b for b in (self.backscatter(r, gain) for r in selection.rows) if b is not None]
        first_bump = n_bg + len(selection.rows)
        for index, bump in enumerate(bumps):  # environmental backscatter counts as background in the plot
            bg = bg + selection.amplitudes[first_bump + index] * bump
        components = {}
        for position, row in enumerate(selection.rows):
            label = f"{self.library.names[row]} ({self.library.variants[row]})"
            components[label] = selection.amplitudes[n_bg + position] * templates[row]
        return FittedModel(self.centers, self.y, bg, components, self.mask)


def natural_background_rows(library: TemplateLibrary) -> np.ndarray:
    """Library rows that are free components of the built-in background: the MULTI_LINE_NATURAL nuclides behind
    NATURAL_BACKGROUND_SHIELD."""
    return np.array([r for r, (name, variant) in enumerate(zip(library.names, library.variants, strict=True))
                     if name in MULTI_LINE_NATURAL and variant == NATURAL_BACKGROUND_SHIELD],
                    dtype=int)


def natural_upper_bounds(library: TemplateLibrary, natural_rows: np.ndarray, live_time_s: float,
                         n_continuum: int) -> np.ndarray:
    """Upper bounds of the model background's amplitudes (its components, the ``natural_rows`` components, then
    ``n_continuum`` continuum nuisances): each natural series at most NATURAL_SITE_FACTOR_MAX x its counts at the
    reference site in ``live_time_s`` (the library's background is per second there), each natural nuclide's
    shielded component at most as many counts as that bound gives its series; the rest unbounded."""
    series_rate = {c: float(library.background[BACKGROUND_COMPONENTS.index(c)].sum())
                   for c in NATURAL_SERIES_COMPONENTS}  # counts/s at the reference site
    upper = np.full(len(BACKGROUND_COMPONENTS) + natural_rows.size + n_continuum, np.inf)
    for c in NATURAL_SERIES_COMPONENTS:
        upper[BACKGROUND_COMPONENTS.index(c)] = NATURAL_SITE_FACTOR_MAX * live_time_s
    for position, row in enumerate(natural_rows):
        counts = NATURAL_SITE_FACTOR_MAX * live_time_s * series_rate[NATURAL_NUCLIDE_SERIES[library.names[row]]]
        upper[len(BACKGROUND_COMPONENTS) + position] = counts / max(float(library.templates[row].sum()), 1e-300)
    return upper


def continuum_components(centers_kev: np.ndarray, widths_kev: np.ndarray) -> np.ndarray:
    """Broad non-negative bumps (Gaussians in log-energy, FWHM ~ 60% of E, 10 over 30-3000 keV) that absorb
    smooth continuum mismatch between the physics templates and a real detector, so that sources are
    recognised by their lines and not by continuum shape."""
    log_e = np.log(np.maximum(centers_kev, 1.0))
    nodes = np.linspace(np.log(30.0), np.log(3000.0), 10)
    sigma = 0.25
    bumps = np.exp(-0.5 * ((log_e[None, :] - nodes[:, None]) / sigma) ** 2) * widths_kev[None, :] / centers_kev
    return bumps / np.maximum(bumps.sum(axis=1, keepdims=True), 1e-12)


#: 1-sigma of the built-in background's 511 keV annihilation component, as a fraction of the spectrum's counts: the
#: line holds ~0.4 % of the real HPGe portal background's counts (tests/data/portal) and ~1 % in common
#: scintillator backgrounds, more under lead or at altitude. Free, it took all of an F-18 source (a PET patient:
#: 511 keV alone) read without a background measurement, which then went unreported at any strength.
ANNIHILATION_FRACTION = 0.02


def annihilation_precision(library: TemplateLibrary, sub_edges: np.ndarray, y: np.ndarray, n_natural: int,
                           n_continuum: int) -> np.ndarray:
    """Prior precision of the model background's amplitudes (its components, then ``n_natural`` natural-nuclide
    components and ``n_continuum`` continuum nuisances): all free (0) but the 511 keV annihilation line, whose
    counts have a zero-mean Gaussian prior of 1 sigma = ANNIHILATION_FRACTION x the counts of ``y``."""
    _, background = library.rebinned(sub_edges, rows=np.zeros(0, dtype=int))
    index = BACKGROUND_COMPONENTS.index("annihilation")
    per_unit = max(float(np.clip(background[index], 0.0, None).sum()), 1e-300)  # counts per unit amplitude
    sigma = ANNIHILATION_FRACTION * max(float(y.sum()), 1.0) / per_unit
    precision = np.zeros(background.shape[0] + n_natural + n_continuum)
    precision[index] = 1.0 / sigma**2
    return precision


def continuum_precision(continuum: np.ndarray, measured: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Prior precision (1 / counts^2) of the measured background's amplitude (0: free) and of each continuum
    nuisance beside a measured background: a nuisance's 1-sigma amplitude is CONTINUUM_BACKGROUND_SHAPE times the
    background counts under it, plus (in quadrature) CONTINUUM_SOURCE_SHAPE times the data's excess (or deficit)
    over the background there, "under" meaning weighted by the nuisance's shape scaled to a peak of 1."""
    shape = continuum / np.maximum(continuum.max(axis=1, keepdims=True), 1e-300)
    under = shape @ measured
    excess = np.abs(shape @ (y - measured))
    sigma2 = (CONTINUUM_BACKGROUND_SHAPE * under) ** 2 + (CONTINUUM_SOURCE_SHAPE * excess) ** 2 + 1.0
    return np.concatenate([[0.0], 1.0 / sigma2])
