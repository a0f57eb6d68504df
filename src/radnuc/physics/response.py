"""Detector response to gamma lines: expected counts per channel, for any channel edges (any calibration).

Model, per photon of energy E reaching the front face of the crystal (normal incidence):

* window transmission T_w (housing/reflector, :attr:`DetectorModel.window`) and interaction probability
  eps = 1 - exp(-mu(E) L) along the crystal depth L (mu without coherent scattering);
* an interacting photon is photo-absorbed (tau/mu), Compton scattered (sigma/mu) or converts (kappa/mu);
  the photon scattered at the FIRST interaction is re-absorbed with probability a1(E, E') = 1 - <exp(-mu(E') s)>,
  a deterministic quadrature over the entry point on the face, the interaction depth (quantiles of
  mu(E) exp(-mu(E) z)), the azimuth, with the scattering angle given by E' and s the exact path to the
  cylinder/box surface (back-scatter near the face escapes, forward scatter crosses the remaining depth);
  later photons with A_iso(E') = 1 - <exp(-mu s)> over points uniform in the volume and isotropic directions
  (:func:`_physics_tables`, cached per crystal);
* full-energy probability of a secondary Q(E) = tau/mu (1 - f_K) + sigma/mu <A_iso Q>_KN + kappa/mu q_511^2 solved
  on an energy grid upward (E' < E), q_511 = A_iso(511) Q(511); photopeak fraction of a primary
  P(E) = tau/mu (1 - f_K) + sigma/mu <a1(E, E') Q(E')>_KN + kappa/mu q_511^2, growing with crystal size;
* Compton continuum: single scatter with escape, Klein-Nishina electron-energy density weighted by the
  escape probability of the scattered photon of E - T (so the continuum near the edge, where E' is low and
  re-absorbed, is depleted as in real crystals); multiple scatter with final escape: T1 + T2 with T1 on 16
  equal-probability KN nodes and T2 the KN density at E - T1 (fills the valley between edge and peak);
* K X-ray escape after photo-absorption: f_K = sum_el (tau_el,K/tau) omega_K eta, with the slab escape
  eta = 1/2 [1 - (mu_K/mu_E) ln(1 + mu_E/mu_K)] (Axel 1954; Martin & Burlin), peaks at E - E_Ka, E - E_Kb;
* pair production above 1022 keV: full, single escape (E - 511), double escape (E - 1022) with
  probabilities q^2, 2 q e, e^2 (e = escape of one 511 keV photon), partial absorption spread evenly;
* surroundings (source holder, table, case, walls): a fraction ``backscatter`` of the photons reach the
  crystal after one Compton scatter at 90-180 deg (KN weighted per solid angle) and are detected with its
  full-energy efficiency: a continuum that piles up at 180 deg into the backscatter peak near
  E/(1 + 2E/mc^2) and fills the valley below the photopeak; pair production in the surroundings adds a
  511 keV line;
* Monte Carlo tables: where :mod:`radnuc.physics.transport_mc` has a bundled table for the crystal (material and
  geometry equal; data/transport_mc/<kind>.csv, every detector kind), the interaction probability, the
  photopeak fraction, the K-escape, single- and double-escape probabilities are taken from it (interpolated in
  ln E; outside the table's 20-3000 keV the analytic values scaled by their ratio at the table end) and the
  continuum keeps its analytic shape but gets what the peaks leave (the multiple-scatter part takes the
  difference), so that the total is still the interaction probability; the analytic values remain for
  other crystals (:meth:`ResponseModel.photopeak_fraction_analytic`);
* a point source at a finite distance (templates with ``distance_cm``, :func:`peak_efficiency`): the rays
  diverge, those entering near the rim of a long crystal leave through the side (:func:`point_source_factor`,
  a chord quadrature over the face weighted by solid angle: 0.82 for a 3"x3" NaI at 1332 keV and 25 cm);
* everything broadened by the Gaussian resolution FWHM(E) (channel contents are erf differences over the
  channel edges within +-6 sigma of each peak; continua are built on a fine deposit grid, then smeared by a
  sparse matrix), and multiplied by the smooth lower-level-discriminator step.

Templates are cached (:func:`line_template`, :func:`get_model`) keyed on the detector, a hash of the
edges and the line energies.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import ndtr

from radnuc.physics import transport_mc
from radnuc.physics.attenuation import (
    ME_C2_KEV,
    R_E_CM,
    get_material,
    klein_nishina_per_electron,
    linear_attenuation,
    mass_attenuation,
)
from radnuc.physics.detectors import DetectorModel, get_detector
from radnuc.physics.errors import PhysicsError

log = logging.getLogger(__name__)

_J_NODES = 16
_N_R, _N_Z, _N_PHI = 6, 8, 12  # quadrature of the escape geometry: face points, depths, azimuths
_N_R_BOX = 3  # face points per axis of one quadrant of a box face
_N_COS = 41  # scattering-angle grid of the first-scatter re-absorption table
_N_E1 = 160  # primary-energy grid of that table
ANNIHILATION_DOPPLER_FWHM_KEV = 2.5
"""Doppler broadening (FWHM, keV) of the 511 keV annihilation line: the electron's momentum at annihilation
spreads the photon energies by ~2-3 keV in common materials (Knoll, Radiation Detection and Measurement, 4th ed.,
ch. 12: the annihilation peak is visibly broader than neighbouring photopeaks in a germanium spectrum). Added in
quadrature to the detector's resolution; it matters on HPGe (FWHM ~1.4 keV at 511 keV), hardly on scintillators."""
_FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))
_PEAK_WINDOW_SIGMA = 6.0  # peaks are evaluated within +-6 sigma of their centre
_LINE_BLOCK = 64  # lines per block when building continua
_CONTINUOUS_NODES = 384  # incident-energy nodes for the partial deposits of a continuous spectrum
_SCATTER_MIN_DEG = 90.0  # surroundings scatter: 90-180 deg, KN weighted (the backscatter peak is its 180 deg end)


