"""Monte Carlo photon transport in a detector crystal: full-energy, escape-peak and interaction probabilities.

Used OFFLINE to tabulate, per detector kind, what the analytic escape model of :mod:`radnuc.physics.response`
approximates: the probability that a photon incident on the front face deposits its full energy (and the K X-ray
escape, single- and double-escape probabilities). The tables are bundled in ``data/transport_mc/<kind>.csv`` and
read by :mod:`radnuc.physics.response`; nothing here runs when templates are built.

Physics (vectorised over histories, a seeded :class:`numpy.random.Generator` passed in):

* geometry: a cylinder (optionally with a closed-end coaxial core hole opening at the back face) or a box; the
  source photons enter the front face (z = 0) either as a parallel beam along +z uniform over the face (the
  convention of the response model: "per photon on the front face") or from a point source on the axis at a given
  distance (only photons that hit the front face are started; for an on-axis source in front of the face no other
  photon can reach the crystal). Outer dead layers (front and side, e.g. the Li contact of a p-type HPGe) are
  crystal material in which deposits are not counted;
* free paths with the total attenuation without coherent scattering (:func:`attenuation.linear_attenuation`, the
  project's tables, within 1 % of NIST); the core hole is vacuum, handled by delta tracking (a collision sampled
  in the hole is virtual; the body is convex, so a photon outside it has escaped);
* photoelectric absorption, with K-shell fluorescence of the listed elements: K-shell share (1 - 1/J) of the
  element's photo cross-section, fluorescence yield omega_K, the Ka or Kb line (intensity-weighted mean energies of
  the xraydb lines, as in the response model) emitted isotropically and transported; the rest deposited locally;
* Compton scattering sampled from the Klein-Nishina cross-section (free electrons at rest; Butcher & Messel
  composition-rejection as in EGS4/Geant4), the scattered photon transported;
* pair production: E - 2 m c^2 deposited locally, two back-to-back 511 keV photons emitted isotropically;
* electrons (photo, Compton, pair) are not transported step by step (no Doppler broadening, no coherent
  scattering; photons below 1 keV are absorbed where they are). Electron escape through the surface: each electron
  of kinetic energy T goes in a straight line, isotropically, over its extrapolated range R(T) (Katz & Penfold
  1952, Rev. Mod. Phys. 24, 28: R = 0.412 T^(1.265 - 0.0954 ln T) g/cm2 for 0.01-2.5 MeV, 0.530 T - 0.106 above;
  an aluminium fit used as material-independent in g/cm2, which it is to ~20-30 % for Z ~ 50); if the line leaves
  the crystal after a length s the electron deposits T s / R and the rest escapes (energy loss taken uniform along
  the track). This takes events out of the full-energy peak of small crystals at high energy (1 cm3 CsI: 6 % at
  662 keV, 14 % at 1332 keV, 32 % at 2614 keV; 3"x3" NaI and the 40 % HPGe: about 1 % at 1332 keV); the core
  hole is treated as crystal for this. Their bremsstrahlung: an electron of kinetic energy T radiates the
  thick-target yield Y(T) = 6e-4 Z T / (1 + 6e-4 Z T)
  (T in MeV; Knoll, *Radiation Detection and Measurement*, eq. 2.12 after Koch & Motz) with Kramers' spectrum
  k dN/dk ~ (T - k); this gives n(T) = 2 Y / T [T ln(T/k0) - (T - k0)] photons above k0 = 10 keV, of which one
  is emitted with probability min(n, 1), isotropically, and transported (its escape takes the event out of the
  full-energy peak). Z is the electron-weighted sum(w Z^2/A) / sum(w Z/A) of the material.

Tallies per history: energy deposited in the active volume, in the dead layers, and energy escaping (their sum is
the source energy: tests/physics/test_transport_mc.py checks it).

Generate the bundled tables (about 20 min on one core):

    python -m radnuc.physics.transport_mc --histories 100000 --seed 20261204
"""

from __future__ import annotations

import argparse
import datetime as _dt
import functools
import json
import sys
import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from radnuc.physics.attenuation import ME_C2_KEV, get_material, linear_attenuation, mass_attenuation
from radnuc.physics.errors import PhysicsError

