"""HPGe uranium: one fit of all peak windows with isotope-constrained multiplets (FRAM-like).

Every peak region is modelled with *all* the lines that fall in it, grouped by where they come from; within a
group the relative line intensities are fixed by nuclear data (ICRP-107) and by the relative efficiency, only
the group's amplitude is free:

    y_j = c_w0 + c_w1 (x_j - x_w) + sum_g a_g sum_(l in g) w_l(x_Fe, x_U) G_l(j)

- groups of the item: U-235 (with Th-231), U-238 (Pa-234m, Pa-234 lines), the Th-234 low-energy lines
  (63.3, 92.4/92.8 keV and the weaker ones below 100 keV; a separate amplitude tied to the U-238 one by a
  Gaussian constraint of ``TH234_YIELD_REL_SIGMA`` = 5.4 %, the uncertainty of the emission probabilities of
  DDEP 2009 / Adsley, Nichols & Toole 1996 that radnuc.physics uses), and the U K X-rays of the item's own
  fluorescence (xraydb energies and relative intensities, free amplitude: decay data do not contain them). Item
  weights w_l = y_l eps_det(E_l) exp(-mu_Fe x_Fe) (1 - exp(-mu_U x_U)) / (mu_U x_U) (relative efficiency, see
  :mod:`~radnuc.analysis.characterize.efficiency`). In the MGAU-like 82.5-101.5 keV window Th-234 92.4/92.8 keV
  sit between the Th K X-rays of U-235 decay (89.95, 93.35 keV) and the U K X-rays (94.65, 98.44 keV): lines of
  both isotopes at almost the same energy, so that their ratio hardly depends on the efficiency;
- groups of the environment: the natural U-238 series (Bi-214, Pb-214, Pa-234m, Th-234, Ra-226) and Th-232
  series lines of :mod:`radnuc.physics.background`, with relative intensities of unscattered fluence from the
  ground (Beck et al. 1972) and the bare detector efficiency. Their amplitudes are fixed by the lines the item
  does not emit (Bi-214 609/1120/1764, Pb-214 352 keV), so that the room's own Pa-234m 1001 keV and Th-234
  63 keV are not counted as the item's U-238 when no background spectrum is given;
- the relative efficiency also depends on the item-detector distance d (finite-distance divergence of the
  rays, :func:`radnuc.physics.response.point_source_factor`: at 30 cm a 40 % HPGe sees 1001 keV 6 % less
  efficiently relative to 186 keV than in a parallel beam, at 3 cm 21 %); d is a parameter of the fit
  (``distance_cm``), marginalised over a grid by the caller when unknown;
- a linear continuum per window; G_l the binned Gaussian (detector-model FWHM times a width scale, shift from
  :func:`~radnuc.analysis.characterize.peaks.calibrate`).

Interferences are thus handled by nuclear data instead of being ignored: at high enrichment the Th-231
63.86/64.35 keV lines (U-235) under Th-234 63.29 keV, U-235 742.5 keV under Pa-234m 742.8 keV, U-235 251.5 keV
next to 258.3 keV and Pb-214 258.9 keV are of the same size as the U-238 signal.

For fixed (x_Fe, x_U) the model is linear; it is solved by weighted least squares with model-based Poisson
variances, and (x_Fe, x_U) by minimising chi-square (grid then bounded quasi-Newton). The covariance is that of
the full parameter set (linear amplitudes, continuum and the two attenuations, from the Jacobian), scaled by the
reduced chi-square when above 1.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import ndtr

from radnuc.analysis.characterize.efficiency import self_attenuation
from radnuc.analysis.characterize.errors import CharacterizeError
from radnuc.analysis.characterize.isotopes import parent_lines
from radnuc.analysis.characterize.peaks import PeakShape
from radnuc.physics.attenuation import mass_attenuation
from radnuc.physics.response import get_model, point_source_factor

__all__ = ["TH234_YIELD_REL_SIGMA", "UraniumFit", "fit_uranium_multiplets"]

TH234_YIELD_REL_SIGMA = 0.054
"""Relative 1-sigma of the Th-234 63.3/92.4/92.8 keV emission probabilities (3.75/2.18/2.15 %, DDEP 2009, as in
radnuc.physics): Adsley, Nichols & Toole (1996) measured 0.037 +- 0.002 for 63.3 keV, the value DDEP and
ENSDF/NuDat 3 (3.7(4) %) rest on."""
_FWHM_TO_SIGMA = 1.0 / 2.3548200450309493
_MAX_FE, _MAX_U = 40.0, 60.0
ITEM_GROUPS = ("U-235", "U-238", "Th-234-63", "U-XRF")
ENV_GROUPS = ("env-U238", "env-Th232")


@dataclass(frozen=True)
class UraniumFit:
    """Amplitudes (activity x live time x geometry, arbitrary common unit) and the ratio A(U-238)/A(U-235)."""

    ratio: float
    ratio_sigma: float
    amplitudes: dict
    sigmas: dict
    absorber_g_cm2: float
    self_g_cm2: float
    chi2: float
    dof: int
    windows: int
    window_chi2: dict = None  # {(low, high) keV: (chi-square, channels)}

    @property
    def reduced_chi2(self) -> float:
        return self.chi2 / max(self.dof, 1)


def _env_lines() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from radnuc.physics.background import SiteBackground, background_lines, line_fluence_rates

    e, phi = line_fluence_rates(SiteBackground())
    series = np.array([ln.series for ln in background_lines()])
    return {"env-U238": (e[series == "U238"], phi[series == "U238"]),
            "env-Th232": (e[series == "Th232"], phi[series == "Th232"])}


@functools.cache
def u_k_xrays() -> tuple[np.ndarray, np.ndarray]:
    """U K X-ray energies (keV) and relative intensities (xraydb: Elam, Ravel & Sieber 2002): the fluorescence of
    the item itself, excited by its own gammas, which decay data do not contain; its amplitude is free."""
    import xraydb

    lines = [v for v in xraydb.xray_lines("U", "K").values() if v.intensity > 0.005]
    return (np.array([v.energy / 1000.0 for v in lines]), np.array([v.intensity for v in lines]))


def _item_lines() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    e5, y5 = parent_lines("U-235", 1e-6)
    e8, y8 = parent_lines("U-238", 1e-6)
    low = e8 < 100.0
    return {"U-235": (e5, y5), "U-238": (e8[~low], y8[~low]), "Th-234-63": (e8[low], y8[low]),
            "U-XRF": u_k_xrays()}


_GE_K_EDGE, _GE_KA, _GE_KB = 11.103, 9.876, 10.982
_GE_OMEGA_K, _GE_JUMP, _GE_KB_SHARE = 0.535, 7.4, 0.135


def _ge_escape_fractions(e: np.ndarray) -> list[tuple[float, np.ndarray]]:
    """Ge K X-ray escape probability relative to the full-energy peak, for photons entering a thick Ge crystal
    along its axis (semi-infinite slab, isotropic fluorescence; e.g. Knoll, Radiation Detection and
    Measurement, ch. 12): P = w_K (1 - 1/J_K) tau/mu x 1/2 [1 - (mu_X/mu) ln(1 + mu/mu_X)], shared between
    K-alpha (9.88 keV) and K-beta (10.98 keV); K data: w_K 0.535, jump ratio 7.4."""
    e = np.asarray(e, float)
    out = []
    above = e > _GE_K_EDGE
    ee = np.where(above, e, _GE_K_EDGE + 1.0)
    mu = np.asarray(mass_attenuation("Ge", ee, "total"), float)
    tau = np.asarray(mass_attenuation("Ge", ee, "photoelectric"), float)
    for x_e, share in ((_GE_KA, 1.0 - _GE_KB_SHARE), (_GE_KB, _GE_KB_SHARE)):
        mu_x = float(np.ravel(mass_attenuation("Ge", x_e, "total"))[0])
        p = _GE_OMEGA_K * (1 - 1 / _GE_JUMP) * tau / mu * 0.5 * (1 - (mu_x / mu) * np.log1p(mu / mu_x)) * share
        out.append((x_e, np.where(above, p / np.maximum(1 - p, 0.5), 0.0)))
    return out


def fit_uranium_multiplets(counts: np.ndarray, edges_kev: np.ndarray, detector: str,
                           windows: Sequence[tuple[float, float]], fwhm: Callable[[float], float],
                           shape: PeakShape = PeakShape(), background: np.ndarray | None = None,
                           distance_cm: float | None = None) -> UraniumFit:
    """See the module docstring. ``windows``: (low, high) keV; those outside the calibration are skipped.
    ``distance_cm``: item (point source on the axis) to detector face; None = parallel beam. It enters the
    relative efficiency of the item's lines through :func:`radnuc.physics.response.point_source_factor`
    (photons of a near source entering close to the rim leave through the side, more so at high energy)."""
    edges = np.asarray(edges_kev, float)
    y_all = np.asarray(counts, float)
    chans, win_of = [], []
    for k, (lo, hi) in enumerate(windows):
        if lo < edges[0] or hi > edges[-1]:
            continue
        i0 = int(np.searchsorted(edges, lo, side="left"))
        i1 = int(np.searchsorted(edges, hi, side="right")) - 1
        if i1 - i0 < 6:
            continue
        chans.append(np.arange(i0, i1))
        win_of.append(np.full(i1 - i0, k))
    if not chans:
        raise CharacterizeError("no peak window inside the calibration")
    idx = np.concatenate(chans)
    win = np.concatenate(win_of)
    lo_e, hi_e = edges[idx], edges[idx + 1]
    y = y_all[idx]
    bg = None if background is None else np.asarray(background, float)[idx]
    target = y if bg is None else y - bg

    # continuum columns
    cont = []
    for k in np.unique(win):
        sel = win == k
        x = 0.5 * (lo_e + hi_e)
        xc = float(np.mean(x[sel]))
        span = max(float(x[sel].max() - x[sel].min()), 1e-9)
        cont.append(np.where(sel, 1.0, 0.0))
        cont.append(np.where(sel, (x - xc) / span, 0.0))
    cont = np.array(cont)

    model_eff = get_model(detector, np.array([1.0, 3000.0]))

    def profiles(energies: np.ndarray) -> np.ndarray:
        sig = np.array([max(float(fwhm(e)) * shape.width_scale * _FWHM_TO_SIGMA, 1e-3) for e in energies])
        c = energies + np.array([shape.shift(e) for e in energies])
        return ndtr((hi_e[None, :] - c[:, None]) / sig[:, None]) - ndtr((lo_e[None, :] - c[:, None]) / sig[:, None])

    def in_windows(energies: np.ndarray) -> np.ndarray:
        keep = np.zeros(energies.size, bool)
        for k in np.unique(win):
            sel = win == k
            a, b = lo_e[sel].min(), hi_e[sel].max()
            margin = 1.5 * float(fwhm(0.5 * (a + b)))
            keep |= (energies > a - margin) & (energies < b + margin)
        return keep

    groups = {}
    germanium = detector.startswith("hpge")
    for name, (e, w) in {**_item_lines(), **_env_lines()}.items():
        eps = np.asarray(model_eff.full_energy_efficiency(e), float)
        if name in ITEM_GROUPS and distance_cm is not None:
            eps = eps * np.asarray(point_source_factor(detector, e, distance_cm), float)
        parent = e
        w = w * eps
        if germanium:  # Ge K-escape peaks of the low-energy lines (e.g. U-235 72.7 keV -> 62.9 keV)
            esc_e, esc_w, esc_p = [], [], []
            for shift, frac in _ge_escape_fractions(e):
                ok = frac > 0
                esc_e.append(e[ok] - shift)
                esc_w.append(w[ok] * frac[ok])
                esc_p.append(e[ok])
            e = np.concatenate([e] + esc_e)
            w = np.concatenate([w] + esc_w)
            parent = np.concatenate([parent] + esc_p)
        keep = in_windows(e) & (w > 0)
        if not keep.any():
            continue
        e, w, parent = e[keep], w[keep], parent[keep]
        prof = profiles(e)
        if prof.sum() <= 0:
            continue
        groups[name] = {"e": e, "w": w, "prof": prof,
                        "mu_fe": np.asarray(mass_attenuation("Fe", parent, "total"), float),
                        "mu_u": np.asarray(mass_attenuation("U", parent, "total"), float)}
    for need in ("U-235", "U-238"):
        if need not in groups:
            raise CharacterizeError(f"no {need} line inside the calibrated range")
    names = list(groups)
    i5, i8 = names.index("U-235"), names.index("U-238")
    i63 = names.index("Th-234-63") if "Th-234-63" in names else None
    norm = {n: 1.0 for n in names}  # amplitude = fitted parameter x norm

    def group_cols(x_fe: float, x_u: float) -> np.ndarray:
        cols = []
        for n in names:
            g = groups[n]
            w = g["w"]
            if n in ITEM_GROUPS:
                w = w * np.exp(-g["mu_fe"] * x_fe) * self_attenuation(g["mu_u"] * x_u)
            cols.append((w * norm[n]) @ g["prof"])
        return np.array(cols)

    # scale the group columns to unit maximum (conditioning)
    c0 = group_cols(0.0, 0.0)
    for n, c in zip(names, c0, strict=True):
        norm[n] = 1.0 / max(float(c.max()), 1e-300)

    state = {"var": np.maximum(y, 1.0) + (0.0 if bg is None else np.maximum(bg, 0.0)), "a8": None}

    def solve(x_fe: float, x_u: float, var: np.ndarray):
        design = np.vstack([group_cols(x_fe, x_u), cont]).T  # (n_ch, n_par)
        w = 1.0 / var
        a = design.T @ (design * w[:, None])
        b = design.T @ (w * target)
        if i63 is not None and state["a8"] is not None:
            # (a63 - a8) / (s a8_ref) ~ N(0, 1), in the normalised amplitudes
            ref = max(abs(state["a8"]), 1e-6 * max(abs(state.get("a5", 1.0)), 1.0))
            r = np.zeros(design.shape[1])
            r[i63] = norm[names[i63]]
            r[i8] = -norm[names[i8]]
            r /= TH234_YIELD_REL_SIGMA * ref
            a = a + np.outer(r, r)
        a = a + np.eye(a.shape[0]) * 1e-12 * np.trace(a)
        try:
            cov = np.linalg.inv(a)
        except np.linalg.LinAlgError as exc:  # pragma: no cover
            raise CharacterizeError("uranium multiplet fit is singular") from exc
        p = cov @ b
        model = design @ p
        chi2 = float(np.sum((target - model) ** 2 * w))
        if i63 is not None and state["a8"] is not None:
            chi2 += float((r @ p) ** 2)
        return p, cov, chi2, model, design

    def refresh(x_fe, x_u, n=3):
        for _ in range(n):
            p, _, _, model, _ = solve(x_fe, x_u, state["var"])
            m = model + (0.0 if bg is None else bg)
            state["var"] = np.maximum(m, 1.0) + (0.0 if bg is None else np.maximum(bg, 0.0))
            state["a8"] = p[i8] * norm[names[i8]]
            state["a5"] = p[i5] * norm[names[i5]]

    refresh(0.0, 0.0)
    best = None
    for xf in (0.0, 1.0, 4.0, 12.0, 30.0):
        for xu in (0.0, 0.3, 1.0, 3.0, 10.0, 40.0):
            chi2 = solve(xf, xu, state["var"])[2]
            if best is None or chi2 < best[0]:
                best = (chi2, xf, xu)
    x0 = np.array(best[1:])
    for _ in range(2):
        res = minimize(lambda v: solve(v[0], v[1], state["var"])[2], x0, method="L-BFGS-B",
                       bounds=[(0.0, _MAX_FE), (0.0, _MAX_U)])
        x0 = np.clip(res.x, 0.0, [_MAX_FE, _MAX_U])
        refresh(*x0, n=2)
    x_fe, x_u = (float(v) for v in x0)
    p, cov_lin, chi2, model, design = solve(x_fe, x_u, state["var"])

    # full covariance: linear parameters and the two attenuations (numerical derivatives of the model)
    w = 1.0 / state["var"]
    derivs = []
    for k, (h, top) in enumerate(((0.05, _MAX_FE), (0.02, _MAX_U))):
        xs = np.array([x_fe, x_u])
        up = xs.copy()
        up[k] = min(xs[k] + h, top)
        dn = xs.copy()
        dn[k] = max(xs[k] - h, 0.0)
        m_up = np.vstack([group_cols(*up), cont]).T @ p
        m_dn = np.vstack([group_cols(*dn), cont]).T @ p
        derivs.append((m_up - m_dn) / max(up[k] - dn[k], 1e-12))
    jac = np.column_stack([design] + derivs)
    fisher = jac.T @ (jac * w[:, None])
    if i63 is not None and state["a8"] is not None:
        ref = max(abs(state["a8"]), 1e-6 * max(abs(state["a5"]), 1.0))
        r = np.zeros(jac.shape[1])
        r[i63] = norm[names[i63]]
        r[i8] = -norm[names[i8]]
        r /= TH234_YIELD_REL_SIGMA * ref
        fisher = fisher + np.outer(r, r)
    cov = np.linalg.pinv(fisher)
    dof = max(idx.size - jac.shape[1] + (1 if i63 is not None else 0), 1)
    cov = cov * max(1.0, chi2 / dof)

    amps = {n: float(p[i] * norm[n]) for i, n in enumerate(names)}
    sig = {n: float(math.sqrt(max(cov[i, i], 0.0)) * norm[n]) for i, n in enumerate(names)}
    a5, a8 = amps["U-235"], amps["U-238"]
    if a5 <= 0:
        raise CharacterizeError("no U-235 signal in the multiplet fit")
    s5, s8 = norm["U-235"], norm["U-238"]
    c55, c88, c58 = cov[i5, i5] * s5 * s5, cov[i8, i8] * s8 * s8, cov[i5, i8] * s5 * s8
    f = a8 / a5
    var = (c88 - 2 * f * c58 + f * f * c55) / a5**2
    contrib = (target - model) ** 2 * w
    per_window = {tuple(windows[k]): (round(float(contrib[win == k].sum()), 2), int(np.sum(win == k)))
                  for k in np.unique(win)}
    return UraniumFit(float(f), float(math.sqrt(max(var, 0.0))), amps, sig, x_fe, x_u, chi2, int(dof),
                      int(np.unique(win).size), per_window)