def _kn_density(e: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Klein-Nishina electron kinetic-energy density dsigma/dT / sigma_KN (1/keV) for photon energy e (keV)
    at electron energies t (broadcast); zero outside 0 <= t <= T_max."""
    k = e / ME_C2_KEV
    s = np.clip(t / e, 0.0, None)
    tmax = e * 2 * k / (1 + 2 * k)
    one_s = np.maximum(1 - s, 1e-12)
    bracket = 2 + s**2 / (k**2 * one_s**2) + s / one_s * (s - 2 / k)
    d = np.pi * R_E_CM**2 / (ME_C2_KEV * k**2) * bracket
    d = np.where((t >= 0) & (t <= tmax), d, 0.0)
    return d / klein_nishina_per_electron(e)


def _kn_quantile_t(e: np.ndarray, n: int) -> np.ndarray:
    """Electron energies T (keV) at the n equal-probability mid-quantiles of the KN distribution, (len(e), n)."""
    e = np.atleast_1d(e)
    k = e / ME_C2_KEV
    tmax = e * 2 * k / (1 + 2 * k)
    u = np.linspace(0, 1, 129)
    t = tmax[:, None] * u[None, :]
    dens = _kn_density(e[:, None], t * (1 - 1e-9))
    cdf = np.concatenate([np.zeros((e.size, 1)), np.cumsum(0.5 * (dens[:, 1:] + dens[:, :-1]) * np.diff(t), axis=1)],
                         axis=1)
    cdf /= cdf[:, -1:]
    q = (np.arange(n) + 0.5) / n
    out = np.empty((e.size, n))
    for i in range(e.size):
        out[i] = np.interp(q, cdf[i], t[i])
    return out


def _gl(n: int, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights (summing to 1) on [lo, hi]."""
    x, w = np.polynomial.legendre.leggauss(n)
    return lo + (hi - lo) * (x + 1) / 2, w / 2


def _crystal_geometry(det: DetectorModel) -> tuple:
    """Hashable active-volume geometry: ("cylinder", radius, depth) or ("box", width, height, depth) in cm;
    the source faces the flat face at z = 0, the crystal extends to z = depth."""
    depth = max(det.length_cm - det.dead_layer_cm, 1e-3)
    if det.shape == "cylinder":
        return ("cylinder", max(det.diameter_cm / 2 - det.dead_layer_cm, 1e-3), depth)
    return ("box", det.width_cm, det.height_cm, depth)


def _entry_points(geom: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points on the front face (x, y) with area weights (sum 1), for a beam uniform over the face."""
    if geom[0] == "cylinder":
        # uniform in r^2 (area); azimuth of the point is folded into the scattering azimuth (symmetry)
        u, w = _gl(_N_R, 0.0, 1.0)
        return geom[1] * np.sqrt(u), np.zeros_like(u), w
    # a box is symmetric under x -> -x and y -> -y, and the azimuths are uniform: one quadrant suffices
    gx, wx = _gl(_N_R_BOX, 0.0, geom[1] / 2)
    gy, wy = _gl(_N_R_BOX, 0.0, geom[2] / 2)
    return np.repeat(gx, gy.size), np.tile(gy, gx.size), np.outer(wx, wy).ravel() / (wx.sum() * wy.sum())


def _path_to_surface(geom: tuple, px, py, pz, ux, uy, uz) -> np.ndarray:
    """Distance (cm) from interior points p along unit directions u to the surface (broadcast arrays)."""
    big = 1e9
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = geom[-1]
        sz = np.where(uz > 1e-12, (depth - pz) / uz, np.where(uz < -1e-12, -pz / uz, big))
        if geom[0] == "cylinder":
            r = geom[1]
            a = ux * ux + uy * uy
            b = px * ux + py * uy
            c = px * px + py * py - r * r
            sr = np.where(a > 1e-12, (-b + np.sqrt(np.maximum(b * b - a * c, 0.0))) / a, big)
            s = np.minimum(sz, sr)
        else:
            hx, hy = geom[1] / 2, geom[2] / 2
            sx = np.where(ux > 1e-12, (hx - px) / ux, np.where(ux < -1e-12, (-hx - px) / ux, big))
            sy = np.where(uy > 1e-12, (hy - py) / uy, np.where(uy < -1e-12, (-hy - py) / uy, big))
            s = np.minimum(np.minimum(sx, sy), sz)
    return np.maximum(s, 0.0)


def _first_scatter_paths(geom: tuple, mu_in: float, cos_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Escape path lengths of a photon Compton scattered at its FIRST interaction, for a beam along +z
    uniform over the front face: interaction depth on the quantiles of mu_in exp(-mu_in z) truncated at the
    depth, entry point over the face, scattering azimuth uniform. Returns (paths (n_cos, n_quad), weights)."""
    depth = geom[-1]
    qz = (np.arange(_N_Z) + 0.5) / _N_Z
    span = -np.expm1(-mu_in * depth)
    z = -np.log1p(-qz * span) / mu_in if mu_in * depth > 1e-9 else qz * depth
    px, py, pw = _entry_points(geom)
    phi = (np.arange(_N_PHI) + 0.5) * 2 * np.pi / _N_PHI
    sin_t = np.sqrt(np.maximum(1 - cos_t**2, 0.0))
    # axes: cos, entry point, depth, azimuth
    c = cos_t[:, None, None, None]
    s_ = sin_t[:, None, None, None]
    ux = s_ * np.cos(phi)[None, None, None, :]
    uy = s_ * np.sin(phi)[None, None, None, :]
    path = _path_to_surface(geom, px[None, :, None, None], py[None, :, None, None], z[None, None, :, None],
                            ux, uy, np.broadcast_to(c, ux.shape))
    w = (pw[:, None, None] * np.full((1, _N_Z, _N_PHI), 1.0 / (_N_Z * _N_PHI))).ravel()
    return path.reshape(cos_t.size, -1), w


def _interior_paths(geom: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Escape path lengths from points uniform in the volume along isotropic directions, with weights."""
    depth = geom[-1]
    if geom[0] == "cylinder":
        u, wr = _gl(_N_R, 0.0, 1.0)
        px, py = geom[1] * np.sqrt(u), np.zeros_like(u)
    else:
        px, py, wr = _entry_points(geom)
    z, wz = _gl(_N_Z, 0.0, depth)
    wz = wz / wz.sum()
    ct, wc = _gl(_N_Z, -1.0, 1.0)
    phi = (np.arange(_N_PHI) + 0.5) * 2 * np.pi / _N_PHI
    st = np.sqrt(1 - ct**2)
    path = _path_to_surface(geom, px[:, None, None, None], py[:, None, None, None], z[None, :, None, None],
                            (st[:, None] * np.cos(phi)[None, :])[None, None],
                            (st[:, None] * np.sin(phi)[None, :])[None, None],
                            np.broadcast_to(ct[:, None], (ct.size, phi.size))[None, None])
    w = wr[:, None, None, None] * wz[None, :, None, None] * wc[None, None, :, None] / phi.size
    w = np.broadcast_to(w, path.shape).ravel()
    return path.ravel(), w / w.sum()


def _merge_table(grid: np.ndarray, analytic: np.ndarray, e_tab: np.ndarray, v_tab: np.ndarray) -> np.ndarray:
    """Monte Carlo values ``v_tab`` (at ``e_tab``) interpolated in ln E on ``grid`` inside the table range; outside
    it the analytic values scaled by their ratio at the nearest table end (continuous, with the analytic trend)."""
    out = np.array(analytic, dtype=float)
    lg, le = np.log(grid), np.log(e_tab)
    inside = (grid >= e_tab[0]) & (grid <= e_tab[-1])
    out[inside] = np.interp(lg[inside], le, v_tab)
    for end, sel in ((0, grid < e_tab[0]), (-1, grid > e_tab[-1])):
        a_end = float(np.interp(le[end], lg, analytic))
        ratio = v_tab[end] / a_end if a_end > 1e-12 else 1.0
        out[sel] = analytic[sel] * ratio
    return out


def _positive_energies(energies_kev) -> np.ndarray:
    e = np.atleast_1d(np.asarray(energies_kev, dtype=float))
    if np.any(~np.isfinite(e)) or np.any(e <= 0):
        raise PhysicsError("line energies must be positive and finite (keV)")
    return e


def _cumulative_linear(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Integral from x[0] to ``at`` of the piecewise-linear function through (x, y), zero outside [x0, x-1]."""
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (y[1:] + y[:-1]) * np.diff(x))])
    a = np.clip(np.asarray(at, dtype=float), x[0], x[-1])
    j = np.clip(np.searchsorted(x, a, side="right") - 1, 0, x.size - 2)
    t = a - x[j]
    slope = (y[j + 1] - y[j]) / (x[j + 1] - x[j])
    return cum[j] + y[j] * t + 0.5 * slope * t * t


