"""Radionuclide identification by full-spectrum Poisson likelihood with model selection.

Method (for a spectrum y on channels i, with the detector's template library T_k and background B):

1. Background: the measured background (given, or the background measurement in the file) scaled by live
   time, else the natural-background model in five free non-negative components (K-40, U and Th series,
   terrestrial scatter, cosmic).
2. Gain: the detector gain is searched over +-6% (1% steps, refined to 0.25%) by the likelihood of the best
   background-plus-one-source model; templates are rebinned to each gain from their fine grid.
3. Forward selection: starting from background alone, the candidate (nuclide or material, bare or behind
   steel or lead) whose addition raises the log-likelihood most is added while 2 dL exceeds the critical
   value of a one-sided chi-square test at ``alpha / n_candidates`` (look-elsewhere correction), with dL
   divided by the quasi-likelihood dispersion of the model after the addition (so template mismatch in
   high-count spectra does not create sources); up to ``max_sources``; then sources that no longer pass
   are pruned.
4. Confidence: P(present) from the same test, times P(this candidate rather than the best alternatives)
   = 1 / (1 + sum_j exp(-dL_j)) with dL_j how much worse the alternative j explains the same counts.
5. Unknown: an excess of more than ``unknown_sigma`` (after dispersion scaling) in a window of one FWHM
   that the final model does not explain is reported as unknown.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.stats import chi2

from radnuc.analysis.errors import AnalysisError
from radnuc.analysis.identify.detector_choice import choose_detector
from radnuc.analysis.identify.poisson_fit import fit_nonnegative, screen_additions, systematic_weights
from radnuc.analysis.identify.result import (
    Alternative,
    FittedModel,
    Identification,
    LineEvidence,
    NuclideID,
    UnknownRegion,
)
from radnuc.analysis.identify.templates import TemplateLibrary, build_library
from radnuc.physics.detectors import get_detector
from radnuc.physics.response import line_template
from radnuc.physics.synthesis.source_spec import resolve_source
from radnuc.spectra import MeasurementSet, Spectrum

log = logging.getLogger(__name__)

SHAPE_UNCERTAINTY = 0.1  # peak position/width uncertainty of the templates, as a fraction of the FWHM
_MODEL_BACKGROUND_NORM = {"K-40", "Ra-226", "Th-232", "U-238"}  # absorbed by the background components


@dataclass(frozen=True)
class IdentifyOptions:
    """Tuning of the engine. ``alpha``: probability, per spectrum, of a false identification from
    background fluctuations (split over the candidates); energies in keV; ``distance_cm`` (optional) turns
    fitted amplitudes into activities for an on-axis point source."""

    max_sources: int = 4
    alpha: float = 0.001
    gain_range: float = 0.06
    min_energy_kev: float = 30.0
    max_energy_kev: float = 3000.0
    unknown_sigma: float = 6.0
    model_uncertainty: float = 0.05
    min_counts: float = 20.0
    distance_cm: float | None = None
    cache_dir: Path | None = None


def identify(foreground: Spectrum, background: Spectrum | None = None, detector: str = "auto",
             measurements: MeasurementSet | None = None, options: IdentifyOptions = IdentifyOptions(),
             background_origin: str = "given") -> Identification:
    """Identify the sources in ``foreground`` (see the module docstring for the method)."""
    started = time.perf_counter()
    if foreground.calibration is None:
        raise AnalysisError("spectrum has no energy calibration; identification needs one")
    kind, how = choose_detector(detector, foreground, measurements)
    library = build_library(kind, options.cache_dir)
    problem = _Problem.build(foreground, background, library, options)
    notes = []
    if problem.y.sum() < options.min_counts:
        notes.append(f"only {problem.y.sum():.0f} counts in {options.min_energy_kev:.0f}-"
                     f"{options.max_energy_kev:.0f} keV: too few for an identification")
        return Identification(kind, how, (), (), problem.background_kind(background_origin), 0.0, 0.0, 1.0,
                              float(foreground.total_counts), foreground.live_time_s, tuple(notes))
    gain, selection = problem.best_selection(options)
    nuclides = problem.describe(selection, gain, options)
    unknown = problem.unknown_regions(selection, gain, options, nuclides)
    log.debug("identify: %s in %.1f ms", [n.name for n in nuclides], 1e3 * (time.perf_counter() - started))
    return Identification(
        detector=kind, detector_choice=how, nuclides=tuple(nuclides), unknown=tuple(unknown),
        background_source=problem.background_kind(background_origin), gain_correction=gain[0],
        offset_correction_kev=gain[1],
        reduced_chi2=selection.dispersion, total_counts=float(foreground.total_counts),
        live_time_s=foreground.live_time_s, notes=tuple(notes), model=problem.fitted_model(selection, gain),
    )


@dataclass
class _Selection:
    rows: list[int]
    amplitudes: np.ndarray  # background components first, then the selected rows
    mean: np.ndarray
    loglike: float
    dispersion: float


class _Problem:
    """The data of one spectrum against one library: channel mask, background, templates per gain."""

    def __init__(self, y, mask, edges, library: TemplateLibrary, measured_bg, candidates, live_time,
                 model_uncertainty: float = 0.05):
        self.y = y
        self.mask = mask
        self.edges = edges
        self.library = library
        self.measured_bg = measured_bg
        self.candidates = candidates  # library rows allowed
        self.live_time = live_time
        self._cache: dict[tuple[float, float, bool], tuple[np.ndarray, np.ndarray]] = {}
        self.background_follows_gain = False
        self.model_uncertainty = model_uncertainty
        centers = 0.5 * (edges[:-1] + edges[1:])[mask]
        self._channel_width = np.diff(edges)[mask]
        detector = get_detector(library.detector)
        self._energy_jitter = SHAPE_UNCERTAINTY * detector.fwhm_kev(np.maximum(centers, 1.0))
        self._gain_tolerance = 0.1 * float(detector.fwhm_kev(1000.0)) / 1000.0
        self._relative_fwhm = float(detector.fwhm_kev(661.657)) / 661.657
        self._centers = centers
        self._offset_tolerance = 0.1 * float(detector.fwhm_kev(60.0))
        self._continuum = _continuum_components(0.5 * (edges[:-1] + edges[1:])[mask], np.diff(edges)[mask])
        names = [library.names[r] for r in candidates]
        self.n_names = len(set(names))

    @classmethod
    def build(cls, fg: Spectrum, bg: Spectrum | None, library: TemplateLibrary, options: IdentifyOptions):
        cal = fg.calibration
        edges = cal.edges_kev
        top = min(options.max_energy_kev, float(library.fine_edges_kev[-1]) / (1 + options.gain_range))
        bottom = max(options.min_energy_kev, float(library.fine_edges_kev[0]) * (1 + options.gain_range))
        mask = (edges[:-1] >= bottom) & (edges[1:] <= top)
        if mask.sum() < 16:
            raise AnalysisError(f"calibration covers too little of {bottom:.0f}-{top:.0f} keV "
                                f"({cal.energy_range_kev[0]:.0f}-{cal.energy_range_kev[1]:.0f} keV)")
        measured = None
        if bg is not None:
            if bg.calibration is not None and not bg.calibration.same_as(cal):
                bg = bg.rebinned(cal)
            if bg.n_channels != fg.n_channels:
                raise AnalysisError("background and foreground have different channel counts")
            if fg.live_time_s is None or bg.live_time_s is None:
                raise AnalysisError("background subtraction needs live times in both spectra")
            measured = bg.counts * (fg.live_time_s / bg.live_time_s)
            if measured.sum() <= 0:
                measured = None
        rows = [r for r, name in enumerate(library.names)
                if not (measured is None and name in _MODEL_BACKGROUND_NORM)]
        return cls(fg.counts[mask].astype(float), mask, edges, library, measured, np.array(rows), fg.live_time_s,
                   options.model_uncertainty)

    def background_kind(self, origin: str) -> str:
        return "model" if self.measured_bg is None else origin

    # --- components ---------------------------------------------------------------------------
    def components(self, gain: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
        """(candidate templates, background and continuum components) for a (gain, offset keV) correction."""
        key = (round(gain[0], 6), round(gain[1], 4), self.background_follows_gain)
        if key not in self._cache:
            templates, background = self.library.rebinned(self.edges, gain[0], gain[1])
            templates = np.clip(templates[:, self.mask], 0.0, None)
            background = np.vstack([self._background_at(gain, background), self._continuum])
            self._cache[key] = (templates, background)
        return self._cache[key]

    def _fit(self, gain: tuple[float, float], rows: list[int], start=None, weights=None, bumps_for=None):
        """Fit background, continuum, the templates of ``rows`` and one environmental backscatter bump per
        source of ``bumps_for`` (default: every row; amplitudes of the nuisances come after the templates)."""
        templates, background = self.components(gain)
        parts = [background] + ([templates[rows]] if rows else [])
        bumps = [self._backscatter(r, gain) for r in (rows if bumps_for is None else bumps_for)]
        parts += [b[None, :] for b in bumps if b is not None]
        return fit_nonnegative(self.y, np.vstack(parts), start, weights=weights)

    def _backscatter(self, row: int, gain) -> np.ndarray | None:
        """A broad bump at the 180-degree backscatter energy of the row's strongest line above 300 keV.

        How many photons scatter back from walls, floor, holder or vehicle depends on the surroundings,
        not on the source, so its amplitude is free (a nuisance): without it, the mismatch between the
        template's nominal backscatter and the real one reads as a 150-250 keV line (HEU's 186 keV)."""
        name = self.library.names[row]
        energy = _strongest_line_above(name, 300.0)
        if energy is None:
            return None
        e_bs = energy / (1.0 + 2.0 * energy / 511.0)
        sigma = np.hypot(0.12 * e_bs, float(get_detector(self.library.detector).fwhm_kev(e_bs)) / 2.355)
        centers = self._true_centers(gain)
        bump = np.exp(-0.5 * ((centers - e_bs) / sigma) ** 2) * self._channel_width
        total = bump.sum()
        return bump / total if total > 0 else None

    def _model_weights(self, fit, gain) -> np.ndarray:
        """Weights for a fit: the systematic amplitude term applies to the modelled part only — a measured
        background is data, known to Poisson precision, while templates and continuum are physics models."""
        if self.measured_bg is None:
            return self._weights(fit.mean)
        _, background = self.components(gain)
        measured_part = fit.amplitudes[0] * background[0]
        return self._weights(fit.mean, np.clip(fit.mean - measured_part, 0.0, None))

    def _weights(self, mean: np.ndarray, modelled: np.ndarray | None = None) -> np.ndarray:
        """Channel weights Poisson / (Poisson + systematic) variance. The systematic part has an amplitude
        term (``model_uncertainty`` x mean) and a shape term: peak positions and widths known to
        ``SHAPE_UNCERTAINTY`` x FWHM, i.e. (dmu/dE x that energy) — large on the flanks of strong peaks,
        where real detectors and models disagree most, and zero on flat continua."""
        modelled = mean if modelled is None else modelled
        slope = np.gradient(modelled) / self._channel_width
        floor = np.maximum(mean, 1.0)
        systematic = (self.model_uncertainty * modelled) ** 2 + (slope * self._energy_jitter) ** 2
        return floor / (floor + systematic)

    def _dispersion(self, mean: np.ndarray, n_params: int) -> float:
        """Pearson chi-square per degree of freedom, with the systematic term in the variance (at least 1)."""
        variance = np.maximum(mean, 1.0) + (self.model_uncertainty * mean) ** 2
        pearson = float(np.sum((self.y - mean) ** 2 / variance))
        dof = max(int(self.y.size) - n_params, 1)
        return max(1.0, pearson / dof)

    # --- gain -----------------------------------------------------------------------------------
    def gain_hypotheses(self, gain_range: float, alpha: float = 0.001) -> list[tuple[tuple[float, float], bool]]:
        """Competing (gain, offset keV) corrections of the stated calibration, each with its background-drift
        hypothesis: the best one and, when it lies more than NEAR_STATED_GAIN away, the best near the stated
        calibration (``best_selection`` decides between them on the full model).

        Coarse search over the gain (1.5% steps) with the bare templates only, then a refinement in gain
        (golden-section search down to a tenth of the detector's relative FWHM, with the six best candidates
        only) and of the offset (+-6 keV, to a tenth of the FWHM at 60 keV). A measured background either shares
        the foreground's drift (measured with it) or not (measured before it): both hypotheses are tried."""
        bare = self.candidates[np.array([self.library.variants[r] == "bare" for r in self.candidates])]
        critical = chi2.isf(2 * alpha / max(self.n_names, 1), 1)
        smooth = np.convolve(self.y, np.ones(5) / 5, mode="same")
        modelled = smooth if self.measured_bg is None else np.clip(smooth - self.measured_bg[self.mask], 0, None)
        data_weights = self._weights(smooth, modelled)  # the model's systematic uncertainty, judged on the data

        base_cache: dict = {}
        warm: dict = {}

        groups = self._coarse_groups()
        coarse_y = np.add.reduceat(self.y, groups)
        coarse_weights = systematic_weights(np.add.reduceat(smooth, groups), self.model_uncertainty)

        def score(g: tuple[float, float], rows: np.ndarray, coarse: bool = False) -> tuple[float, np.ndarray]:
            """Penalised log-likelihood of background + best source; ``coarse`` sums channels into ~2% energy
            groups first, so that a search step larger than a narrow (HPGe) peak still sees the peaks."""
            templates, background = self.library.rebinned(self.edges, g[0], g[1], rows=rows)
            templates = np.clip(templates[:, self.mask], 0.0, None)
            y, w = (coarse_y, coarse_weights) if coarse else (self.y, data_weights)
            key = None if self.background_follows_gain else ("fixed", coarse)
            if key is not None and self.measured_bg is not None and key in base_cache:
                base = base_cache[key]  # a fixed measured background does not move with the gain
            else:
                comps = np.vstack([self._background_at(g, background), self._continuum])
                if coarse:
                    comps = np.add.reduceat(comps, groups, axis=1)
                start = warm.get((comps.shape[0], coarse))  # neighbouring gains have nearly the same amplitudes
                base = fit_nonnegative(y, comps, start, iterations=25, weights=w)
                warm[(comps.shape[0], coarse)] = base.amplitudes
                if key is not None and self.measured_bg is not None:
                    base_cache[key] = base
            if coarse:
                templates = np.add.reduceat(templates, groups, axis=1)
            delta, _ = screen_additions(y, base.mean, templates, iterations=5, weights=w)
            # a source improves the score only beyond the detection threshold (penalised likelihood), so a
            # template cannot buy a wrong calibration by patching the misaligned background
            return base.loglike + max(float(delta.max()) - 0.5 * critical, 0.0), delta

        def refine(g0: float, shortlist: np.ndarray) -> tuple[float, tuple[float, float]]:
            # intermediate grid at half the detector's relative FWHM (only narrow-line detectors need it)
            step = max(0.5 * self._relative_fwhm, 0.0025)
            middle = g0 + step * np.arange(-np.floor(0.0125 / step), np.floor(0.0125 / step) + 1)
            middle_scores = [score((g, 0.0), shortlist)[0] for g in middle]
            g_mid = float(middle[int(np.argmax(middle_scores))])
            half = min(step, 0.0125)
            gain = _golden_max(lambda g: score((g, 0.0), shortlist)[0], g_mid - half, g_mid + half,
                               self._gain_tolerance)
            offset = _golden_max(lambda o: score((gain, o), shortlist)[0], -6.0, 6.0, self._offset_tolerance)
            gain = _golden_max(lambda g: score((g, offset), shortlist)[0], gain - min(half, 0.004),
                               gain + min(half, 0.004), self._gain_tolerance)
            return score((gain, offset), shortlist)[0], (gain, offset)

        hypotheses: list[tuple[float, tuple[float, float], bool]] = []
        coarse = [(g, 0.0) for g in np.arange(-gain_range, gain_range + 1e-9, 0.015)]
        near = [i for i, c in enumerate(coarse) if abs(c[0]) <= NEAR_STATED_GAIN]
        for follows in ((False, True) if self.measured_bg is not None else (False,)):
            self.background_follows_gain = follows
            results = [score(c, bare, coarse=True) for c in coarse]
            scores = [r[0] for r in results]
            top = int(np.argmax(scores))
            starts = [top]
            # the best start near the stated calibration competes too: the one-source score can prefer a
            # wrong gain where one template lines up with another source's peaks (mixtures, chains)
            top_near = max(near, key=lambda i: scores[i]) if near else top
            if abs(coarse[top_near][0] - coarse[top][0]) > NEAR_STATED_GAIN:
                starts.append(top_near)
            for start in starts:
                shortlist = bare[np.argsort(results[start][1])[::-1][:6]]  # the candidates that matter here
                value, gain = refine(coarse[start][0], shortlist)
                hypotheses.append((value, gain, follows))
        hypotheses.sort(key=lambda h: -h[0])
        kept = [hypotheses[0]] + [h for h in hypotheses[1:] if abs(h[1][0] - hypotheses[0][1][0]) > NEAR_STATED_GAIN]
        self.background_follows_gain = kept[0][2]
        return [(h[1], h[2]) for h in kept[:2]]

    def _coarse_groups(self) -> np.ndarray:
        """Start indices of channel groups at least 2% of the energy wide (all channels for scintillators
        whose channels are already that wide)."""
        log_e = np.log(np.maximum(self._centers, 1.0))
        bucket = np.floor(log_e / np.log(1.02)).astype(int)
        return np.flatnonzero(np.concatenate([[True], np.diff(bucket) != 0]))

    def _background_at(self, gain: tuple[float, float], model_background: np.ndarray) -> np.ndarray:
        """Background components on the masked channels for a calibration correction."""
        if self.measured_bg is None:
            return np.clip(model_background[:, self.mask], 0.0, None)
        if not self.background_follows_gain:
            return self.measured_bg[self.mask][None, :]
        # the background was measured with the stated calibration: move it with the correction
        true_edges = (self.edges - gain[1]) / (1.0 + gain[0])
        cumulative = np.concatenate([[0.0], np.cumsum(self.measured_bg)])
        shifted = np.diff(np.interp(true_edges, self.edges, cumulative))
        return np.clip(shifted[self.mask], 0.0, None)[None, :]

    # --- selection ------------------------------------------------------------------------------
    def best_selection(self, options: IdentifyOptions) -> tuple[tuple[float, float], _Selection]:
        """The calibration correction and selection with the highest penalised likelihood over the competing
        gain hypotheses (each source costs half the detection threshold, as in the gain score)."""
        critical = chi2.isf(2 * options.alpha / max(self.n_names, 1), 1)
        best = None
        for gain, follows in self.gain_hypotheses(options.gain_range, options.alpha):
            self.background_follows_gain = follows
            selection = self.select(gain, options)
            value = selection.loglike - 0.5 * critical * len(selection.rows)
            if best is None or value > best[0]:
                best = (value, gain, follows, selection)
        _, gain, follows, selection = best
        self.background_follows_gain = follows
        return gain, selection

    def select(self, gain: tuple[float, float], options: IdentifyOptions) -> _Selection:
        templates, background = self.components(gain)
        critical = chi2.isf(2 * options.alpha / max(self.n_names, 1), 1)
        self.model_uncertainty = options.model_uncertainty
        fit = self._fit(gain, [])
        rows: list[int] = []
        for _ in range(options.max_sources):
            taken = {self.library.names[r] for r in rows}
            available = np.array([r for r in self.candidates if self.library.names[r] not in taken])
            if available.size == 0:
                break
            weights = self._model_weights(fit, gain)
            n_bg = background.shape[0]
            selected_part = (fit.amplitudes[n_bg:n_bg + len(rows)] @ templates[rows] if rows
                             else np.zeros_like(fit.mean))
            delta, screened = screen_additions(self.y, fit.mean, templates[available], weights=weights)
            # the screen adds each candidate to a base whose continuum nuisances have already absorbed part of
            # its counts; the shortlist is judged on the profile likelihood (base and candidate refitted
            # together). The candidate's own backscatter nuisance stays out of its test: it would buy likelihood
            # from continuum shape and favour candidates with lines above 300 keV (Mo-99 over Tc-99m).
            base = self._fit(gain, rows, start=fit.amplitudes, weights=weights)
            trials = []
            for index in np.argsort(delta)[::-1][:SHORTLIST]:
                row = int(available[index])
                joint = self._fit(gain, rows + [row], weights=weights, bumps_for=rows)
                if rows:
                    # beside selected sources the line evidence is judged conservatively: the candidate at its
                    # screened amplitude against the model without it (a refit would let the nuisances and the
                    # selected sources make room for a patch of their own mismatch)
                    contribution, rest = float(screened[index]) * templates[row], fit.mean
                else:
                    # the first source: against the rest of the jointly refitted model, whose continuum
                    # nuisances no longer hide the lines of a weak multi-line source
                    contribution = float(joint.amplitudes[n_bg]) * templates[row]
                    rest = joint.mean - contribution
                trials.append((joint.loglike - base.loglike, row, contribution, rest))
            accepted = None
            for gain_loglike, row, contribution, rest in sorted(trials, key=lambda t: -t[0]):
                phi = self._dispersion(rest + contribution, n_bg + len(rows) + 1)
                if 2 * gain_loglike / phi < critical:
                    continue
                if not self._has_line(self.library.names[row], contribution, rest, gain, phi, selected_part):
                    continue  # a continuum-only improvement is template mismatch, not a source
                accepted = row
                break
            if accepted is None:
                break
            rows.append(accepted)
            fit = self._fit(gain, rows)
        rows, fit = self._prune(gain, rows, fit, critical)
        fit = self._fit(gain, rows)
        n_params = background.shape[0] + len(rows)
        return _Selection(rows, fit.amplitudes, fit.mean, fit.loglike, self._dispersion(fit.mean, n_params))

    def _has_line(self, name: str, contribution: np.ndarray, base_mean: np.ndarray, gain, phi: float,
                  selected_part: np.ndarray) -> bool:
        """The candidate's lines stand out where the data show an excess over the model without it: the
        line-window excesses combine (in quadrature over disjoint windows) to at least 3 sigma after
        dispersion and systematic scaling, and the data carry at least 30% of the counts the candidate
        predicts there. A candidate whose gain comes only from continuum shape is template mismatch."""
        squares, excess_total, predicted_total = 0.0, 0.0, 0.0
        used = np.zeros(self.y.size, dtype=bool)
        excesses, predictions, noises = [], [], []
        for line in self._line_evidence(name, contribution, base_mean, gain):
            window = self._window(line.energy_kev, gain) & ~used
            if not window.any():
                continue
            used |= window
            excess = float(self.y[window].sum() - base_mean[window].sum())
            expected = float(base_mean[window].sum())
            # per-channel amplitude error of the whole model, plus the error of the sources already selected:
            # a line-ratio or peak-shape mismatch of a real detector moves all channels of a window together,
            # so it adds linearly over the window (a weak candidate must not merely patch a strong source)
            systematic = (float(np.sum((self.model_uncertainty * base_mean[window]) ** 2))
                          + (SELECTED_SOURCE_SYSTEMATIC * float(selected_part[window].sum())) ** 2)
            noise = np.sqrt(max(expected, 1.0) * phi + systematic)
            predicted = float(contribution[window].sum())
            if excess > 0:  # a window testifies only for what the candidate can explain there
                squares += (min(excess, (1.0 + LINE_RATIO_TOLERANCE) * predicted) / noise) ** 2
            excess_total += excess
            predicted_total += predicted
            excesses.append(excess)
            predictions.append(predicted)
            noises.append(noise)
        if not (squares >= 9.0 and excess_total > 0.3 * predicted_total):
            return False
        if not selected_part.any():
            return True  # the first source: nothing it could be patching
        return _line_pattern_consistent(np.array(excesses), np.array(predictions), np.array(noises))

    def _window(self, energy_kev: float, gain) -> np.ndarray:
        half = float(get_detector(self.library.detector).fwhm_kev(energy_kev))
        return np.abs(self._true_centers(gain) - energy_kev) <= half

    def _prune(self, gain, rows, fit, critical):
        changed = True
        while changed and rows:
            changed = False
            phi = self._dispersion(fit.mean, len(rows) + 1)
            weights = self._model_weights(fit, gain)
            full = self._fit(gain, rows, weights=weights)
            drops = []
            for r in rows:
                without = self._fit(gain, [x for x in rows if x != r], weights=weights)
                drops.append(full.loglike - without.loglike)
            weakest = int(np.argmin(drops))
            if 2 * drops[weakest] / phi < critical:
                rows = [x for i, x in enumerate(rows) if i != weakest]
                fit = self._fit(gain, rows)
                changed = True
        return rows, fit

    # --- description ----------------------------------------------------------------------------
    def describe(self, selection: _Selection, gain: tuple[float, float], options: IdentifyOptions) -> list[NuclideID]:
        templates, background = self.components(gain)
        n_bg = background.shape[0]
        phi = selection.dispersion
        weights = self._model_weights(self._fit(gain, selection.rows), gain)
        weighted_full = self._fit(gain, selection.rows, weights=weights)
        out = []
        for position, row in enumerate(selection.rows):
            others = [r for r in selection.rows if r != row]
            without = self._fit(gain, others, weights=weights)
            drop = max(weighted_full.loglike - without.loglike, 0.0)
            p_value = 0.5 * chi2.sf(2 * drop / phi, 1)
            p_present = 1.0 - min(1.0, p_value * self.n_names)
            # alternatives: the best other candidates for the counts this source explains
            taken = {self.library.names[r] for r in selection.rows}
            available = np.array([r for r in self.candidates if self.library.names[r] not in taken])
            alternatives: list[Alternative] = []
            p_identity = 1.0
            if available.size:
                delta, _ = screen_additions(self.y, without.mean, templates[available], weights=weights)
                order = np.argsort(delta)[::-1]
                seen: set[str] = set()
                for index in order:
                    name = self.library.names[available[index]]
                    if name in seen:
                        continue
                    seen.add(name)
                    # profile likelihood of the alternative in this source's place (same nuisances refitted), so
                    # that a near-identical candidate (Tc-99m / Mo-99, F-18 / Ga-68) lowers the confidence
                    swapped = self._fit(gain, others + [int(available[index])], weights=weights)
                    alternatives.append(Alternative(name, float(drop - max(swapped.loglike - without.loglike, 0.0))))
                    if len(alternatives) == 3:
                        break
                odds = [np.exp(-max(a.delta_loglike, 0.0) / phi) for a in alternatives]
                p_identity = 1.0 / (1.0 + float(np.sum(odds)))
            amplitude = float(selection.amplitudes[n_bg + position])
            contribution = amplitude * templates[row]
            name = self.library.names[row]
            out.append(NuclideID(
                name=name, confidence=float(np.clip(p_present * p_identity, 0.0, 1.0)),
                category=self.library.categories[row], net_counts=float(contribution.sum()),
                shielding=self.library.variants[row], significance=float(np.sqrt(2 * drop / phi)),
                lines=self._line_evidence(name, contribution, selection.mean, gain),
                alternatives=tuple(alternatives),
                activity_bq=self._activity(name, amplitude, options),
            ))
        return sorted(out, key=lambda n: -n.confidence)

    def _line_evidence(self, name: str, contribution: np.ndarray, mean: np.ndarray, gain: tuple[float, float]):
        det = get_detector(self.library.detector)
        lines = _evidence_lines(name)
        centers = self._true_centers(gain)
        evidence = []
        for energy in lines.energy_kev:
            half = float(det.fwhm_kev(energy))
            window = np.abs(centers - energy) <= half
            if not window.any():
                continue
            net = float(contribution[window].sum())
            sigma = net / np.sqrt(max(float(mean[window].sum()), 1.0))
            if net > 0 and all(abs(e.energy_kev - energy) > 0.5 * half for e in evidence):
                evidence.append(LineEvidence(float(energy), net, float(sigma)))
        return tuple(sorted(evidence, key=lambda e: -e.significance)[:6])

    def _activity(self, name: str, amplitude: float, options: IdentifyOptions) -> float | None:
        if options.distance_cm is None or not self.live_time:
            return None
        det = get_detector(self.library.detector)
        source = resolve_source(name)
        # counts per unit of source at the distance over those per photon on the face: the geometric efficiency
        # times the divergence of the beam (rays near the rim cross less crystal), counts-weighted over lines
        lines = source.lines(min_yield=1e-3, min_energy_kev=15.0)
        edges = self.library.fine_edges_kev[::8]
        face = float(np.sum(line_template(det.kind, lines.energy_kev, lines.intensity, edges)))
        at_distance = float(np.sum(line_template(det.kind, lines.energy_kev, lines.intensity, edges,
                                                 options.distance_cm)))
        if face <= 0 or at_distance <= 0:
            return None
        units = amplitude * face / (self.live_time * at_distance)
        return float(units if source.unit == "Bq" else units * source.specific_activity_bq_per_g())

    def unknown_regions(self, selection: _Selection, gain: tuple[float, float], options: IdentifyOptions,
                        nuclides: list[NuclideID]) -> list[UnknownRegion]:
        """Excesses the model leaves, except beside the lines of identified sources (there a residual is
        the peak-shape mismatch of a strong line, not another source) and excesses below 10% of the model."""
        det = get_detector(self.library.detector)
        centers = self._true_centers(gain)
        widths = np.diff(self.edges)[self.mask]
        half = np.maximum(np.round(det.fwhm_kev(centers) / widths / 2).astype(int), 1)
        cum_y = np.concatenate([[0.0], np.cumsum(self.y)])
        cum_mu = np.concatenate([[0.0], np.cumsum(selection.mean)])
        index = np.arange(self.y.size)
        lo = np.clip(index - half, 0, self.y.size)
        hi = np.clip(index + half + 1, 0, self.y.size)
        excess = (cum_y[hi] - cum_y[lo]) - (cum_mu[hi] - cum_mu[lo])
        expected = cum_mu[hi] - cum_mu[lo]
        cum_mu2 = np.concatenate([[0.0], np.cumsum(selection.mean**2)])
        systematic = self.model_uncertainty**2 * (cum_mu2[hi] - cum_mu2[lo])  # per-channel model error
        # the identified sources' own model error is coherent over a window (as in the line evidence)
        _, background = self.components(gain)
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
                region = UnknownRegion(float(centers[lo[peak]]), float(centers[min(hi[peak], self.y.size) - 1]),
                                       float(excess[peak]), float(sigma[peak]))
                if regions and region.low_kev <= regions[-1].high_kev:  # overlapping windows: one excess
                    if region.significance > regions[-1].significance:
                        regions[-1] = region
                else:
                    regions.append(region)
                start = None
        return regions[:5]

    def _true_centers(self, gain: tuple[float, float]) -> np.ndarray:
        return (0.5 * (self.edges[:-1] + self.edges[1:])[self.mask] - gain[1]) / (1 + gain[0])

    def fitted_model(self, selection: _Selection, gain: tuple[float, float]) -> FittedModel:
        templates, background = self.components(gain)
        n_bg = background.shape[0]
        centers = 0.5 * (self.edges[:-1] + self.edges[1:])[self.mask]
        bg = selection.amplitudes[:n_bg] @ background
        bumps = [b for b in (self._backscatter(r, gain) for r in selection.rows) if b is not None]
        first_bump = n_bg + len(selection.rows)
        for index, bump in enumerate(bumps):  # environmental backscatter counts as background in the plot
            bg = bg + selection.amplitudes[first_bump + index] * bump
        components = {}
        for position, row in enumerate(selection.rows):
            label = f"{self.library.names[row]} ({self.library.variants[row]})"
            components[label] = selection.amplitudes[n_bg + position] * templates[row]
        return FittedModel(centers, self.y, bg, components, self.mask)


