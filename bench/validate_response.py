"""Validate radnuc.physics.response against real RadiaCode-102 (CsI(Tl) 10x10x10 mm) spectra.

For each single-source spectrum, fit ONLY: calibration (gain, offset on top of the file's polynomial),
resolution (statistical b and constant c terms of FWHM), source amplitude and background amplitude
(bg.xml scaled by live time). The line data are fixed (ENSDF/NNDC via ICRP-107); the detector model is the
stock ``csi-pocket``. Reports chi2 per channel and peak-to-Compton ratios (measured vs model), writes
docs/img/response_<nuclide>.png.

    python bench/validate_response.py                     # all six spectra
    python bench/validate_response.py --nonproportional   # also fit the CsI light-yield non-proportionality
    python bench/validate_response.py --source-scatter    # add a free amount of photons scattered around the
                                                          # source (build-up shape behind 5 g/cm2 of concrete)
    python bench/validate_response.py --absorber Fe       # fit the areal density of an absorber (attenuation
                                                          # and build-up) between source and crystal

Backgrounds: each spectrum is fitted with a background measured by the same device where one exists (the Am-241
and Th-232 spectra come from RC-102-000115, whose 35 h background is the second spectrum of the Th-232 file);
the other files use bg.xml (RC-102-001272). Eu-152 and Th-232 (chain in equilibrium) take their lines from the
radnuc library (ICRP-107), the other four from the ENSDF table below.
"""

from __future__ import annotations

import dataclasses
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares, nnls

from radnuc.physics.detectors import get_detector
from radnuc.physics.response import ResponseModel
from radnuc.physics.shielding import Shield, shielded_lines
from radnuc.physics.sources import Source

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "radiacode"
IMG = ROOT / "docs" / "img"

# Emission lines (keV, photons per decay), ENSDF/NNDC (as in ICRP-107); X-rays grouped by sub-shell.
LINES = {
    "Cs-137": ([661.657, 31.817, 32.194, 36.4], [0.8510, 0.0199, 0.0364, 0.0134]),
    "Co-60": ([1173.228, 1332.492], [0.9985, 0.999826]),
    "Am-241": ([59.5409, 26.3446, 33.196, 13.9, 17.6, 20.8],
               [0.3592, 0.0227, 0.00126, 0.13, 0.19, 0.048]),
    "Ba-133": ([30.625, 30.973, 34.99, 35.818, 53.162, 79.614, 80.998, 160.612, 223.237, 276.399, 302.851,
                356.013, 383.849],
               [0.339, 0.622, 0.176, 0.0358, 0.0214, 0.0265, 0.329, 0.00638, 0.0045, 0.0716, 0.1834, 0.6205,
                0.0894]),
}
LIBRARY_SOURCES = {"Eu-152": None, "Th-232": 100 * 365.25 * 86400.0}  # name: age (s; None = library default)
FILES = {
    "Cs-137": ("Co60_Cs137_Cs137_b.xml", (40.0, 800.0)),
    "Co-60": ("Co60_Cs137_Co60_a.xml", (40.0, 1600.0)),
    "Am-241": ("data_am241.xml", (22.0, 120.0)),
    "Ba-133": ("Ba133_Eu152_Ba133_a.xml", (40.0, 450.0)),
    "Eu-152": ("Ba133_Eu152_Eu152_b.xml", (40.0, 1500.0)),
    "Th-232": ("data_th232_plus_background.xml", (40.0, 2700.0)),
}
# background measured by the same device: (file, index of the spectrum in it)
SAME_DEVICE_BACKGROUND = {
    "Am-241": ("data_th232_plus_background.xml", 1),
    "Th-232": ("data_th232_plus_background.xml", 1),
}
# peak-to-Compton: (peak window keV, Compton window keV)
P2C = {
    "Cs-137": ((600.0, 720.0), (358.0, 382.0)),
    "Co-60": ((1250.0, 1420.0), (1040.0, 1096.0)),
    "Am-241": ((50.0, 70.0), (35.0, 45.0)),
    "Ba-133": ((330.0, 380.0), (200.0, 230.0)),
    "Eu-152": ((310.0, 380.0), (200.0, 230.0)),
    "Th-232": ((2450.0, 2750.0), (2150.0, 2300.0)),
}