def _validate_edges(edges_kev) -> np.ndarray:
    edges = np.asarray(edges_kev, dtype=float)
    if edges.ndim != 1 or edges.size < 2:
        raise PhysicsError("channel edges must be a 1-D array of at least 2 energies (keV)")
    if not np.all(np.isfinite(edges)) or np.any(np.diff(edges) <= 0):
        raise PhysicsError("channel edges must be finite and strictly increasing (keV)")
    return edges


def edges_key(edges_kev) -> str:
    """Stable hash of channel edges (for caches)."""
    return hashlib.sha1(np.ascontiguousarray(edges_kev, dtype=np.float64).tobytes()).hexdigest()


def _a1_lookup(loge_grid, cos_grid, table, e, e_prime) -> np.ndarray:
    """Bilinear interpolation of the first-scatter re-absorption table in (ln E, cos theta)."""
    e = np.asarray(e, dtype=float)
    ep = np.minimum(np.asarray(e_prime, dtype=float), e)
    cos_t = np.clip(1 - ME_C2_KEV * (1 / np.maximum(ep, 1e-6) - 1 / e), -1.0, 1.0)
    le = np.clip(np.log(e), loge_grid[0], loge_grid[-1])
    fi = (le - loge_grid[0]) / (loge_grid[1] - loge_grid[0])
    i0 = np.minimum(fi.astype(int), loge_grid.size - 2)
    fi = fi - i0
    fc = (cos_t - cos_grid[0]) / (cos_grid[1] - cos_grid[0])
    c0 = np.minimum(fc.astype(int), cos_grid.size - 2)
    fc = fc - c0
    return ((1 - fi) * ((1 - fc) * table[i0, c0] + fc * table[i0, c0 + 1])
            + fi * ((1 - fc) * table[i0 + 1, c0] + fc * table[i0 + 1, c0 + 1]))


@functools.lru_cache(maxsize=64)
def _physics_tables(material: str, geom: tuple, k_elements: tuple) -> dict:
    """Energy-grid tables of one crystal (material, active geometry); independent of resolution and channels.

    * ``A_iso(E)``: re-absorption probability of a photon born at a point uniform in the volume with an
      isotropic direction, 1 - <exp(-mu s)> over the quadrature of escape paths s (not exp(-mu <s>): the
      average of the exponential is what escapes, and it is larger, Jensen);
    * ``a1(E, cos theta)``: the same for the photon scattered at the FIRST interaction of a primary of energy E
      that entered the front face (beam along the axis, uniform over the face, depth distributed as
      mu e^(-mu z)): low-energy primaries interact near the face and their back-scattered photons escape
      through it, forward-scattered photons of high-energy primaries travel through the remaining depth;
    * ``Q(E)``: full-energy probability of an interacting secondary photon, solved upward on the grid,
      Q = tau/mu (1 - f_K) + sigma/mu <A_iso(E') Q(E')>_KN + kappa/mu q_511^2;
    * ``P(E)``: photopeak fraction of a primary, P = tau/mu (1 - f_K) + sigma/mu <a1(E, E') Q(E')>_KN
      + kappa/mu q_511^2.
    """
    import xraydb

    mat = get_material(material)
    g = np.geomspace(1.0, 20000.0, 600)
    mu = linear_attenuation(mat, g, "total_no_coherent")
    rho = mat.density
    lg = np.log(g)
    ptau = linear_attenuation(mat, g, "photoelectric") / mu
    psig = mass_attenuation(mat, g, "compton") * rho / mu
    pkap = mass_attenuation(mat, g, "pair") * rho / mu
    # isotropic interior escape
    paths, pw = _interior_paths(geom)
    a_iso = 1 - np.exp(-mu[:, None] * paths[None, :]) @ pw
    # first-scatter escape table on (ln E, cos theta)
    e1 = np.geomspace(5.0, 20000.0, _N_E1)
    cos_grid = np.linspace(-1.0, 1.0, _N_COS)
    mu1 = np.interp(np.log(e1), lg, mu)
    a1 = np.empty((e1.size, cos_grid.size))
    for i, e in enumerate(e1):
        path, w = _first_scatter_paths(geom, float(mu1[i]), cos_grid)
        ep = e / (1 + e / ME_C2_KEV * (1 - cos_grid))
        mu_p = np.interp(np.log(ep), lg, mu)
        a1[i] = 1 - np.exp(-mu_p[:, None] * path) @ w
    a1_loge = np.log(e1)
    # K escape: list of (shift keV, f_K(E) on grid)
    kesc = []
    tau = ptau * mu
    for el in k_elements:
        wfrac = dict(mat.fractions).get(el)
        if wfrac is None:
            continue
        edge = xraydb.xray_edge(el, "K")
        lines = xraydb.xray_lines(el, "K")
        e_edge = edge.energy / 1e3
        tau_el = mass_attenuation(el, g, "photoelectric") * wfrac * rho
        frac_k = np.where(g > e_edge, tau_el / np.maximum(tau, 1e-300) * (1 - 1 / edge.jump_ratio), 0.0)
        for prefix in ("Ka", "Kb"):
            sel = [ln for name, ln in lines.items() if name.startswith(prefix)]
            inten = np.array([ln.intensity for ln in sel])
            if inten.sum() <= 0:
                continue
            ex = float(np.sum(inten * [ln.energy for ln in sel]) / inten.sum() / 1e3)
            share = inten.sum() / sum(ln.intensity for ln in lines.values())
            mu_k = float(linear_attenuation(mat, ex, "total_no_coherent"))
            ratio = mu_k / mu
            eta = 0.5 * (1 - ratio * np.log1p(1 / ratio))
            kesc.append((ex, frac_k * edge.fyield * share * eta))
    fk = np.sum([f for _, f in kesc], axis=0) if kesc else np.zeros_like(g)
    # secondary full-energy probability Q(E), solved upward
    Q = np.zeros_like(g)
    tq = _kn_quantile_t(g, _J_NODES)
    ep_all = g[:, None] - tq
    a_iso_ep = np.interp(np.log(ep_all), lg, a_iso)
    q511 = e511 = None
    for i in range(g.size):
        sc = 0.0 if i == 0 else float(np.mean(a_iso_ep[i] * np.interp(np.log(ep_all[i]), lg[:i], Q[:i])))
        if q511 is None and g[i] > ME_C2_KEV:
            a511 = float(np.interp(np.log(ME_C2_KEV), lg, a_iso))
            q511 = a511 * float(np.interp(np.log(ME_C2_KEV), lg[:i], Q[:i]))
            e511 = 1 - a511
        q = q511 if q511 is not None else 0.0
        Q[i] = ptau[i] * (1 - fk[i]) + psig[i] * sc + pkap[i] * q * q
    Q_ep = np.interp(np.log(ep_all), lg, Q)
    a1_ep = _a1_lookup(a1_loge, cos_grid, a1, g[:, None], ep_all)
    pair_full = np.where(g > 2 * ME_C2_KEV, pkap * q511 * q511, 0.0)
    P = ptau * (1 - fk) + psig * np.mean(a1_ep * Q_ep, axis=1) + pair_full
    return {"mu": mu, "ptau": ptau, "psig": psig, "pkap": pkap, "A_iso": a_iso, "a1_loge": a1_loge,
            "a1_cos": cos_grid, "a1": a1, "kesc": kesc, "fk": fk, "Q": Q, "P": P, "q511": q511, "e511": e511}


