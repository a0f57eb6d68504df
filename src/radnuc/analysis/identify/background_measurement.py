"""A measured background, made usable as a fit component: its continuum smoothed, its lines kept.

A background measured with the same detector is the best description of the natural background, but in a
fine-channel spectrum (HPGe, 8192 channels: a few counts per channel) its continuum is mostly counting noise.
Fitted with one amplitude beside smooth continuum nuisances, the noisy measurement then loses to them on the
continuum: its amplitude drops, and the deficit it leaves on the natural lines is taken up by K-40, Ra-226 or
Th-232 "sources" (background-only HPGe spectra alarmed 19 times in 20 that way). Here the continuum is estimated
with SNIP (statistics-sensitive non-linear iterative peak clipping: Ryan et al., NIM B 34, 396, 1988; Morhac et
al., NIM A 401, 113, 1997) on the LLS-transformed counts averaged over a FWHM, with a clipping window of two
FWHM, then averaged over four FWHM; what the measurement shows above that continuum is kept where it is
significant over a FWHM (lines), and dropped where it is not (noise). Within a FWHM of the known natural-background
lines (radnuc.physics background_lines.csv) the measurement is kept whatever its significance: those lines are
there, and many of them too weak to pass one by one would otherwise be taken up together by a multi-line
"source" template (Ra-226 beside F-18 on HPGe).
"""

from __future__ import annotations

import numpy as np

#: Clipping window of SNIP (in FWHM of the detector at each channel).
SNIP_WINDOW_FWHM = 2.0
#: A window (one FWHM wide) of the measurement above the continuum is a line when it exceeds this many sigma.
LINE_SIGMA = 3.0


def _lls(x: np.ndarray) -> np.ndarray:
    return np.log(np.log(np.sqrt(x + 1.0) + 1.0) + 1.0)


def _lls_inverse(y: np.ndarray) -> np.ndarray:
    return (np.exp(np.exp(y) - 1.0) - 1.0) ** 2 - 1.0


def snip_continuum(counts: np.ndarray, window_channels: np.ndarray) -> np.ndarray:
    """Continuum under the peaks of ``counts`` (SNIP, LLS transform; the clipping half-window of each channel,
    in channels, grows to ``window_channels``)."""
    v = _lls(np.clip(np.asarray(counts, dtype=float), 0.0, None))
    n = v.size
    w = np.clip(np.round(window_channels).astype(int), 1, max(n // 4, 1))
    index = np.arange(n)
    for p in range(1, int(w.max()) + 1):
        active = (w >= p) & (index >= p) & (index < n - p)
        i = index[active]
        if i.size == 0:
            continue
        mean = 0.5 * (v[i - p] + v[i + p])
        v[i] = np.minimum(v[i], mean)
    return np.clip(_lls_inverse(v), 0.0, None)


def _window_sum(x: np.ndarray, half: np.ndarray) -> np.ndarray:
    cum = np.concatenate([[0.0], np.cumsum(x)])
    index = np.arange(x.size)
    lo = np.clip(index - half, 0, x.size)
    hi = np.clip(index + half + 1, 0, x.size)
    return cum[hi] - cum[lo]


def denoised_background(counts: np.ndarray, fwhm_channels: np.ndarray,
                        centers_kev: np.ndarray | None = None) -> np.ndarray:
    """``counts`` (a scaled background measurement) with its continuum replaced by a smooth estimate and only
    its significant lines kept — and, given the channel energies ``centers_kev``, every known natural-background
    line; the total is preserved to the noise of the dropped part."""
    counts = np.clip(np.asarray(counts, dtype=float), 0.0, None)
    fwhm = np.maximum(np.asarray(fwhm_channels, dtype=float), 1.0)
    half = np.maximum(np.round(fwhm / 2).astype(int), 1)
    ones = np.ones_like(counts)
    # SNIP on counts averaged over a FWHM (clipping raw low counts would follow their downward fluctuations),
    # then the clipped continuum averaged over four FWHM (its own noise)
    averaged = _window_sum(counts, half) / _window_sum(ones, half)
    continuum = snip_continuum(averaged, SNIP_WINDOW_FWHM * fwhm)
    continuum = _window_sum(continuum, 4 * half) / _window_sum(ones, 4 * half)
    keep = _lines(counts, continuum, half)
    # SNIP sits below the mean of low counts (it clips the upward fluctuations): rescale the continuum so that,
    # away from the lines, it holds the measured counts over eight FWHM
    away = ~keep
    ratio = _window_sum(counts * away, 8 * half) / np.maximum(_window_sum(continuum * away, 8 * half), 1e-12)
    continuum = continuum * np.where(_window_sum(away.astype(float), 8 * half) > 0, ratio, 1.0)
    keep = _lines(counts, continuum, half)
    if centers_kev is not None:
        keep |= near_natural_lines(np.asarray(centers_kev, dtype=float), fwhm * np.gradient(centers_kev))
    return continuum + np.where(keep, np.clip(counts - continuum, 0.0, None), 0.0)


def near_natural_lines(centers_kev: np.ndarray, fwhm_kev: np.ndarray) -> np.ndarray:
    """Channels within one FWHM of a known natural-background line."""
    from radnuc.physics.background import background_lines

    near = np.zeros(centers_kev.size, dtype=bool)
    for line in background_lines():
        near |= np.abs(centers_kev - line.energy_kev) <= fwhm_kev
    return near


def _lines(counts: np.ndarray, continuum: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Channels within half a FWHM of a window (one FWHM wide) where the counts exceed the continuum by more
    than :data:`LINE_SIGMA`."""
    sigma = _window_sum(counts - continuum, half) / np.sqrt(np.maximum(_window_sum(counts, half), 1.0))
    return _window_sum((sigma > LINE_SIGMA).astype(float), half) > 0