E_CUT_KEV = 1.0
BREMS_K0_KEV = 10.0
TABLE_VERSION = 2  # 2: electron escape through the surface


@dataclass(frozen=True)
class CrystalGeometry:
    """Crystal body: ``shape`` "cylinder" (radius) or "box" (width x height face), ``depth_cm`` along the beam;
    front face at z = 0. ``hole_*``: coaxial core hole (cylinder only) opening at the back face.
    ``dead_front_cm`` / ``dead_side_cm``: inactive outer layers (material present, deposits not counted)."""

    shape: str
    depth_cm: float
    radius_cm: float = 0.0
    width_cm: float = 0.0
    height_cm: float = 0.0
    hole_radius_cm: float = 0.0
    hole_depth_cm: float = 0.0
    dead_front_cm: float = 0.0
    dead_side_cm: float = 0.0

    def __post_init__(self):
        if self.shape not in ("cylinder", "box"):
            raise PhysicsError(f"unknown crystal shape {self.shape!r}")
        if self.depth_cm <= 0:
            raise PhysicsError("crystal depth must be > 0")

    @property
    def face_half_extent(self) -> float:
        """Radius of the smallest disc around the axis containing the front face (cm)."""
        if self.shape == "cylinder":
            return self.radius_cm
        return 0.5 * float(np.hypot(self.width_cm, self.height_cm))

    def outside(self, p: np.ndarray) -> np.ndarray:
        z = p[:, 2]
        out = (z < 0) | (z > self.depth_cm)
        if self.shape == "cylinder":
            return out | (p[:, 0] ** 2 + p[:, 1] ** 2 > self.radius_cm**2)
        return out | (np.abs(p[:, 0]) > self.width_cm / 2) | (np.abs(p[:, 1]) > self.height_cm / 2)

    def in_hole(self, p: np.ndarray) -> np.ndarray:
        if self.hole_radius_cm <= 0 or self.hole_depth_cm <= 0:
            return np.zeros(p.shape[0], dtype=bool)
        return ((p[:, 0] ** 2 + p[:, 1] ** 2 < self.hole_radius_cm**2)
                & (p[:, 2] > self.depth_cm - self.hole_depth_cm))

    def active(self, p: np.ndarray) -> np.ndarray:
        act = p[:, 2] >= self.dead_front_cm
        if self.dead_side_cm > 0:
            if self.shape == "cylinder":
                act &= p[:, 0] ** 2 + p[:, 1] ** 2 <= (self.radius_cm - self.dead_side_cm) ** 2
            else:
                act &= ((np.abs(p[:, 0]) <= self.width_cm / 2 - self.dead_side_cm)
                        & (np.abs(p[:, 1]) <= self.height_cm / 2 - self.dead_side_cm))
        return act

    def face_points(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """n points uniform over the front face."""
        if self.shape == "cylinder":
            r = self.radius_cm * np.sqrt(rng.random(n))
            ph = 2 * np.pi * rng.random(n)
            return r * np.cos(ph), r * np.sin(ph)
        return (rng.random(n) - 0.5) * self.width_cm, (rng.random(n) - 0.5) * self.height_cm

    def on_face(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.shape == "cylinder":
            return x * x + y * y <= self.radius_cm**2
        return (np.abs(x) <= self.width_cm / 2) & (np.abs(y) <= self.height_cm / 2)

    def key(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def geometry_for(det) -> CrystalGeometry:
    """The Monte Carlo geometry of a :class:`radnuc.physics.detectors.DetectorModel`."""
    dead = float(det.dead_layer_cm)
    if det.shape == "cylinder":
        hole_d, hole_l = det.core_hole_cm if det.core_hole_cm else (0.0, 0.0)
        return CrystalGeometry("cylinder", float(det.length_cm), radius_cm=float(det.diameter_cm) / 2,
                               hole_radius_cm=float(hole_d) / 2, hole_depth_cm=float(hole_l),
                               dead_front_cm=dead, dead_side_cm=dead)
    return CrystalGeometry("box", float(det.length_cm), width_cm=float(det.width_cm), height_cm=float(det.height_cm),
                           dead_front_cm=dead, dead_side_cm=dead)


def k_lines(material: str, k_elements: tuple[str, ...]) -> list[tuple[str, str, float]]:
    """(element, "Ka"/"Kb", intensity-weighted mean energy keV) of the K X-rays of the crystal elements (the
    energies used by the response model for its K-escape peaks)."""
    import xraydb

    mat = get_material(material)
    out = []
    for el in k_elements:
        if el not in dict(mat.fractions):
            continue
        lines = xraydb.xray_lines(el, "K")
        for prefix in ("Ka", "Kb"):
            sel = [ln for name, ln in lines.items() if name.startswith(prefix)]
            inten = np.array([ln.intensity for ln in sel])
            if inten.sum() <= 0:
                continue
            out.append((el, prefix, float(np.sum(inten * [ln.energy for ln in sel]) / inten.sum() / 1e3)))
    return out


class _CrossSections:
    """Log-log interpolated interaction data of one material, with the K-fluorescence probabilities."""

    def __init__(self, material: str, k_elements: tuple[str, ...]):
        import xraydb

        mat = get_material(material)
        g = np.geomspace(0.5, 30000.0, 1200)
        self.lg = np.log(g)
        mu = linear_attenuation(mat, g, "total_no_coherent")
        tau = linear_attenuation(mat, g, "photoelectric")
        sig = linear_attenuation(mat, g, "compton")
        self.lmu = np.log(mu)
        self.density = float(mat.density)
        self.c_tau = tau / mu
        self.c_sig = (tau + sig) / mu
        self.lines = k_lines(material, k_elements)
        zw = [(w, xraydb.atomic_number(el), xraydb.atomic_mass(el)) for el, w in mat.fractions]
        self.z_brems = sum(w * z * z / a for w, z, a in zw) / sum(w * z / a for w, z, a in zw)
        # per photoabsorption: probability of emitting each K line (cumulative over lines)
        probs = []
        for el, prefix, _ in self.lines:
            w = dict(mat.fractions)[el]
            edge = xraydb.xray_edge(el, "K")
            tau_el = mass_attenuation(el, g, "photoelectric") * w * mat.density
            allk = xraydb.xray_lines(el, "K")
            share = (sum(ln.intensity for name, ln in allk.items() if name.startswith(prefix))
                     / sum(ln.intensity for ln in allk.values()))
            p = np.where(g > edge.energy / 1e3, tau_el / np.maximum(tau, 1e-300) * (1 - 1 / edge.jump_ratio), 0.0)
            probs.append(p * edge.fyield * share)
        self.line_e = np.array([e for _, _, e in self.lines])
        self.cum = np.cumsum(np.array(probs), axis=0) if probs else np.zeros((0, g.size))

    def mu(self, e: np.ndarray) -> np.ndarray:
        return np.exp(np.interp(np.log(e), self.lg, self.lmu))

    def at(self, table: np.ndarray, e: np.ndarray) -> np.ndarray:
        return np.interp(np.log(e), self.lg, table)


@functools.lru_cache(maxsize=16)
def _xs(material: str, k_elements: tuple[str, ...]) -> _CrossSections:
    return _CrossSections(material, k_elements)


def _isotropic(n: int, rng: np.random.Generator) -> np.ndarray:
    c = 2 * rng.random(n) - 1
    s = np.sqrt(np.maximum(1 - c * c, 0.0))
    ph = 2 * np.pi * rng.random(n)
    return np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=1)


def sample_klein_nishina(e: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ratio eps = E'/E of Compton-scattered photons of energies ``e`` (keV) sampled from the Klein-Nishina
    cross-section (Butcher & Messel composition-rejection, as in EGS4/Geant4 G4KleinNishinaCompton)."""
    k = np.asarray(e, dtype=float) / ME_C2_KEV
    eps = np.empty_like(k)
    todo = np.arange(k.size)
    while todo.size:
        kk = k[todo]
        eps0 = 1 / (1 + 2 * kk)
        eps0sq = eps0 * eps0
        a1 = -np.log(eps0)
        a2 = 0.5 * (1 - eps0sq)
        r1, r2, r3 = rng.random((3, todo.size))
        first = r1 * (a1 + a2) < a1
        epsq = np.where(first, np.exp(-2 * a1 * r2), eps0sq + (1 - eps0sq) * r2)
        ep = np.sqrt(epsq)
        onecost = (1 - ep) / (ep * kk)
        sint2 = onecost * (2 - onecost)
        g = 1 - ep * sint2 / (1 + epsq)
        ok = g >= r3
        eps[todo[ok]] = ep[ok]
        todo = todo[~ok]
    return eps


def brems_photons(t_kev: np.ndarray, z: float) -> np.ndarray:
    """Mean number of bremsstrahlung photons above :data:`BREMS_K0_KEV` radiated by electrons of kinetic energy
    ``t_kev`` slowing down in a material of atomic number ``z`` (thick-target yield, Kramers spectrum)."""
    t = np.asarray(t_kev, dtype=float)
    x = 6e-4 * z * t / 1000.0
    y = x / (1 + x)
    k0 = BREMS_K0_KEV
    tt = np.maximum(t, k0)
    n = 2 * y / tt * (tt * np.log(tt / k0) - (tt - k0))
    return np.where(t > k0, n, 0.0)


def sample_brems_energy(t_kev: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Photon energies from Kramers' thick-target spectrum dN/dk ~ (T - k)/k on [k0, T] (rejection from 1/k)."""
    t = np.asarray(t_kev, dtype=float)
    k = np.empty_like(t)
    todo = np.arange(t.size)
    while todo.size:
        tt = t[todo]
        kk = BREMS_K0_KEV * (tt / BREMS_K0_KEV) ** rng.random(todo.size)
        ok = rng.random(todo.size) * tt <= tt - kk
        k[todo[ok]] = kk[ok]
        todo = todo[~ok]
    return k


def extrapolated_range_g_cm2(t_kev: np.ndarray) -> np.ndarray:
    """Extrapolated range (g/cm2) of electrons of kinetic energy ``t_kev`` (Katz & Penfold 1952)."""
    t = np.maximum(np.asarray(t_kev, dtype=float), 1e-3) / 1000.0
    low = 0.412 * t ** (1.265 - 0.0954 * np.log(t))
    return np.where(t <= 2.5, low, 0.530 * t - 0.106)


def _exit_distance(geom: CrystalGeometry, p: np.ndarray, u: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Distance (cm) along u from p (inside) to the crystal surface, capped at ``length`` (bisection; the body is
    convex)."""
    end_out = geom.outside(p + length[:, None] * u)
    lo = np.zeros(length.size)
    hi = length.copy()
    idx = np.nonzero(end_out)[0]
    for _ in range(24):
        if idx.size == 0:
            break
        mid = 0.5 * (lo[idx] + hi[idx])
        out = geom.outside(p[idx] + mid[:, None] * u[idx])
        hi[idx] = np.where(out, mid, hi[idx])
        lo[idx] = np.where(out, lo[idx], mid)
    return np.where(end_out, lo, length)


def electron_deposit_fraction(geom: CrystalGeometry, density_g_cm3: float, p: np.ndarray, t_kev: np.ndarray,
                              rng: np.random.Generator) -> np.ndarray:
    """Fraction of the kinetic energy ``t_kev`` of electrons started at ``p`` that stays in the crystal: a
    straight isotropic track of the extrapolated range, energy lost uniformly along it."""
    length = extrapolated_range_g_cm2(t_kev) / density_g_cm3
    u = _isotropic(length.size, rng)
    s = _exit_distance(geom, p, u, length)
    return np.where(length > 0, s / np.maximum(length, 1e-30), 1.0)


def _rotate(u: np.ndarray, cos_t: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Directions at polar angle acos(cos_t), azimuth phi about the unit vectors u."""
    s = np.sqrt(np.maximum(1 - cos_t * cos_t, 0.0))
    cp, sp = np.cos(phi), np.sin(phi)
    ux, uy, uz = u[:, 0], u[:, 1], u[:, 2]
    t = np.sqrt(np.maximum(1 - uz * uz, 0.0))
    polar = t < 1e-8
    tt = np.where(polar, 1.0, t)
    nx = np.where(polar, s * cp, s * (ux * uz * cp - uy * sp) / tt + ux * cos_t)
    ny = np.where(polar, s * sp, s * (uy * uz * cp + ux * sp) / tt + uy * cos_t)
    nz = np.where(polar, np.sign(uz + (uz == 0)) * cos_t, -s * cp * t + uz * cos_t)
    out = np.stack([nx, ny, nz], axis=1)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


@dataclass
class MCResult:
    """Per-history tallies (keV) of one simulated source energy."""

    energy_kev: float
    deposited: np.ndarray  # in the active volume
    dead: np.ndarray  # in the dead layers
    escaped: np.ndarray  # carried out of the crystal by photons
    k_line_energies: np.ndarray

    @property
    def n(self) -> int:
        return int(self.deposited.size)

    def fractions(self) -> dict[str, float]:
        """Probabilities per source photon: ``interact`` (any deposit in the active volume), ``full``, ``se``,
        ``de`` (511 / 1022 keV missing) and ``kesc_<i>`` (K line i missing), with ``full_se`` the binomial
        standard error of ``full``."""
        e = self.energy_kev
        tol = 1e-6 * e + 1e-7
        miss = e - self.deposited
        got = self.deposited > 1e-9
        out = {"interact": float(np.mean(got)), "full": float(np.mean(np.abs(miss) < tol))}
        out["full_se"] = float(np.sqrt(out["full"] * (1 - out["full"]) / max(self.n, 1)))
        out["se"] = float(np.mean(got & (np.abs(miss - ME_C2_KEV) < tol)))
        out["de"] = float(np.mean(got & (np.abs(miss - 2 * ME_C2_KEV) < tol)))
        for i, ex in enumerate(self.k_line_energies):
            out[f"kesc_{i}"] = float(np.mean(got & (np.abs(miss - ex) < tol)))
        return out


def simulate(material: str, geom: CrystalGeometry, energy_kev: float, n: int, rng: np.random.Generator, *,
             k_elements: tuple[str, ...] = (), source_distance_cm: float | None = None,
             brems: bool = True, electron_escape: bool = True, max_steps: int = 10_000) -> MCResult:
    """Transport ``n`` photons of ``energy_kev`` into the crystal ``geom`` of ``material``.

    ``source_distance_cm`` None: parallel beam along the axis, uniform over the front face; otherwise a point
    source on the axis that far in front of the face (only photons hitting the face are simulated). ``brems``:
    emit and transport the bremsstrahlung of the electrons (False: electrons deposit all their energy locally).
    ``electron_escape``: electrons near the surface may leave the crystal (False: they stay inside)."""
    if n <= 0 or not energy_kev > 0:
        raise PhysicsError("need n > 0 histories and a positive energy")
    xs = _xs(material, tuple(k_elements))
    e0 = float(energy_kev)
    # source photons on the front face
    if source_distance_cm is None:
        x, y = geom.face_points(n, rng)
        d = np.tile([0.0, 0.0, 1.0], (n, 1))
    else:
        dist = float(source_distance_cm)
        if dist <= 0:
            raise PhysicsError("source distance must be > 0 cm")
        cmin = dist / np.hypot(dist, geom.face_half_extent)
        xs_, ys_, ds_ = [], [], []
        got = 0
        while got < n:
            m = max(2 * (n - got), 1024)
            c = 1 - (1 - cmin) * rng.random(m)
            ph = 2 * np.pi * rng.random(m)
            s = np.sqrt(1 - c * c)
            px, py = dist * s / c * np.cos(ph), dist * s / c * np.sin(ph)
            ok = geom.on_face(px, py)
            xs_.append(px[ok])
            ys_.append(py[ok])
            ds_.append(np.stack([s * np.cos(ph), s * np.sin(ph), c], axis=1)[ok])
            got += int(ok.sum())
        x, y, d = np.concatenate(xs_)[:n], np.concatenate(ys_)[:n], np.concatenate(ds_)[:n]
    pos = np.stack([x, y, np.zeros(n)], axis=1)
    e = np.full(n, e0)
    hist = np.arange(n)
    dep = np.zeros(n)
    dead = np.zeros(n)
    esc = np.zeros(n)
    for _ in range(max_steps):
        if hist.size == 0:
            break
        s = rng.exponential(size=hist.size) / xs.mu(e)
        pos = pos + s[:, None] * d
        out = geom.outside(pos)
        if out.any():
            esc += np.bincount(hist[out], weights=e[out], minlength=n)
            keep = ~out
            pos, d, e, hist = pos[keep], d[keep], e[keep], hist[keep]
        if hist.size == 0:
            break
        real = ~geom.in_hole(pos)  # a collision in the core hole is virtual
        u = rng.random(hist.size)
        photo = real & (u < xs.at(xs.c_tau, e))
        compton = real & ~photo & (u < xs.at(xs.c_sig, e))
        pair = real & ~photo & ~compton
        local = np.zeros(hist.size)
        alive = ~real  # virtual collisions continue unchanged
        new_e, new_d, new_p, new_h = [], [], [], []
        # photoelectric, with K fluorescence
        if photo.any():
            ip = np.nonzero(photo)[0]
            ep = e[ip]
            local[ip] = ep
            if xs.cum.shape[0]:
                cum = np.stack([xs.at(c, ep) for c in xs.cum], axis=1)
                r = rng.random(ip.size)
                line = np.sum(r[:, None] >= cum, axis=1)  # index of the emitted line; == n_lines: none
                fl = line < xs.cum.shape[0]
                if fl.any():
                    ex = xs.line_e[line[fl]]
                    local[ip[fl]] -= ex
                    new_e.append(ex)
                    new_d.append(_isotropic(int(fl.sum()), rng))
                    new_p.append(pos[ip[fl]])
                    new_h.append(hist[ip[fl]])
        # Compton
        if compton.any():
            ic = np.nonzero(compton)[0]
            ec = e[ic]
            eps = sample_klein_nishina(ec, rng)
            e_sc = eps * ec
            cos_t = 1 - (1 / eps - 1) * ME_C2_KEV / ec
            d[ic] = _rotate(d[ic], np.clip(cos_t, -1.0, 1.0), 2 * np.pi * rng.random(ic.size))
            low = e_sc < E_CUT_KEV
            local[ic] = np.where(low, ec, ec - e_sc)
            e[ic] = e_sc
            alive[ic[~low]] = True
        # pair production: two back-to-back annihilation photons
        n_el = np.ones(hist.size)  # electrons sharing the local kinetic energy (2 for a pair)
        if pair.any():
            ik = np.nonzero(pair)[0]
            local[ik] = e[ik] - 2 * ME_C2_KEV
            n_el[ik] = 2.0
            u1 = _isotropic(ik.size, rng)
            new_e.append(np.full(2 * ik.size, ME_C2_KEV))
            new_d.append(np.concatenate([u1, -u1]))
            new_p.append(np.concatenate([pos[ik], pos[ik]]))
            new_h.append(np.concatenate([hist[ik], hist[ik]]))
        # bremsstrahlung of the electrons set in motion here
        if brems and real.any():
            t_el = np.where(real, local, 0.0) / n_el
            nb = n_el * brems_photons(t_el, xs.z_brems)
            emit = (nb > 0) & (rng.random(hist.size) < np.minimum(nb, 1.0))
            if emit.any():
                ib = np.nonzero(emit)[0]
                kb = sample_brems_energy(t_el[ib], rng)
                local[ib] -= kb
                new_e.append(kb)
                new_d.append(_isotropic(ib.size, rng))
                new_p.append(pos[ib])
                new_h.append(hist[ib])
        if electron_escape and real.any():
            ie = np.nonzero(real & (local > 0))[0]
            if ie.size:
                t_el = local[ie] / n_el[ie]
                f = electron_deposit_fraction(geom, xs.density, pos[ie], t_el, rng)
                two = n_el[ie] > 1  # pair: the positron takes an independent direction
                if two.any():
                    f2 = electron_deposit_fraction(geom, xs.density, pos[ie[two]], t_el[two], rng)
                    f = f.copy()
                    f[two] = 0.5 * (f[two] + f2)
                lost = local[ie] * (1 - f)
                local[ie] -= lost
                esc += np.bincount(hist[ie], weights=lost, minlength=n)
        if real.any():
            act = geom.active(pos)
            dep += np.bincount(hist, weights=np.where(act, local, 0.0), minlength=n)
            dead += np.bincount(hist, weights=np.where(act, 0.0, local), minlength=n)
        pos, d, e, hist = pos[alive], d[alive], e[alive], hist[alive]
        if new_e:
            pos = np.concatenate([pos, *new_p])
            d = np.concatenate([d, *new_d])
            e = np.concatenate([e, *new_e])
            hist = np.concatenate([hist, *new_h])
    else:
        raise PhysicsError("photon transport did not terminate")
    return MCResult(e0, dep, dead, esc, xs.line_e.copy())


# ------------------------------------------------------------------------------------------------------------
# tables

TABLE_DIR = "transport_mc"


def table_energies(material: str, k_elements: tuple[str, ...], lo: float = 20.0, hi: float = 3000.0,
                   n: int = 61) -> np.ndarray:
    """Log grid from ``lo`` to ``hi`` keV plus points 0.2 % either side of the K edges of the crystal elements
    (the full-energy probability steps there)."""
    import xraydb

    e = list(np.geomspace(lo, hi, n))
    for el in k_elements:
        if el in dict(get_material(material).fractions):
            edge = xraydb.xray_edge(el, "K").energy / 1e3
            if lo < edge < hi:
                e += [edge * 0.998, edge * 1.002]
    return np.unique(np.round(e, 4))


def tabulate(det, histories: int, rng: np.random.Generator, energies=None, log=None) -> dict:
    """Run the Monte Carlo for detector ``det`` (parallel beam on the front face) on ``energies``; returns the
    table (columns as lists) and its metadata."""
    geom = geometry_for(det)
    k_el = tuple(det.k_xray_elements)
    if energies is None:
        energies = table_energies(det.material, k_el)
    lines = k_lines(det.material, k_el)
    rows = []
    for ek in energies:
        t0 = time.perf_counter()
        res = simulate(det.material, geom, float(ek), histories, rng, k_elements=k_el)
        f = res.fractions()
        rows.append((float(ek), f))
        if log:
            log(f"{det.kind:14s} {ek:9.3f} keV  interact {f['interact']:.4f}  full {f['full']:.4f}  "
                f"P {f['full'] / max(f['interact'], 1e-12):.4f}  ({time.perf_counter() - t0:.1f} s)")
    cols = ["energy_kev", "p_interact", "p_full", "p_full_se", "p_se", "p_de"] + [
        f"p_kesc_{el}_{pre}" for el, pre, _ in lines]
    data = [[e, f["interact"], f["full"], f["full_se"], f["se"], f["de"]]
            + [f[f"kesc_{i}"] for i in range(len(lines))] for e, f in rows]
    return {"kind": det.kind, "material": det.material, "geometry": geom, "k_lines": lines, "columns": cols,
            "data": data}


def write_table(table: dict, path: Path, *, histories: int, seed: int, generator: str) -> None:
    lines_meta = ";".join(f"{el}_{pre}={e:.4f}" for el, pre, e in table["k_lines"])
    head = [
        f"# radnuc photon-transport Monte Carlo table for detector kind {table['kind']} (table version "
        f"{TABLE_VERSION})",
        f"# generator: {generator}",
        f"# histories per energy: {histories}; seed: {seed}; date: {_dt.date.today().isoformat()}",
        "# source: parallel beam along the axis, uniform over the front face; probabilities per photon on the face",
        "# (window not included); p_full = full-energy deposit in the active volume; p_se/p_de: 511/1022 keV",
        "# missing; p_kesc_<el>_<line>: that K X-ray missing; physics: radnuc.physics.transport_mc docstring",
        f"# material: {table['material']}",
        f"# geometry: {table['geometry'].key()}",
        f"# k_lines_kev: {lines_meta}",
        ",".join(table["columns"]),
    ]
    body = [",".join(f"{v:.6g}" if i == 0 else f"{v:.6f}" for i, v in enumerate(row)) for row in table["data"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(head + body) + "\n")


@dataclass(frozen=True)
class MCTable:
    """A bundled Monte Carlo table: energies and per-incident-photon probabilities."""

    kind: str
    material: str
    geometry: CrystalGeometry
    energies_kev: np.ndarray
    p_interact: np.ndarray
    p_full: np.ndarray
    p_se: np.ndarray
    p_de: np.ndarray
    k_lines: tuple[tuple[str, str, float], ...]
    p_kesc: np.ndarray  # (n_lines, n_energies)
    histories: int


def _parse_table(text: str) -> MCTable:
    meta = {}
    rows = []
    header = None
    for line in text.splitlines():
        if line.startswith("#"):
            if ":" in line:
                k, v = line[1:].split(":", 1)
                meta[k.strip()] = v.strip()
            continue
        if not line.strip():
            continue
        if header is None:
            header = line.split(",")
            continue
        rows.append([float(v) for v in line.split(",")])
    a = np.array(rows)
    col = {c: a[:, i] for i, c in enumerate(header)}
    k_lines = []
    if meta.get("k_lines_kev"):
        for item in meta["k_lines_kev"].split(";"):
            name, e = item.split("=")
            el, pre = name.rsplit("_", 1)
            k_lines.append((el, pre, float(e)))
    kesc = np.array([col[f"p_kesc_{el}_{pre}"] for el, pre, _ in k_lines]).reshape(len(k_lines), a.shape[0])
    hist = int(meta.get("histories per energy", "0").split(";")[0] or 0)
    geom = CrystalGeometry(**json.loads(meta["geometry"]))
    first = next((ln for ln in text.splitlines() if "detector kind" in ln), "")
    kind = first.split("detector kind", 1)[1].split()[0] if first else ""
    return MCTable(kind, meta["material"], geom, col["energy_kev"], col["p_interact"], col["p_full"], col["p_se"],
                   col["p_de"], tuple(k_lines), kesc, hist)


@functools.cache
def _bundled_tables() -> tuple[MCTable, ...]:
    root = resources.files("radnuc.physics").joinpath("data").joinpath(TABLE_DIR)
    out = []
    if root.is_dir():
        for f in sorted(root.iterdir(), key=lambda p: p.name):
            if f.name.endswith(".csv"):
                out.append(_parse_table(f.read_text()))
    return tuple(out)


def table_for(det) -> MCTable | None:
    """The bundled table whose material and geometry equal those of ``det`` (None: no table, the response model
    keeps its analytic escape quadrature)."""
    geom = geometry_for(det)
    for t in _bundled_tables():
        if t.material == det.material and t.geometry == geom:
            return t
    return None


def main(argv=None) -> int:
    from radnuc.physics.detectors import KINDS, get_detector

    ap = argparse.ArgumentParser(prog="python -m radnuc.physics.transport_mc", description=__doc__.split("\n")[0])
    ap.add_argument("--histories", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).resolve().parent / "data" / TABLE_DIR)
    ap.add_argument("--generator", default="python -m radnuc.physics.transport_mc")
    args = ap.parse_args(argv)
    for kind in args.kinds.split(","):
        det = get_detector(kind)
        # one independent, reproducible stream per kind (seed, kind index in KINDS)
        rng = np.random.default_rng([args.seed, KINDS.index(kind)])
        t0 = time.perf_counter()
        table = tabulate(det, args.histories, rng, log=lambda s: print(s, file=sys.stderr, flush=True))
        gen = f"{args.generator} --histories {args.histories} --seed {args.seed} (stream [seed, {KINDS.index(kind)}])"
        write_table(table, args.out / f"{kind}.csv", histories=args.histories, seed=args.seed, generator=gen)
        print(f"{kind}: {len(table['data'])} energies in {time.perf_counter() - t0:.0f} s -> "
              f"{args.out / (kind + '.csv')}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