@dataclass(frozen=True)
class LineResponse:
    """Response to one photon of ``energy_kev`` incident on the front face: probabilities per incident photon
    (``counts`` per channel), with the main physics numbers that produced it."""

    energy_kev: float
    counts: np.ndarray
    window_transmission: float
    interaction_probability: float
    photopeak_fraction: float
    full_energy_efficiency: float


class ResponseModel:
    """Response of ``detector`` for channel ``edges_kev`` (keV, len = channels + 1)."""

    def __init__(self, detector: DetectorModel | str, edges_kev):
        self.detector = get_detector(detector)
        self.edges = _validate_edges(edges_kev)
        self.centers = 0.5 * (self.edges[1:] + self.edges[:-1])
        self.n_channels = self.edges.size - 1
        det = self.detector
        self._mat = get_material(det.material)
        self._depth = max(det.length_cm - det.dead_layer_cm, 1e-3)
        self._grid_e = np.geomspace(1.0, 20000.0, 600)
        self._build_tables()
        self._build_fine_grid()
        self._thr = ndtr((self.centers - det.threshold_kev) / max(det.threshold_width_kev, 1e-6))

    # ---------------------------------------------------------------------------------------------
    def _mu(self, e):
        return linear_attenuation(self._mat, e, "total_no_coherent")

    def _build_tables(self):
        t = _physics_tables(self.detector.material, _crystal_geometry(self.detector), self.detector.k_xray_elements)
        self._tab_mu = t["mu"]
        self._tab_ptau, self._tab_psig, self._tab_pkap = t["ptau"], t["psig"], t["pkap"]
        self._tab_A = t["A_iso"]
        self._a1_loge, self._a1_cos, self._a1 = t["a1_loge"], t["a1_cos"], t["a1"]
        self._tab_fk = t["fk"]
        self._tab_Q = t["Q"]
        self._q511, self._e511 = t["q511"], t["e511"]
        # outcome tables (per interacting photon) on their own grid: the analytic model, replaced by the bundled
        # Monte Carlo table of this crystal where one exists (radnuc.physics.transport_mc)
        g = self._grid_e
        q, s_esc = (self._q511 or 0.0), (self._e511 or 0.0)
        an = {"eps": 1 - np.exp(-t["mu"] * self._depth), "P": t["P"],
              "se": np.where(g > 2 * ME_C2_KEV, t["pkap"] * 2 * q * s_esc, 0.0),
              "de": np.where(g > 2 * ME_C2_KEV, t["pkap"] * s_esc * s_esc, 0.0)}
        an.update({f"k{i}": t["ptau"] * f for i, (_, f) in enumerate(t["kesc"])})
        self._analytic = {k: v.copy() for k, v in an.items()}
        self._mc = transport_mc.table_for(self.detector)
        if self._mc is None:
            self._grid_x = g
            tabs = an
        else:
            mc = self._mc
            self._grid_x = np.unique(np.concatenate([g, mc.energies_kev]))
            pint = np.maximum(mc.p_interact, 1e-300)
            vals = {"eps": mc.p_interact, "P": mc.p_full / pint, "se": mc.p_se / pint, "de": mc.p_de / pint}
            for i, (shift, _) in enumerate(t["kesc"]):
                j = [m for m, (_, _, ex) in enumerate(mc.k_lines) if abs(ex - shift) < 0.01]
                vals[f"k{i}"] = mc.p_kesc[j[0]] / pint if j else None
            tabs = {}
            for k, a in an.items():
                a_x = np.interp(np.log(self._grid_x), np.log(g), a)
                tabs[k] = a_x if vals.get(k) is None else _merge_table(self._grid_x, a_x, mc.energies_kev, vals[k])
        self._tab_eps = tabs["eps"]
        self._tab_P = tabs["P"]
        self._tab_se, self._tab_de = tabs["se"], tabs["de"]
        self._kesc = [(shift, tabs[f"k{i}"]) for i, (shift, _) in enumerate(t["kesc"])]
        self._an_x = {k: np.interp(np.log(self._grid_x), np.log(g), v) for k, v in an.items()}

    def _interpx(self, table, e):
        """Interpolate an outcome table (on the grid of the Monte Carlo table merged with the model grid)."""
        return np.interp(np.log(np.asarray(e, dtype=float)), np.log(self._grid_x), table)

    def _a1_interp(self, e, e_prime):
        """Re-absorption probability of the photon scattered at the first interaction of a primary of energy e
        (keV) with scattered energy e_prime (broadcast arrays)."""
        return _a1_lookup(self._a1_loge, self._a1_cos, self._a1, e, e_prime)

    def _interp(self, table, e):
        return np.interp(np.log(np.asarray(e, dtype=float)), np.log(self._grid_e), table)

    def _build_fine_grid(self):
        det = self.detector
        edges = self.edges
        top = float(edges[-1] + 5 * det.sigma_kev(edges[-1]))
        widths = np.diff(edges)
        x = [0.5]
        while x[-1] < top:
            xi = x[-1]
            cw = float(np.interp(xi, self.centers, widths))
            step = max(min(float(det.fwhm_kev(xi)) / 3.0, cw), 0.05)
            x.append(xi + step)
        fe = np.array(x)
        if fe.size > 6001:  # cap the cost: coarser grid
            fe = np.linspace(fe[0], fe[-1], 6001)
        self.fine_edges = fe
        self.fine_centers = 0.5 * (fe[1:] + fe[:-1])
        self.fine_widths = np.diff(fe)
        xa = det.apparent_energy(self.fine_centers)
        sig = np.maximum(det.sigma_kev(xa), 1e-3)
        # smearing matrix, built in row blocks to bound memory
        rows, cols, vals = [], [], []
        block = max(1, 4_000_000 // edges.size)
        for s in range(0, xa.size, block):
            z = ndtr((edges[None, :] - xa[s:s + block, None]) / sig[s:s + block, None])
            g = np.diff(z, axis=1)
            r, c = np.nonzero(g > 1e-10)
            rows.append(c)
            cols.append(r + s)
            vals.append(g[r, c])
        self._G = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                                    shape=(self.n_channels, xa.size))
        self._Gc = self._G.tocsc()

    # ---------------------------------------------------------------------------------------------
    def _peak_windows(self, centers_kev: np.ndarray, weights: np.ndarray, columns: np.ndarray, n_cols: int
                      ) -> np.ndarray:
        """Gaussian peaks of total ``weights`` at deposited energies ``centers_kev`` added to column ``columns``
        of a (n_channels, n_cols) array. Each peak is evaluated only on the channels within +-6 sigma of its
        centre (outside: < 2e-9 of its area), in blocks of peaks to bound memory."""
        det = self.detector
        out = np.zeros(self.n_channels * n_cols)
        if centers_kev.size == 0:
            return out.reshape(self.n_channels, n_cols)
        xa = det.apparent_energy(centers_kev)
        sig = np.maximum(det.sigma_kev(xa), 1e-3)
        annihilation = np.abs(np.asarray(centers_kev) - ME_C2_KEV) < 0.01
        if annihilation.any():
            sig = np.where(annihilation, np.hypot(sig, ANNIHILATION_DOPPLER_FWHM_KEV / _FWHM_PER_SIGMA), sig)
        edges = self.edges
        lo = np.clip(np.searchsorted(edges, xa - _PEAK_WINDOW_SIGMA * sig, side="right") - 1, 0, edges.size - 2)
        hi = np.clip(np.searchsorted(edges, xa + _PEAK_WINDOW_SIGMA * sig, side="left"), lo + 1, edges.size - 1)
        order = np.argsort(hi - lo, kind="stable")
        for s in range(0, order.size, 512):
            b = order[s:s + 512]
            width = int((hi[b] - lo[b]).max()) + 1  # edges per peak
            idx = lo[b, None] + np.arange(width)[None, :]
            valid_e = idx <= hi[b, None]
            idx_c = np.minimum(idx, edges.size - 1)
            z = ndtr((edges[idx_c] - xa[b, None]) / sig[b, None])
            z = np.where(valid_e, z, z[np.arange(b.size), hi[b] - lo[b]][:, None])  # flat beyond the window
            g = np.diff(z, axis=1) * weights[b, None]
            ch = idx[:, :-1]
            ok = ch < self.n_channels
            flat = ch[ok] * n_cols + np.broadcast_to(columns[b, None], ch.shape)[ok]
            out += np.bincount(flat, weights=g[ok], minlength=out.size)
        return out.reshape(self.n_channels, n_cols)

    def _peaks(self, centers_kev: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """(n_channels, n) Gaussian peaks of total ``weights`` at deposited energies ``centers_kev``."""
        c = np.atleast_1d(np.asarray(centers_kev, dtype=float))
        w = np.atleast_1d(np.asarray(weights, dtype=float))
        return self._peak_windows(c, w, np.arange(c.size), c.size)

    def _continuum_weight(self, e: np.ndarray) -> np.ndarray:
        """Probability per interacting photon of a partial deposit outside the peaks:
        1 - P - sum K-escape - single escape - double escape."""
        w = 1 - self._interpx(self._tab_P, e) - self._interpx(self._tab_se, e) - self._interpx(self._tab_de, e)
        for _, fk in self._kesc:
            w = w - self._interpx(fk, e)
        return np.maximum(w, 0.0)

    def _fine_continuum(self, e: np.ndarray, rows: int | None = None) -> tuple[np.ndarray, dict]:
        """Per-interaction probabilities of partial deposits on the first ``rows`` bins of the fine grid,
        (rows, n_lines). The shape is analytic (single Compton with escape, multiple Compton with escape, pair
        partial absorption); the total is :meth:`_continuum_weight` (what the peaks do not take, from the Monte
        Carlo table where one exists): the multiple-scatter part takes the difference, and the single-scatter
        part only if the multiple-scatter part would become negative."""
        rows = self.fine_centers.size if rows is None else rows
        x = self.fine_centers[:rows, None]
        dx = self.fine_widths[:rows, None]
        ee = e[None, :]
        ptau = self._interp(self._tab_ptau, e)
        psig = self._interp(self._tab_psig, e)
        pkap = self._interp(self._tab_pkap, e)
        # single Compton + escape of the scattered photon (first-interaction geometry)
        esc_single = 1 - self._a1_interp(ee, np.clip(ee - x, 1.0, None))
        single = psig[None, :] * _kn_density(ee, x) * esc_single * dx
        # multiple Compton + escape
        tq = _kn_quantile_t(e, _J_NODES)  # (n, J)
        ep = e[:, None] - tq
        A = self._a1_interp(e[:, None], ep)
        Q = self._interp(self._tab_Q, ep)
        w = psig[:, None] * A * (1 - Q) / _J_NODES  # (n, J)
        multi = np.zeros_like(single)
        for j in range(_J_NODES):
            multi += w[None, :, j] * _kn_density(ep[None, :, j], x - tq[None, :, j]) * dx
        # pair partial: uniform between E-1022 and E
        pair = np.zeros_like(single)
        if np.any(pkap > 0):
            q, s_esc = self._q511, self._e511
            part = 1 - q - s_esc
            w_p = pkap * (2 * part * (q + s_esc) + part * part)
            lo = np.maximum(e - 2 * ME_C2_KEV, 0.0)
            inside = (x >= lo[None, :]) & (x < ee)
            pair = np.where(inside, w_p[None, :] / np.maximum(2 * ME_C2_KEV, 1e-9) * dx, 0.0)
        # normalise: continuum total = what the peaks leave (interaction probability conserved)
        s_tot, m_tot, p_tot = single.sum(axis=0), multi.sum(axis=0), pair.sum(axis=0)
        m_new = self._continuum_weight(e) - p_tot - s_tot
        f_multi = np.where(m_tot > 1e-15, np.maximum(m_new, 0.0) / np.maximum(m_tot, 1e-15), 1.0)
        f_single = np.where((m_new < 0) & (s_tot > 1e-15), np.maximum(s_tot + m_new, 0.0) / np.maximum(s_tot, 1e-15),
                            1.0)
        cont = single * f_single[None, :] + multi * f_multi[None, :] + pair
        info = {"ptau": ptau, "psig": psig, "pkap": pkap}
        return cont, info

    def _backscatter_fine(self, e: np.ndarray, rows: int | None = None) -> np.ndarray:
        """Backscattered photons (per incident photon) detected at full energy, on the first ``rows`` bins of
        the fine grid."""
        det = self.detector
        rows = self.fine_centers.size if rows is None else rows
        x = self.fine_centers[:rows, None]
        dx = self.fine_widths[:rows, None]
        ee = e[None, :]
        cos_t = 1 - ME_C2_KEV * (1 / np.maximum(x, 1e-6) - 1 / ee)
        ok = (cos_t <= np.cos(np.radians(_SCATTER_MIN_DEG))) & (cos_t >= -1)
        ratio = np.clip(x / ee, 1e-9, 1.0)
        kn = ratio**2 * (ratio + 1 / ratio - (1 - cos_t**2)) * ME_C2_KEV / np.maximum(x, 1e-6) ** 2
        d = np.where(ok, kn, 0.0) * dx
        norm = d.sum(axis=0)
        d = d / np.where(norm > 0, norm, 1.0)
        xf = self.fine_centers[:rows]
        eff = self._interpx(self._tab_eps, xf) * self._interpx(self._tab_P, xf)
        return det.backscatter * d * eff[:, None]

    def _window_and_interaction(self, e: np.ndarray, tabulated: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(window transmission, interaction probability in the crystal) for photons of energies ``e`` keV.
        ``tabulated``: the transmission interpolated (in ln E) from the model's energy grid, for the many
        energies of a continuum (exact cross-sections for lines)."""
        wmat, wad = self.detector.window
        if tabulated:
            if not hasattr(self, "_tab_twin"):
                self._tab_twin = np.exp(-mass_attenuation(wmat, self._grid_x, "total") * wad)
            return self._interpx(self._tab_twin, e), self._interpx(self._tab_eps, e)
        return np.exp(-mass_attenuation(wmat, e, "total") * wad), self._interpx(self._tab_eps, e)

    def _continuum_fine(self, e: np.ndarray, weights: np.ndarray, tabulated: bool = False) -> np.ndarray:
        """Partial deposits (Compton, pair partial) and surroundings backscatter of photons of energies ``e``
        (keV) on the front face, weighted by ``weights`` (photons), on the fine deposit grid: (n_fine, n)."""
        t_win, eps = self._window_and_interaction(e, tabulated)
        out = np.zeros((self.fine_centers.size, e.size))
        order = np.argsort(e, kind="stable")
        for s in range(0, e.size, _LINE_BLOCK):
            b = order[s:s + _LINE_BLOCK]
            rows = min(int(np.searchsorted(self.fine_centers, e[b].max(), side="right")) + 1, self.fine_centers.size)
            cont, _ = self._fine_continuum(e[b], rows)
            out[:rows, b] = (cont * (t_win * eps * weights)[None, b]
                             + self._backscatter_fine(e[b], rows) * (t_win * weights)[None, b])
        return out

    def _peak_lines(self, e: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Peaks made by photons of energies ``e`` on the front face: (deposited energies keV, probabilities
        per photon, index of the photon) for full energy, K escapes, single/double escape and the 511 keV line
        of pair production in the surroundings."""
        det = self.detector
        t_win, eps = self._window_and_interaction(e)
        norm = t_win * eps
        pk_e = [e]
        pk_w = [self._interpx(self._tab_P, e) * norm]
        for shift, fk in self._kesc:
            pk_e.append(np.maximum(e - shift, 0.1))
            pk_w.append(self._interpx(fk, e) * norm)
        if np.any(self._interp(self._tab_pkap, e) > 0):
            pk_e += [np.maximum(e - ME_C2_KEV, 0.1), np.maximum(e - 2 * ME_C2_KEV, 0.1),
                     np.full_like(e, ME_C2_KEV)]
            kap_fe = mass_attenuation("Fe", e, "pair") / mass_attenuation("Fe", e, "total_no_coherent")
            eff511 = float(self._interpx(self._tab_eps, ME_C2_KEV) * self._interpx(self._tab_P, ME_C2_KEV))
            pk_w += [self._interpx(self._tab_se, e) * norm, self._interpx(self._tab_de, e) * norm,
                     det.backscatter * kap_fe * eff511 * t_win]
        idx = np.tile(np.arange(e.size), len(pk_e))
        return np.concatenate(pk_e), np.concatenate(pk_w), idx

    def line_responses(self, energies_kev) -> np.ndarray:
        """Expected counts per channel for one photon of each energy incident on the front face,
        shape (n_channels, n_lines)."""
        e = _positive_energies(energies_kev)
        out = np.asarray(self._Gc @ self._continuum_fine(e, np.ones_like(e)))
        pe, pw, idx = self._peak_lines(e)
        keep = pw > 0
        out += self._peak_windows(pe[keep], pw[keep], idx[keep], e.size)
        return out * self._thr[:, None]

    def continuous_response(self, energies_kev, photons_per_kev, nodes: int = _CONTINUOUS_NODES) -> np.ndarray:
        """Expected counts per channel for a continuous spectrum of photons on the front face.

        ``photons_per_kev`` is the density (photons/keV) at ``energies_kev`` (increasing; linear in between,
        zero outside). The peaks (full energy, escapes) of a continuum are themselves a continuum: they are
        laid on the fine deposit grid, whose bins are a third of the resolution, and smeared with it, so no
        line-like structure appears whatever the resolution. Partial deposits are integrated over ``nodes``
        incident energies (log spaced): their shapes are broad, so a coarse quadrature suffices."""
        ek = _positive_energies(energies_kev)
        dens = np.asarray(photons_per_kev, dtype=float)
        if dens.shape != ek.shape or np.any(np.diff(ek) <= 0) or np.any(~np.isfinite(dens)) or np.any(dens < 0):
            raise PhysicsError("a continuous spectrum needs increasing energies and finite densities >= 0")
        x, fe = self.fine_centers, self.fine_edges

        def photons_in(lo_edges, hi_edges):  # photons between the edges, exact for the piecewise-linear density
            return _cumulative_linear(ek, dens, hi_edges) - _cumulative_linear(ek, dens, lo_edges)

        # peaks: a photon of E deposits at E - shift; per deposited-energy bin, integrate over E = x + shift
        fine = np.zeros(x.size)
        peaks = [(0.0, self._tab_P)] + list(self._kesc)
        if ek[-1] > 2 * ME_C2_KEV:
            peaks += [(ME_C2_KEV, self._tab_se), (2 * ME_C2_KEV, self._tab_de)]
        for shift, tab in peaks:
            src = np.maximum(x + shift, 0.1)
            tw, ep = self._window_and_interaction(src, tabulated=True)
            fine += photons_in(fe[:-1] + shift, fe[1:] + shift) * tw * ep * self._interpx(tab, src)
        out = np.asarray(self._Gc @ fine)
        # partial deposits and the surroundings: quadrature over incident energy, each node taking the photons
        # of its cell (cells split at the geometric means of neighbouring nodes)
        lo, hi = max(float(ek[0]), 1.0), float(ek[-1])
        nodes_e = np.geomspace(lo, hi, max(int(nodes), 2))
        cells = np.concatenate([[lo], np.sqrt(nodes_e[1:] * nodes_e[:-1]), [hi]])
        photons = photons_in(cells[:-1], cells[1:])
        out += np.asarray(self._Gc @ self._continuum_fine(nodes_e, photons, tabulated=True)).sum(axis=1)
        if hi > 2 * ME_C2_KEV:  # 511 keV line from pair production in the surroundings
            kap_fe = mass_attenuation("Fe", nodes_e, "pair") / mass_attenuation("Fe", nodes_e, "total_no_coherent")
            eff511 = float(self._interpx(self._tab_eps, ME_C2_KEV) * self._interpx(self._tab_P, ME_C2_KEV))
            t_nodes, _ = self._window_and_interaction(nodes_e, tabulated=True)
            w511 = self.detector.backscatter * eff511 * float(np.sum(kap_fe * t_nodes * photons))
            out += self._peaks(np.array([ME_C2_KEV]), np.array([w511]))[:, 0]
        return out * self._thr

    def counts_per_photon(self, energy_kev: float) -> LineResponse:
        """Response to one photon of ``energy_kev`` on the front face, with its efficiency figures."""
        e = float(energy_kev)
        counts = self.line_responses([e])[:, 0]
        wmat, wad = self.detector.window
        t_win = float(np.exp(-mass_attenuation(wmat, e, "total") * wad))
        eps = float(self._interpx(self._tab_eps, e))
        pf = float(self._interpx(self._tab_P, e))
        return LineResponse(e, counts, t_win, eps, pf, t_win * eps * pf)

    def intrinsic_efficiency(self, energy_kev) -> np.ndarray:
        """Probability that a photon on the front face interacts in the crystal (window included)."""
        e = np.asarray(energy_kev, dtype=float)
        wmat, wad = self.detector.window
        return np.exp(-mass_attenuation(wmat, e, "total") * wad) * self._interpx(self._tab_eps, e)

    def photopeak_fraction(self, energy_kev) -> np.ndarray:
        """Fraction of interacting photons that deposit their full energy (peak-to-total at the source)."""
        return self._interpx(self._tab_P, np.asarray(energy_kev, dtype=float))

    def photopeak_fraction_analytic(self, energy_kev) -> np.ndarray:
        """The analytic escape-quadrature photopeak fraction (before the Monte Carlo table), for comparison."""
        return self._interpx(self._an_x["P"], np.asarray(energy_kev, dtype=float))

    def full_energy_efficiency(self, energy_kev) -> np.ndarray:
        """Intrinsic full-energy-peak efficiency per photon on the front face."""
        return self.intrinsic_efficiency(energy_kev) * self.photopeak_fraction(energy_kev)


@functools.lru_cache(maxsize=32)
def _cached_model(detector: DetectorModel, key: str, edges_bytes: bytes) -> ResponseModel:
    return ResponseModel(detector, np.frombuffer(edges_bytes, dtype=np.float64))


def get_model(detector: DetectorModel | str, edges_kev) -> ResponseModel:
    """Cached :class:`ResponseModel` for (detector, edges)."""
    det = get_detector(detector)
    edges = np.ascontiguousarray(_validate_edges(edges_kev), dtype=np.float64)
    return _cached_model(det, edges_key(edges), edges.tobytes())


def response_matrix(detector: DetectorModel | str, edges_kev, energies_kev=None) -> tuple[np.ndarray, np.ndarray]:
    """Response matrix R[n_channels, n_energies] (counts per channel per photon on the front face) on
    ``energies_kev`` (default: a log grid of 512 energies from 10 keV to the top edge).
    Returns (R, energies_kev)."""
    model = get_model(detector, edges_kev)
    if energies_kev is None:
        energies_kev = np.geomspace(10.0, max(float(model.edges[-1]), 20.0), 512)
    e = np.asarray(energies_kev, dtype=float)
    return model.line_responses(e), e


_GRID_E = np.geomspace(1.0, 20000.0, 600)  # energy grid of _physics_tables
_N_PS = 24  # point-source quadrature: face radii (two intervals) or points per axis of a box-face quadrant


@functools.lru_cache(maxsize=256)
def _point_source_paths(geom: tuple, distance_cm: float) -> tuple[np.ndarray, np.ndarray]:
    """Chord lengths through the crystal of the rays from a point source on the axis ``distance_cm`` in front of
    the face to points of the front face, with weights (sum 1) proportional to the solid angle of each face
    element (d / rho^3 per unit area). Rays entering near the rim leave through the side before the full depth."""
    d = float(distance_cm)
    depth = geom[-1]
    if geom[0] == "cylinder":
        r_max = geom[1]
        u_k = 1.0 / (1.0 + depth / d) ** 2  # inside r^2/R^2 < u_k the ray reaches the back face
        u1, w1 = _gl(_N_PS, 0.0, u_k)
        u2, w2 = _gl(_N_PS, u_k, 1.0)
        u = np.r_[u1, u2]
        wa = np.r_[w1 * u_k, w2 * (1 - u_k)]
        px, py = r_max * np.sqrt(u), np.zeros_like(u)
    else:
        gx, wx = _gl(_N_PS, 0.0, geom[1] / 2)
        gy, wy = _gl(_N_PS, 0.0, geom[2] / 2)
        px, py = np.repeat(gx, gy.size), np.tile(gy, gx.size)
        wa = np.outer(wx, wy).ravel()
    rho = np.sqrt(px**2 + py**2 + d * d)
    w = wa * d / rho**3
    path = _path_to_surface(geom, px, py, np.zeros_like(px), px / rho, py / rho, d / rho)
    return path, w / w.sum()


def point_source_factor(detector: DetectorModel | str, energies_kev, distance_cm: float | None) -> np.ndarray:
    """Interaction probability of the photons of a point source on the axis at ``distance_cm`` (cm from the
    detector face, i.e. the end cap) that hit the front face, relative to a parallel beam along the axis
    (the convention of :class:`ResponseModel`): <1 - exp(-mu s)> over the diverging rays / (1 - exp(-mu L)).
    1 for ``distance_cm=None``. Computed for the active crystal without its core hole (the hole is in the
    parallel-beam Monte Carlo table and changes the ratio little)."""
    e = np.atleast_1d(np.asarray(energies_kev, dtype=float))
    if distance_cm is None:
        return np.ones_like(e)
    det = get_detector(detector)
    geom = _crystal_geometry(det)
    d = float(distance_cm) + det.endcap_gap_cm
    if d <= 0:
        raise PhysicsError("source distance must be > 0 cm")
    path, w = _point_source_paths(geom, round(d, 9))
    tab = _physics_tables(det.material, geom, det.k_xray_elements)  # cached per crystal
    mu = np.exp(np.interp(np.log(e), np.log(_GRID_E), np.log(tab["mu"])))
    num = -np.expm1(-mu[:, None] * path[None, :]) @ w
    den = -np.expm1(-mu * geom[-1])
    return np.where(den > 1e-300, num / np.maximum(den, 1e-300), 1.0)


def _shield_key(shields) -> tuple:
    return tuple((s.material, round(float(s.areal_density), 9)) for s in (shields or ()))


@functools.lru_cache(maxsize=1024)
def _cached_template(det, key, edges_bytes, energies, yields, distance, shield_key) -> np.ndarray:
    from radnuc.physics.shielding import Shield, shielded_lines

    model = _cached_model(det, key, edges_bytes)
    e = np.array(energies, dtype=float)
    y = np.array(yields, dtype=float)
    shields = [Shield(m, areal_density=a) for m, a in shield_key]
    unc, scatter = shielded_lines(e, y, shields)
    all_e = np.concatenate([e, scatter.xray_energies_kev])
    all_w = np.concatenate([unc, scatter.xray_photons])
    keep = all_w > 0
    geom = det.geometric_efficiency(distance)
    out = np.zeros(model.n_channels)
    if keep.any():
        ps = point_source_factor(det, all_e[keep], distance)
        out += model.line_responses(all_e[keep]) @ (all_w[keep] * ps) * geom
    e_sc, dens = scatter.density()
    if np.any(dens > 0):  # the build-up continuum is folded as a continuum (smooth at any resolution)
        ok = e_sc > 0
        e_sc, dens = e_sc[ok], dens[ok]
        out += model.continuous_response(e_sc, dens * point_source_factor(det, e_sc, distance)) * geom
    out.setflags(write=False)
    return out


def line_template(detector: DetectorModel | str, energies_kev, yields, edges_kev, distance_cm: float | None = None,
                  shields=()) -> np.ndarray:
    """Expected counts per channel per decay for lines (``energies_kev``, ``yields`` photons per decay).

    With ``distance_cm`` (point source on the axis, cm from the detector face) the geometric efficiency and the
    divergence of the beam (:func:`point_source_factor`: rays entering near the rim leave through the side) are
    included, so template x activity (Bq) x live time (s) = expected counts. With ``distance_cm=None`` the
    template is per decay whose photons all reach the front face (multiply by the fluence x front area).
    ``shields``: :class:`radnuc.physics.shielding.Shield` sequence between source and detector.
    The result is cached and read-only; copy it before changing it."""
    det = get_detector(detector)
    edges = np.ascontiguousarray(_validate_edges(edges_kev), dtype=np.float64)
    e = tuple(float(v) for v in np.atleast_1d(energies_kev))
    y = tuple(float(v) for v in np.atleast_1d(yields))
    if len(e) != len(y):
        raise PhysicsError("energies and yields must have the same length")
    if any(not np.isfinite(v) or v < 0 for v in y):
        raise PhysicsError("yields must be finite and >= 0")
    dist = None if distance_cm is None else float(distance_cm)
    return _cached_template(det, edges_key(edges), edges.tobytes(), e, y, dist, _shield_key(shields))


def peak_efficiency(detector: DetectorModel | str, energy_kev, distance_cm: float | None = None,
                    shields=()) -> np.ndarray:
    """Absolute full-energy-peak efficiency: peak counts per emitted photon (geometry, shields, window,
    crystal) for a point source on the axis at ``distance_cm``."""
    from radnuc.physics.shielding import shielded_lines

    det = get_detector(detector)
    e = np.atleast_1d(np.asarray(energy_kev, dtype=float))
    edges = np.array([1.0, max(float(e.max()) * 2, 100.0)])
    model = get_model(det, edges)
    unc, _ = shielded_lines(e, np.ones_like(e), list(shields or ()))
    return (model.full_energy_efficiency(e) * unc * det.geometric_efficiency(distance_cm)
            * point_source_factor(det, e, distance_cm))


def count_rate(activity_bq: float, template: np.ndarray) -> np.ndarray:
    """Expected counts per second per channel for ``activity_bq`` and a :func:`line_template`."""
    return float(activity_bq) * np.asarray(template)


def activity_from_peak(net_counts: float, live_time_s: float, yield_per_decay: float, detector, energy_kev: float,
                       distance_cm: float, shields=()) -> float:
    """Activity (Bq) from the net counts of one full-energy peak: N / (t y eps_peak)."""
    if live_time_s <= 0 or yield_per_decay <= 0:
        raise PhysicsError("live time and yield must be > 0")
    eff = float(peak_efficiency(detector, energy_kev, distance_cm, shields)[0])
    if eff <= 0:
        raise PhysicsError(f"no full-energy efficiency at {energy_kev} keV for this geometry")
    return float(net_counts) / (live_time_s * yield_per_decay * eff)
