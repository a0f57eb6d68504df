"""Benchmark of ``radnuc detect`` (issue 5): ROC curves, P_D per class at FAR 1/1000, NORM/medical -> SNM
rate, neutron-only detection, time per occupancy; a plain gross-count alarm and an ideal matched filter
(the likelihood ratio of the true expected spectrum-time profile, which knows the source, the vehicle and
its suppression) in the same run.

Occupancies come from radnuc's synthesizer with seeds the thresholds never saw (calibration used seeds
20260101/20260102 and random vehicles). For speed, each scenario's expected counts are computed once and
Poisson-drawn repeatedly directly in the energy windows (exact: sums of Poisson counts are Poisson), then fed
to the same LaneMonitor the CLI uses. The ideal filter's statistic is a sum over ~2e5 independent channels,
so its null and alternative laws are normal with analytic mean and variance.

``--lane-history S`` gives every occupancy a lane that has already been monitored for S seconds of background
(the running lane background of :class:`LaneMonitor`, capped at 300 s), as a portal in service has; the default
0 gives a fresh monitor per occupancy with only the 10 s of background before it (the harder, historical setup).

Usage:  python bench/bench_detect.py [--draws 100] [--empties 3000] [--seed 99] [--lane-history 0]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from scipy import stats

from radnuc.analysis.detect import LaneMonitor, detect, shipped_thresholds
from radnuc.analysis.detect.background import BackgroundEstimate
from radnuc.analysis.detect.gross import plain_gross_sigma
from radnuc.analysis.detect.occupancy import SliceData
from radnuc.analysis.detect.windows import rebin_matrix
from radnuc.physics.shielding import parse_shields
from radnuc.physics.synthesis import OccupancyScenario, PortalGeometry, SourceSpec, synthesize_occupancy

FAR = 1e-3
ROOT = Path(__file__).resolve().parents[1]


def sources(name, a, shield=""):
    return (SourceSpec(name, a, shields=tuple(parse_shields(shield)) if shield else ()),)


CLASSES = {  # class: (kind, list of (label, strength), builder)
    "industrial Cs-137": ("point", [3e4, 6e4, 1e5, 2e5], lambda a: sources("Cs-137", a)),
    "industrial Am-241": ("point", [2.5e5, 5e5, 1e6, 2e6], lambda a: sources("Am-241", a)),
    "medical Tc-99m": ("point", [3e4, 6e4, 1e5, 2e5], lambda a: sources("Tc-99m", a)),
    "medical I-131": ("point", [3e4, 6e4, 1e5, 2e5], lambda a: sources("I-131", a)),
    "SNM HEU bare": ("point", [5e5, 1e6, 2e6, 4e6], lambda a: sources("HEU", a)),
    "SNM HEU pb:0.5": ("point", [4e7, 8e7, 1.6e8, 3.2e8], lambda a: sources("HEU", a, "pb:0.5")),
    "SNM WGPu bare": ("point", [5e6, 1e7, 2e7, 4e7], lambda a: sources("WGPu", a)),
    "NORM K-40 cargo": ("distributed", [3e6, 1e7, 3e7], lambda a: sources("K-40", a)),
    "NORM Th-232 cargo": ("distributed", [3e5, 1e6, 3e6], lambda a: sources("Th-232", a)),
    "masked HEU in Th-232 cargo": ("masked", [2e6, 4e6, 8e6], lambda a: sources("HEU", a)),
    "neutron only": ("neutron", [5e4, 1e5, 2e5, 4e5], None),
}


def expected(scenario, geometry, rng, m):
    sim = synthesize_occupancy(scenario, rng, geometry)
    return sim.expected_gamma, sim.expected_neutron, sim.occupied, m


def decide(monitor, counts_w, neutron, occupied, slice_s):
    out = None
    for i in range(counts_w.shape[0]):
        d = monitor.feed_windows(SliceData(i + 1, counts_w[i], float(neutron[i]), slice_s, bool(occupied[i]),
                                           None, 2))
        out = d or out
    return out or monitor.flush()


def ideal_pd(lam0, lam1, n0, n1, far):
    """P_D of the Neyman-Pearson test with everything known (normal laws of the log-likelihood ratio)."""
    lam0 = np.concatenate([lam0.ravel(), n0.ravel()])
    lam1 = np.concatenate([lam1.ravel(), n1.ravel()])
    keep = lam0 > 0
    w = np.log(lam1[keep] / lam0[keep])
    e0, v0 = np.sum(lam0[keep] * w), np.sum(lam0[keep] * w**2)
    e1, v1 = np.sum(lam1[keep] * w), np.sum(lam1[keep] * w**2)
    z = stats.norm.isf(far)
    thr = e0 + z * np.sqrt(v0)
    return float(stats.norm.sf((thr - e1) / np.sqrt(v1))), (e0, v0, e1, v1)


def run(draws: int, empties: int, seed: int, history_s: float = 0.0):
    rng = np.random.default_rng(seed)
    geometry = PortalGeometry()
    tset = shipped_thresholds("nai-2x4x16")
    m = rebin_matrix(geometry.energy_calibration.edges_kev, tset.window_edges_kev)
    base = OccupancyScenario()
    bg = synthesize_occupancy(base, rng, geometry)
    lam_bg, n_bg, occ = bg.expected_gamma, bg.expected_neutron, bg.occupied
    pre = np.arange(occ.size) < int(np.argmax(occ))
    slice_s = geometry.slice_s

    def monitor(lw, nl, o):
        """A fresh monitor, or (``history_s``) one that has seen ``history_s`` s of this lane's background."""
        if history_s <= 0:
            return LaneMonitor(tset, far=FAR)
        before = np.arange(o.size) < int(np.argmax(o))
        rate, nrate = lw[before].mean(axis=0) / slice_s, nl[before].mean() / slice_s
        seed_bg = BackgroundEstimate(rng.poisson(rate * history_s) / history_s,
                                     float(rng.poisson(nrate * history_s) / history_s), history_s, 2, "lane history")
        return LaneMonitor(tset, far=FAR, background=seed_bg)

    def draws_of(lam, nlam, n):
        lw = lam.sum(axis=1) @ m
        nl = nlam.sum(axis=1)
        res = []
        for _ in range(n):
            c = rng.poisson(lw).astype(float)
            nn = rng.poisson(nl).astype(float)
            d = decide(monitor(lw, nl, occ), c, nn, occ, slice_s)
            g = plain_gross_sigma(c[occ].sum(), occ.sum() * slice_s, c[pre].sum(), pre.sum() * slice_s)
            res.append((d.score, d.alarm, d.category, g))
        return res

    # empties: the default vehicle (null of the ROC) and random vehicles (realised FAR of the shipped thresholds)
    t0 = time.perf_counter()
    null = draws_of(lam_bg, n_bg, empties)
    null_scores = np.array([r[0] for r in null])
    null_gross = np.array([r[3] for r in null])
    rand_alarms = 0
    n_rand = empties
    for _ in range(n_rand // 50):
        sc = OccupancyScenario(speed_mps=float(rng.uniform(1.5, 4.5)), vehicle_length_m=float(rng.uniform(5, 18)),
                               suppression=float(rng.uniform(0.03, 0.12)))
        sim = synthesize_occupancy(sc, rng, geometry)
        lw, nl, o = sim.expected_gamma.sum(axis=1) @ m, sim.expected_neutron.sum(axis=1), sim.occupied
        for _ in range(50):
            d = decide(monitor(lw, nl, o), rng.poisson(lw).astype(float), rng.poisson(nl).astype(float), o, slice_s)
            rand_alarms += d.alarm
    gross_thr = np.mean(null_gross) + stats.norm.isf(FAR) * np.std(null_gross)
    radnuc_thr_emp = np.quantile(null_scores, 1 - FAR) if empties >= 2000 else None
    results = {"null": dict(far_default=float(np.mean([r[1] for r in null])), far_random=rand_alarms / n_rand,
                            n=empties, gross_thr=gross_thr, score_q=radnuc_thr_emp)}
    rows, roc = [], {}
    norm_masked = lambda_cache = None  # noqa: F841
    th_cargo = synthesize_occupancy(replace(base, sources=sources("Th-232", 1e6), distributed=True), rng, geometry)
    for cls, (kind, strengths, build) in CLASSES.items():
        for a in strengths:
            if kind == "neutron":
                sim = synthesize_occupancy(replace(base, neutron_nps=a), rng, geometry)
            elif kind == "masked":
                sim = synthesize_occupancy(replace(base, sources=build(a)), rng, geometry)
                sim = replace(sim, expected_gamma=sim.expected_gamma + th_cargo.expected_gamma - lam_bg)
            else:
                sim = synthesize_occupancy(replace(base, sources=build(a), distributed=kind == "distributed"),
                                           rng, geometry)
            lam1, n1 = sim.expected_gamma, sim.expected_neutron
            lam0 = lam_bg if kind != "masked" else th_cargo.expected_gamma
            pd_ideal, moments = ideal_pd(lam0, lam1, n_bg, n1, FAR)
            res = draws_of(lam1, n1, draws)
            scores = np.array([r[0] for r in res])
            cats = [r[2] for r in res]
            pd = float(np.mean([r[1] for r in res]))
            pd_gross = float(np.mean(np.array([r[3] for r in res]) >= gross_thr))
            snm = float(np.mean([c == "SNM" for c in cats]))
            top = max(set(cats), key=cats.count)
            rows.append((cls, a, pd_ideal, pd, pd_gross, snm, top))
            roc.setdefault(cls, []).append((a, scores, np.array([r[3] for r in res]), moments))
    elapsed = time.perf_counter() - t0
    # time per occupancy through the full file path (TimeSlice -> decision), 2 panels x 512 channels
    times, cpu = [], []
    for _ in range(30):
        ms = synthesize_occupancy(replace(base, sources=sources("Cs-137", 1e5)), rng, geometry).measurements
        t, c = time.perf_counter(), time.process_time()
        detect(ms)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    results["cpu_s"] = np.array(cpu)
    return results, rows, roc, null_scores, null_gross, np.array(times), elapsed


def _ideal_at(moments, far):
    e0, v0, e1, v1 = moments
    return float(stats.norm.sf((e0 + stats.norm.isf(far) * np.sqrt(v0) - e1) / np.sqrt(v1)))


def plot(roc, null_scores, null_gross, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fars = np.logspace(-4, 0, 60)
    classes = list(roc)
    fig, axes = plt.subplots(2, (len(classes) + 1) // 2, figsize=(4 * ((len(classes) + 1) // 2), 7.5))
    for ax, cls in zip(axes.ravel(), classes, strict=False):
        entries = roc[cls]
        # the intermediate strength: the weakest at which the ideal filter reaches P_D 0.9 (else the strongest)
        pick = next((e for e in entries if _ideal_at(e[3], FAR) >= 0.9), entries[-1])
        a, scores, gross, (e0, v0, e1, v1) = pick
        pd_r = [np.mean(scores >= np.quantile(null_scores, 1 - f)) for f in fars]
        pd_g = [np.mean(gross >= np.quantile(null_gross, 1 - f)) for f in fars]
        pd_i = stats.norm.sf((e0 + stats.norm.isf(fars) * np.sqrt(v0) - e1) / np.sqrt(v1))
        ax.semilogx(fars, pd_i, "k--", label="ideal (knows source)")
        ax.semilogx(fars, pd_r, "C0-", label="radnuc detect")
        ax.semilogx(fars, pd_g, "C3:", label="gross count")
        ax.axvline(FAR, color="grey", lw=0.5)
        ax.set_title(f"{cls}\n{a:g} Bq" if "neutron" not in cls else f"{cls}\n{a:g} n/s", fontsize=9)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("false-alarm rate (empty occupancies)", fontsize=8)
        ax.set_ylabel("P_D", fontsize=8)
    axes.ravel()[0].legend(fontsize=7, loc="lower right")
    for ax in axes.ravel()[len(classes):]:
        ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--draws", type=int, default=100)
    p.add_argument("--empties", type=int, default=3000)
    p.add_argument("--seed", type=int, default=99)
    p.add_argument("--lane-history", type=float, default=0.0, help="seconds of lane background already seen")
    p.add_argument("--no-plot", action="store_true")
    args = p.parse_args()
    results, rows, roc, null_scores, null_gross, times, elapsed = run(args.draws, args.empties, args.seed,
                                                                       args.lane_history)
    n = results["null"]
    print(f"empties: {n['n']} default vehicle, FAR at the calibrated operating point {n['far_default']:.4f}; "
          f"{n['n']} random vehicles: {n['far_random']:.4f} (target {FAR})")
    print("| class | strength | P_D ideal | P_D radnuc | ratio | P_D gross | called SNM | most frequent category |")
    print("|---|---|---|---|---|---|---|---|")
    for cls, a, pi, pd, pg, snm, top in rows:
        ratio = pd / pi if pi > 0.02 else float("nan")
        print(f"| {cls} | {a:g} | {pi:.2f} | {pd:.2f} | {ratio:.2f} | {pg:.2f} | {snm:.2f} | {top} |")
    cpu = results["cpu_s"]
    print(f"time per occupancy (file -> decision, 2x512 ch, 193 slices): median "
          f"{np.median(times) * 1e3:.1f} ms, max {times.max() * 1e3:.1f} ms wall; CPU median "
          f"{np.median(cpu) * 1e3:.1f} ms, max {cpu.max() * 1e3:.1f} ms; bench {elapsed:.0f} s")
    if args.no_plot:
        return
    out = ROOT / "docs" / "img" / "detect_roc.png"
    plot(roc, null_scores, null_gross, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