#: Candidates (best by the quick screen) whose profile likelihood is computed at each selection step.
SHORTLIST = 5
#: Gain corrections within this of the stated calibration count as "near" it (relative).
NEAR_STATED_GAIN = 0.02
#: Relative error of a selected source's predicted content of a line window (line ratios, efficiency curve and
#: peak shape of a real detector against the model; measured RadiaCode CsI peaks sit 5-20 % off the model's
#: ratios, docs/physics-response.md): a new candidate must show more than this there.
SELECTED_SOURCE_SYSTEMATIC = 0.1
#: Relative tolerance of a predicted line-window content (line intensities, efficiency curve and peak shape of a
#: real detector differ from the model by tens of percent): added in quadrature to the window's noise.
LINE_RATIO_TOLERANCE = 0.5
#: A candidate whose line windows disagree with its own intensity pattern at this p-value is rejected.
LINE_PATTERN_ALPHA = 1e-3


def _line_pattern_consistent(excess: np.ndarray, predicted: np.ndarray, noise: np.ndarray) -> bool:
    """Do the excesses over the current model in a candidate's line windows follow the candidate's own line
    pattern (one common amplitude), within counting noise and :data:`LINE_RATIO_TOLERANCE`? A candidate picked
    to patch one unexplained region (e.g. an X-ray bump, a backscatter mismatch) predicts lines elsewhere that
    the data do not show, and fails. Windows predicting less than a tenth of the largest one carry no pattern
    information and are skipped; with fewer than two informative windows the test cannot apply (True)."""
    keep = predicted >= 0.1 * predicted.max() if predicted.size else predicted.astype(bool)
    if keep.sum() < 2:
        return True
    e, p = excess[keep], predicted[keep]
    sigma2 = noise[keep] ** 2 + (LINE_RATIO_TOLERANCE * p) ** 2
    chi_square = float(np.sum((e - p) ** 2 / sigma2))
    return bool(chi2.sf(chi_square, int(keep.sum())) >= LINE_PATTERN_ALPHA)


