"""Gain and offset search: which corrections of the stated energy calibration the spectrum supports.

Coarse search over the gain (1.5% steps) with the bare templates only, on channels summed into ~2% energy
groups (those projections depend only on the detector and the calibration, so they are kept between spectra),
then a refinement in gain (golden-section search down to a tenth of the detector's relative FWHM, with the six
best candidates only) and of the offset (+-6 keV, to a tenth of the FWHM at 60 keV) at full resolution. Each
trial correction is scored by the penalised log-likelihood of background plus the best single source; on the
coarse grid the three best screened sources are refitted jointly with the background (the screen alone, adding
a source to a background whose continuum nuisances already took part of its counts, favours narrow templates:
on a real Eu-152 spectrum it chose Co-57's 122 keV line and a gain 4 % off).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2

from radnuc.analysis.identify.calibration_anchor import CalibrationAnchor
from radnuc.analysis.identify.model import Gain, SpectrumModel
from radnuc.analysis.identify.options import IdentifyOptions
from radnuc.analysis.identify.poisson_fit import fit_nonnegative, screen_additions, systematic_weights

#: Gain corrections within this of the stated calibration count as "near" it (relative).
NEAR_STATED_GAIN = 0.02
#: Step of the coarse gain grid (relative).
COARSE_STEP = 0.015
#: Best screened candidates refitted jointly with the background at each coarse trial correction (the
#: refinement, with its shortlist of the right candidates already, keeps the cheaper screen).
JOINT_REFITS = 2
#: A background-drift hypothesis whose best coarse score (log-likelihood) trails the other's by more than this
#: times the detection threshold of 2 dL is not refined (scintillators only: see ``gain_hypotheses``).
REFINE_MARGIN = 3.0


def gain_hypotheses(model: SpectrumModel, gain_range: float,
                    alpha: float = IdentifyOptions.alpha) -> list[tuple[Gain, bool]]:
    """Competing (gain, offset keV) corrections of the stated calibration, each with its background-drift
    hypothesis: the best one and, when the refinements end apart (:func:`distinct`), the best started within
    NEAR_STATED_GAIN of the stated calibration (``selection.best_selection`` decides on the full model).

    A measured background either shares the foreground's drift (measured with it) or not (measured before
    it): both hypotheses are scored on the coarse grid. Where the coarse step is within the detector's
    resolution (scintillators), a hypothesis whose best coarse score trails the other's by more than
    REFINE_MARGIN detection thresholds (~50 log-likelihood units) is not refined: on synthetic spectra the wrong
    one trails by 18-1,300 units, and with a margin of one threshold two spectra of 224 ended at a worse
    (gain, offset), though with the same nuclides. Leaves ``model.background_follows_gain`` at the best
    hypothesis's."""
    bare = model.candidates[np.array([model.library.variants[r] == "bare" for r in model.candidates])]
    critical = chi2.isf(2 * alpha / max(model.n_names, 1), 1)
    smooth = np.convolve(model.y, np.ones(5) / 5, mode="same")
    modelled = smooth if model.measured_bg is None else np.clip(smooth - model.measured_bg[model.mask], 0, None)
    data_weights = model.weights(smooth, modelled)  # the model's systematic uncertainty, judged on the data
    measured = model.measured_bg is not None

    base_cache: dict = {}
    base_comps: dict = {}
    warm: dict = {}

    groups = coarse_groups(model.centers)
    coarse_continuum = np.add.reduceat(model.continuum, groups, axis=1)
    coarse_y = np.add.reduceat(model.y, groups)
    coarse_weights = systematic_weights(np.add.reduceat(smooth, groups), model.model_uncertainty)
    det = model.detector
    relative_fwhm = float(det.fwhm_kev(661.657)) / 661.657
    # the coarse step is within the detector's resolution (scintillators): the coarse scores of the two drift
    # hypotheses are comparable, and the measured background's lines can anchor a shared calibration on the
    # coarse channel groups (HPGe lines would need full resolution, and separate nearby lines themselves)
    resolved = COARSE_STEP <= relative_fwhm
    coarse = [(g, 0.0) for g in np.arange(-gain_range, gain_range + 1e-9, COARSE_STEP)]
    model.calibration_anchor = (CalibrationAnchor(model, groups, [c[0] for c in coarse]) if measured and resolved
                                else None)

    def score(g: Gain, rows: np.ndarray, coarse: bool = False, base_only: bool = False) -> tuple[float, np.ndarray]:
        """Penalised log-likelihood of background + best source; ``coarse`` sums channels into ~2% energy
        groups first, so that a search step larger than a narrow (HPGe) peak still sees the peaks.
        ``base_only``: only the background fit (which warm-starts the next one), no score."""
        if base_only:
            rows = rows[:0]
        if coarse:
            templates, background = model.coarse_projected(g, rows, groups)
        else:
            templates, background = model.projected(g, rows)
        y, w = (coarse_y, coarse_weights) if coarse else (model.y, data_weights)
        key = None if model.background_follows_gain else ("fixed", coarse)
        if key is not None and measured and key in base_cache:
            base = base_cache[key]  # a fixed measured background does not move with the gain
        else:
            if coarse:
                comps = np.vstack([model.background_at(g, background, groups), coarse_continuum])
            else:
                comps = np.vstack([model.background_at(g, background), model.continuum])
            start = warm.get((comps.shape[0], coarse))  # neighbouring gains have nearly the same amplitudes
            base = fit_nonnegative(y, comps, start, iterations=25, weights=w, precision=model.precision(len(comps)),
                                   upper=model.upper(len(comps)))
            warm[(comps.shape[0], coarse)] = base.amplitudes
            if key is not None and measured:
                base_cache[key] = base
                base_comps[key] = comps
        if base_only:
            return float("nan"), np.zeros(0)
        delta, amplitude = screen_additions(y, base.mean, templates, iterations=5, weights=w)
        gain_loglike = float(delta.max())
        if gain_loglike > 0.5 * critical and coarse:
            # the screen adds a source to a base whose nuisances already took part of its counts, which
            # favours narrow templates: the best few are refitted together with the base
            base_components = base_comps[key] if key is not None and measured else comps
            for best in np.argsort(delta)[::-1][:JOINT_REFITS]:
                joint = fit_nonnegative(y, np.vstack([base_components, templates[best]]),
                                        np.append(base.amplitudes, amplitude[best]), iterations=15, weights=w,
                                        precision=model.precision(len(base_components) + 1),
                                        upper=model.upper(len(base_components) + 1))
                gain_loglike = max(gain_loglike, joint.loglike - base.loglike)
        # a source improves the score only beyond the detection threshold (penalised likelihood), so a
        # template cannot buy a wrong calibration by patching the misaligned background
        # the calibration the hypothesis gives the measured background must fit that background's own lines
        value = base.loglike + max(gain_loglike - 0.5 * critical, 0.0) + model.background_calibration_loglike(g)
        return value, delta

    gain_tolerance = 0.1 * float(det.fwhm_kev(1000.0)) / 1000.0
    offset_tolerance = 0.1 * float(det.fwhm_kev(60.0))

    def refine(g0: float, shortlist: np.ndarray) -> tuple[float, Gain]:
        # intermediate grid at half the detector's relative FWHM (only narrow-line detectors need it)
        step = max(0.5 * relative_fwhm, 0.0025)
        middle = g0 + step * np.arange(-np.floor(0.0125 / step), np.floor(0.0125 / step) + 1)
        if middle.size == 1:  # scintillators: nothing to choose, but the background fit warm-starts the next
            score((g0, 0.0), shortlist, base_only=True)
            g_mid = float(middle[0])
        else:
            middle_scores = [score((g, 0.0), shortlist)[0] for g in middle]
            g_mid = float(middle[int(np.argmax(middle_scores))])
        half = min(step, 0.0125)
        gain = golden_max(lambda g: score((g, 0.0), shortlist)[0], g_mid - half, g_mid + half, gain_tolerance)
        offset = golden_max(lambda o: score((gain, o), shortlist)[0], -6.0, 6.0, offset_tolerance)
        gain = golden_max(lambda g: score((g, offset), shortlist)[0], gain - min(half, 0.004),
                          gain + min(half, 0.004), gain_tolerance)
        return score((gain, offset), shortlist)[0], (gain, offset)

    hypotheses: list[tuple[float, Gain, bool]] = []

    near = [i for i, c in enumerate(coarse) if abs(c[0]) <= NEAR_STATED_GAIN]

    def starts_of(results: dict) -> list[int]:
        """The best coarse trial correction and the best within NEAR_STATED_GAIN of the stated calibration:
        the one-source score can prefer a wrong gain where one template lines up with another source's peaks
        (mixtures, chains), so the latter competes too."""
        top = max(results, key=lambda i: results[i][0])
        top_near = max(near, key=lambda i: results[i][0], default=top)
        return [top] if top_near == top else [top, top_near]

    coarse_results = {}
    for follows in ((False, True) if measured else (False,)):
        model.background_follows_gain = follows
        coarse_results[follows] = {i: score(c, bare, coarse=True) for i, c in enumerate(coarse)}
    # the coarse scores of the two hypotheses are compared only where the coarse step is within the detector's
    # resolution (scintillators): with HPGe lines a step misplaces every line by several FWHM
    best_coarse = max(r[0] for results in coarse_results.values() for r in results.values())
    for follows, results in coarse_results.items():
        starts = starts_of(results)
        if resolved and results[starts[0]][0] < best_coarse - REFINE_MARGIN * critical:
            continue  # this background-drift hypothesis is far behind on the coarse grid already
        model.background_follows_gain = follows
        for start in starts:
            shortlist = bare[np.argsort(results[start][1])[::-1][:6]]  # the candidates that matter here
            value, gain = refine(coarse[start][0], shortlist)
            hypotheses.append((value, gain, follows))
    hypotheses.sort(key=lambda h: -h[0])
    # a hypothesis with the other background drift is kept even at the same correction: the two can score within
    # a unit here and differ by 10^4 on the full model (real trinitite, 10^5 counts of in-file background: moved
    # with the correction, the background no longer lined up with the foreground and no source was found)
    kept = [hypotheses[0]] + [h for h in hypotheses[1:]
                              if h[2] != hypotheses[0][2] or distinct(h[1], hypotheses[0][1], relative_fwhm)]
    model.background_follows_gain = kept[0][2]
    return [(h[1], h[2]) for h in kept[:2]]


def distinct(a: Gain, b: Gain, relative_fwhm: float) -> bool:
    """Do two (gain, offset keV) corrections place a 300 keV line more than a quarter FWHM apart?"""
    shift = abs((a[0] - b[0]) * 300.0 + (a[1] - b[1]))
    return shift > 0.25 * relative_fwhm * 300.0


def coarse_groups(centers_kev: np.ndarray) -> np.ndarray:
    """Start indices of channel groups at least 2% of the energy wide (all channels for scintillators
    whose channels are already that wide)."""
    log_e = np.log(np.maximum(centers_kev, 1.0))
    bucket = np.floor(log_e / np.log(1.02)).astype(int)
    return np.flatnonzero(np.concatenate([[True], np.diff(bucket) != 0]))


def golden_max(function, low: float, high: float, tolerance: float) -> float:
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
