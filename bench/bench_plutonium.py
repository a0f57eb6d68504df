"""Benchmark of the plutonium grade (radnuc.analysis.characterize.plutonium) on synthesized HPGe spectra.

Usage: python bench/bench_plutonium.py [--seeds 10] [--counts 1e6 1e7]

Spectra: radnuc's own synthesizer (radnuc.analysis.characterize.synth.synthesize_plutonium: ICRP-107 lines, the
HPGe response model, natural background), 10-year-old material behind 1.5 mm of cadmium (the usual filter of the
59.5 keV Am-241 line), 600 s live time. Compositions (wt %): weapons-grade and reactor-grade as in
radnuc.physics.materials.MATERIALS, and a fuel-grade composition between them (Pu-239 84, Pu-240 13, Pu-241 2.5,
Pu-238 0.2, Pu-242 0.3; typical of low-burnup fuel). The truth is Pu-240 of Pu-239+240+241 (what the analysis
reports; Pu-238/242 are not measured). Coverage: |estimate - truth| <= 1 (2) reported uncertainties.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from radnuc.analysis.characterize import measure_plutonium
from radnuc.analysis.characterize.isotopes import half_life_s
from radnuc.analysis.characterize.plutonium import grade_for
from radnuc.analysis.characterize.synth import synthesize_plutonium
from radnuc.physics.materials import DEFAULT_AGE_S, MATERIALS
from radnuc.physics.shielding import Shield

FUEL_GRADE = {"Pu-238": 0.2, "Pu-239": 84.0, "Pu-240": 13.0, "Pu-241": 2.5, "Pu-242": 0.3}
COMPOSITIONS = {"weapons-grade (WGPu)": dict(MATERIALS["WGPu"].composition_pct),
                "fuel-grade": FUEL_GRADE,
                "reactor-grade (RGPu)": dict(MATERIALS["RGPu"].composition_pct)}
DETECTOR = "hpge-40pct"
CADMIUM = (Shield("Cd", thickness_cm=0.15),)


def true_pu240(comp: dict[str, float], age_s: float = DEFAULT_AGE_S) -> float:
    """Pu-240 wt % of Pu-239 + Pu-240 + Pu-241 at the measurement (as reported by measure_plutonium): the
    compositions are at separation, and Pu-241 (14.3 y) decays meanwhile (Pu-239/240 do not, at this scale)."""
    pu241 = comp["Pu-241"] * 0.5 ** (age_s / half_life_s("Pu-241"))
    return 100.0 * comp["Pu-240"] / (comp["Pu-239"] + comp["Pu-240"] + pu241)


def run(seeds: int, counts_levels) -> None:
    print("| material | counts | Pu-240 % (truth) | median estimate | median abs. error (% abs.) | median reported 1σ "
          "| 1σ coverage | 2σ coverage | grade right | not determinable |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, comp in COMPOSITIONS.items():
        truth = true_pu240(comp)
        for counts in counts_levels:
            est, sig, ok, none = [], [], [], 0
            for seed in range(seeds):
                rng = np.random.default_rng(7000 + 100 * seed + int(truth * 10))
                s = synthesize_plutonium(DETECTOR, comp, rng, total_counts=counts, live_time_s=600.0,
                                         shields=CADMIUM)
                r = measure_plutonium(s, DETECTOR)
                if r.pu240_pct is None:
                    none += 1
                    ok.append(False)
                    continue
                est.append(r.pu240_pct)
                sig.append(r.uncertainty_pct)
                ok.append(r.grade == grade_for(truth))
            if est:
                e, s_ = np.array(est), np.array(sig)
                err = np.abs(e - truth)
                print(f"| {label} | {counts:.0e} | {truth:.2f} | {np.median(e):.2f} | {np.median(err):.2f} "
                      f"| {np.median(s_):.2f} | {np.mean(err <= s_):.2f} | {np.mean(err <= 2 * s_):.2f} "
                      f"| {np.mean(ok):.2f} | {none} |", flush=True)
            else:
                print(f"| {label} | {counts:.0e} | {truth:.2f} | - | - | - | - | - | 0.00 | {none} |", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--counts", type=float, nargs="+", default=[1e6, 1e7])
    args = p.parse_args()
    started = time.perf_counter()
    run(args.seeds, args.counts)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