def read_radiacode(path: Path, index: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    """(counts, calibration coefficients c0, c1, c2, live time s) of spectrum ``index`` of a RadiaCode XML."""
    root = ET.parse(path).getroot()
    es = [el for el in root.iter() if el.tag in ("EnergySpectrum", "BackgroundEnergySpectrum")][index]
    coefs = np.array([float(c.text) for c in es.iter("Coefficient")])
    counts = np.array([float(d.text) for d in es.iter("DataPoint")])
    return counts, coefs, float(es.findtext("MeasurementTime"))


def source_lines(nuclide: str) -> tuple[np.ndarray, np.ndarray]:
    """(energies keV, photons per decay of the parent) of ``nuclide``: the ENSDF table, or the library."""
    if nuclide in LINES:
        return tuple(np.array(v) for v in LINES[nuclide])
    src = Source.nuclide(nuclide, LIBRARY_SOURCES[nuclide])
    lines = src.lines(min_yield=1e-3, min_energy_kev=10.0)
    return np.asarray(lines.energy_kev), np.asarray(lines.intensity)


def background_for(nuclide: str) -> tuple[np.ndarray, float]:
    """(counts, live time s) of the background measurement used for ``nuclide``."""
    fname, index = SAME_DEVICE_BACKGROUND.get(nuclide, ("bg.xml", 0))
    counts, _, live = read_radiacode(DATA / fname, index)
    return counts, live


def edges_from(coefs: np.ndarray, n: int, gain: float, offset: float) -> np.ndarray:
    ch = np.arange(n + 1) - 0.5
    return offset + gain * np.polyval(coefs[::-1], ch)


class Fit:
    """Variable-projection fit of one spectrum."""

    def __init__(self, nuclide: str, bg: tuple[np.ndarray, float], detector="csi-pocket",
                 nonproportional: bool = False, source_scatter: bool = False, absorber: str | None = None):
        fname, self.erange = FILES[nuclide]
        self.nuclide = nuclide
        self.counts, self.coefs, self.live = read_radiacode(DATA / fname)
        bgc, bglive = bg
        self.bg = bgc * self.live / bglive
        self.det0 = get_detector(detector)
        self.energies, self.yields = source_lines(nuclide)
        self.n = self.counts.size
        self.nonproportional = nonproportional
        self.absorber = absorber  # material of a fitted absorber between source and crystal (last parameter)
        self.scatter_density = None
        if source_scatter:  # photons scattered in and around the source (shape: build-up behind 5 g/cm2 concrete)
            _, sc = shielded_lines(self.energies, self.yields, [Shield("concrete", areal_density=5.0)])
            self.scatter_density = sc.density()

    def model_parts(self, p):
        gain, offset, b, c = p[:4]
        det = dataclasses.replace(self.det0, resolution=(self.det0.resolution[0], abs(b), abs(c)))
        if self.nonproportional:
            det = dataclasses.replace(det, nonlinearity=(float(p[4]), float(p[5])))
        edges = edges_from(self.coefs, self.n, gain, offset)
        m = ResponseModel(det, edges)
        if self.absorber:  # attenuated lines plus the absorber's own build-up continuum and X-rays
            unc, sc = shielded_lines(self.energies, self.yields,
                                     [Shield(self.absorber, areal_density=max(float(p[-1]), 1e-6))])
            src = m.line_responses(np.concatenate([self.energies, sc.xray_energies_kev])) @ np.concatenate(
                [unc, sc.xray_photons])
            e_sc, dens = sc.density()
            if np.any(dens > 0):
                src = src + m.continuous_response(e_sc[e_sc > 0], dens[e_sc > 0])
        else:
            src = m.line_responses(self.energies) @ self.yields
        if self.scatter_density is not None:
            e_sc, dens = self.scatter_density
            ok = e_sc > 0
            src = np.stack([src, m.continuous_response(e_sc[ok], dens[ok])], axis=1)
        return edges, src

    def _components(self, src):
        """(channels, k) source components (lines, optionally scatter) then the background."""
        return np.column_stack([src, self.bg])

    def _amplitudes(self, src, sel):
        """Non-negative amplitudes of the components (weighted least squares)."""
        y = self.counts[sel]
        w = 1 / np.sqrt(np.maximum(y, 1.0) + self.bg[sel])
        amp, _ = nnls(self._components(src)[sel] * w[:, None], y * w)
        return amp

    def residuals(self, p):
        edges, src = self.model_parts(p)
        cen = 0.5 * (edges[1:] + edges[:-1])
        sel = (cen >= self.erange[0]) & (cen <= self.erange[1])
        amp = self._amplitudes(src, sel)
        model = self._components(src) @ amp
        var = np.maximum(model, 1.0) + amp[-1] ** 2 * self.bg  # Pearson: model variance + scaled bg variance
        return np.where(sel, (self.counts - model) / np.sqrt(var), 0.0)

    def run(self, max_nfev=120, start=None):
        """Least-squares fit from the stated resolution and from 30 % wider (the chi2 surface of a large
        spectrum has local minima), plus from ``start`` (the parameters of a plain fit) when given: a fit with
        extra freedom then never ends above the plain one."""
        b0, c0 = self.det0.resolution[1:]
        base, scale = [1.0, 0.0, b0, c0], [0.01, 2.0, 0.2, 0.01]
        lo, hi = [0.8, -40, 0.3, 0.0], [1.2, 40, 5.0, 0.15]
        extra0 = []
        if self.nonproportional:  # apparent E = E (1 + amp exp(-E/efold)): amplitude and e-fold energy (keV)
            extra0, scale, lo, hi = [0.0, 100.0], scale + [0.02, 50.0], lo + [-0.3, 10.0], hi + [0.3, 1000.0]
        if self.absorber:  # areal density g/cm2
            scale, lo, hi = scale + [1.0], lo + [0.0], hi + [60.0]
        starts = [base + extra0 + ([5.0] if self.absorber else []),
                  [1.0, 0.0, 1.3 * b0, 1.3 * c0] + extra0 + ([5.0] if self.absorber else [])]
        if start is not None:
            starts.append([float(v) for v in start[:4]] + extra0 + ([0.0] if self.absorber else []))
        res = min((least_squares(self.residuals, np.clip(np.array(x0), lo, hi), x_scale=scale, diff_step=1e-3,
                                 max_nfev=max_nfev, bounds=(lo, hi)) for x0 in starts), key=lambda r: r.cost)
        self.p = res.x
        edges, src = self.model_parts(res.x)
        cen = 0.5 * (edges[1:] + edges[:-1])
        sel = (cen >= self.erange[0]) & (cen <= self.erange[1])
        amp = self._amplitudes(src, sel)
        self.edges, self.cen, self.sel = edges, cen, sel
        comp = self._components(src)
        self.src = comp[:, :-1] @ amp[:-1]
        self.bgm = amp[-1] * self.bg
        self.scatter_fraction = (float(comp[:, 1].sum() * amp[1] / max(self.src.sum(), 1e-30))
                                 if comp.shape[1] == 3 else 0.0)
        self.model = self.src + self.bgm
        r = self.residuals(res.x)
        self.chi2 = float(np.sum(r**2))
        self.ndf = int(sel.sum() - 6 - (2 if self.nonproportional else 0) - (1 if self.absorber else 0)
                       - (1 if self.scatter_density is not None else 0))
        return self

    def p2c(self):
        (p_lo, p_hi), (c_lo, c_hi) = P2C[self.nuclide]
        net_d = self.counts - self.bgm
        pk = (self.cen >= p_lo) & (self.cen <= p_hi)
        cw = (self.cen >= c_lo) & (self.cen <= c_hi)
        # per-keV densities so that channel width does not matter
        w = np.diff(self.edges)
        # peak height: mean density within +-FWHM/4 of the fitted model maximum (robust to noise)
        i = np.flatnonzero(pk)[np.argmax(self.src[pk] / w[pk])]
        det = dataclasses.replace(self.det0, resolution=(self.det0.resolution[0], self.p[2], self.p[3]))
        top = np.abs(self.cen - self.cen[i]) <= det.fwhm_kev(self.cen[i]) / 4
        meas = np.mean(net_d[top] / w[top]) / np.mean(net_d[cw] / w[cw])
        mod = np.mean(self.src[top] / w[top]) / np.mean(self.src[cw] / w[cw])
        return float(meas), float(mod)


def plot(fit: Fit, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = np.diff(fit.edges)
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.step(fit.cen, fit.counts / w, where="mid", color="k", lw=0.8, label="measured (RadiaCode-102)")
    ax.plot(fit.cen, fit.model / w, color="C3", lw=1.2, label="model: source + background")
    ax.plot(fit.cen, fit.src / w, color="C0", lw=0.9, ls="--", label="model: source only")
    ax.plot(fit.cen, fit.bgm / w, color="C2", lw=0.9, ls=":", label="background measurement, scaled")
    ax.set_yscale("log")
    ax.set_ylabel("counts / keV")
    lo, hi = fit.erange
    ax.set_xlim(max(lo - 15, 0), hi * 1.05)
    top = np.max(fit.counts[fit.sel] / w[fit.sel])
    ax.set_ylim(max(top * 1e-4, 0.05), top * 3)
    fwhm = dataclasses.replace(fit.det0, resolution=(fit.det0.resolution[0], fit.p[2], fit.p[3]))
    extra = f", absorber {fit.p[-1]:.1f} g/cm2 {fit.absorber}" if fit.absorber else ""
    ax.set_title(f"{fit.nuclide}: csi-pocket model vs RadiaCode-102, chi2/ndf = {fit.chi2 / fit.ndf:.2f}, "
                 f"FWHM(662) = {100 * fwhm.fwhm_fraction():.1f} %{extra}", fontsize=9)
    ax.legend(fontsize=8)
    r = np.where(fit.sel, (fit.counts - fit.model) / np.sqrt(np.maximum(fit.model, 1)), np.nan)
    axr.step(fit.cen, r, where="mid", color="k", lw=0.7)
    axr.axhline(0, color="C3", lw=0.8)
    axr.set_ylabel("(data-model)/sqrt(model)")
    axr.set_xlabel("energy (keV)")
    axr.set_ylim(-10, 10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    nonprop = "--nonproportional" in argv
    scatter = "--source-scatter" in argv
    absorber = next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--absorber"), None)
    argv = [a for i, a in enumerate(argv) if not (a == "--absorber" or (i > 0 and argv[i - 1] == "--absorber"))]
    nuclides = [a for a in argv if not a.startswith("--")] or list(FILES)
    IMG.mkdir(parents=True, exist_ok=True)
    extra = ((f" {'amp':>6s} {'efold':>6s}" if nonprop else "") + (f" {'scatter':>7s}" if scatter else "")
             + (f" {'g/cm2':>6s}" if absorber else ""))
    print(f"{'nuclide':8s} {'chi2/ndf':>9s} {'ndf':>5s} {'P/C meas':>9s} {'P/C model':>9s} {'FWHM662 %':>9s} "
          f"{'gain':>7s} {'offset':>7s}{extra} {'s':>6s}")
    for nuc in nuclides:
        t0 = time.perf_counter()
        fit = Fit(nuc, background_for(nuc)).run()
        if nonprop or scatter or absorber:  # from the plain optimum, so the extra freedom can only lower chi2
            fit = Fit(nuc, background_for(nuc), nonproportional=nonprop, source_scatter=scatter,
                      absorber=absorber).run(start=fit.p)
        meas, mod = fit.p2c()
        det = dataclasses.replace(fit.det0, resolution=(fit.det0.resolution[0], fit.p[2], fit.p[3]))
        extra = (f" {fit.p[4]:6.3f} {fit.p[5]:6.0f}" if nonprop else "") + (
            f" {fit.scatter_fraction:7.2f}" if scatter else "") + (f" {fit.p[-1]:6.2f}" if absorber else "")
        print(f"{nuc:8s} {fit.chi2 / fit.ndf:9.2f} {fit.ndf:5d} {meas:9.2f} {mod:9.2f} "
              f"{100 * det.fwhm_fraction():9.2f} {fit.p[0]:7.4f} {fit.p[1]:7.2f}{extra} "
              f"{time.perf_counter() - t0:6.1f}", flush=True)
        variant = "".join(["_nonprop" if nonprop else "", "_scatter" if scatter else "",
                           f"_{absorber.lower()}" if absorber else ""])
        plot(fit, IMG / f"response_{nuc.lower().replace('-', '')}{variant}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