def _golden_max(function, low: float, high: float, tolerance: float) -> float:
    """Argument of the maximum of a unimodal ``function`` on [low, high], to ``tolerance`` (golden section)."""
    ratio = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = low, high
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = function(c), function(d)
    for _ in range(40):
        if b - a <= tolerance:
            break
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = function(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = function(d)
    return float(0.5 * (a + b))


@lru_cache(maxsize=512)
@lru_cache(maxsize=256)
def _evidence_lines(name: str):
    """The candidate's 12 strongest lines above 30 keV with at least 1% yield (cached: sources are immutable)."""
    return resolve_source(name).lines(min_yield=0.01, min_energy_kev=30.0).strongest(12)


def _strongest_line_above(name: str, min_energy_kev: float) -> float | None:
    lines = resolve_source(name).lines(min_yield=0.01, min_energy_kev=min_energy_kev)
    if not len(lines):
        return None
    return float(lines.energy_kev[int(np.argmax(lines.intensity))])


def _continuum_components(centers_kev: np.ndarray, widths_kev: np.ndarray) -> np.ndarray:
    """Broad non-negative bumps (Gaussians in log-energy, FWHM ~ 60% of E, 10 over 30-3000 keV) that absorb
    smooth continuum mismatch between the physics templates and a real detector, so that sources are
    recognised by their lines and not by continuum shape."""
    log_e = np.log(np.maximum(centers_kev, 1.0))
    nodes = np.linspace(np.log(30.0), np.log(3000.0), 10)
    sigma = 0.25
    bumps = np.exp(-0.5 * ((log_e[None, :] - nodes[:, None]) / sigma) ** 2) * widths_kev[None, :] / centers_kev
    return bumps / np.maximum(bumps.sum(axis=1, keepdims=True), 1e-12)


def identify_measurements(ms: MeasurementSet, background: Spectrum | None = None, detector: str = "auto",
                          options: IdentifyOptions = IdentifyOptions()) -> Identification:
    """Identify the summed foreground of a file; background from ``background``, else the file's own."""
    foreground = ms.summed_foreground()
    origin = "given"
    if background is None:
        background = ms.summed_background()
        origin = "file"
    return identify(foreground, background, detector, ms, options, background_origin=origin)

