"""Benchmark of radnuc identify without a background measurement (the built-in background model), as a handheld
user runs `radnuc identify FILE` on a file that carries no background.

For each detector: the natural nuclides (Ra-226, Th-232, U-238, K-40) as local sources and the N42.34 nuclides of
``bench_identify.py`` at several net counts over ~30,000 background counts (random gain drift of +-3 %), then
background-only spectra of varied sites (soil K / U / Th concentrations, detector height, cosmic intensity,
scatter ratio, 10^4-3x10^5 counts) and of hot sites (3-12x the world-median soil concentrations, below the
built-in background's bound of ``model.NATURAL_SITE_FACTOR_MAX``), all identified against the built-in
background. The natural levels reach 100x the background's counts (a thorium or radium item held to a pocket
instrument), where only the bound on the natural background tells the source from the ground. Reports top-1, any-hit,
false identifications (a reported nuclide that is not the truth) and the alarm rate of the background-only
spectra. Then uranium items (natural, depleted, low- and highly enriched) at 3,000-300,000 net counts, and the real
background measurements of ../shared/data thinned binomially to 3,000-100,000 counts (plain backgrounds of a real
pocket CsI and a portal HPGe: each should read as nothing). The real source files are in ``bench_identify.py``'s
real-file rows.

    python bench/bench_identify_model_background.py [--trials 2] [--detectors nai-3x3,hpge-40pct]

Same caveat as bench_identify.py: templates and test spectra come from the same physics model.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from radnuc.analysis.identify import identify
from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import SourceSpec, expected_counts, synthesize_spectrum
from radnuc.spectra import EnergyCalibration, read_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_identify import CHANNELS, NUCLIDES  # noqa: E402

NATURAL = ("Ra-226", "Th-232", "U-238", "K-40")
#: Uranium items read without a background: natural uranium (glazes, uranium glass, ore) must come out NORM, not
#: enriched uranium.
URANIUM_ITEMS = ("NU", "DU", "LEU", "HEU")
URANIUM_LEVELS = (3000, 30_000, 300_000)
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: Real background measurements (file, which part of it): RadiaCode-10x CsI and the ORTEC portal HPGe.
REAL_BACKGROUNDS = ((DATA / "radiacode" / "bg.xml", "foreground"),
                    (DATA / "radiacode" / "data_th232_plus_background.xml", "background"),
                    (DATA / "radiacode" / "trinitite.xml", "background"),
                    (DATA / "portal" / "background_20100317.n42", "foreground"))
REAL_BACKGROUND_LEVELS = (3000, 10_000, 30_000, 100_000)
NATURAL_LEVELS = (1000, 3000, 10000, 30000, 300_000, 3_000_000)
OTHER_LEVELS = (3000,)


def varied_site(rng: np.random.Generator) -> SiteBackground:
    """A site drawn from the range of ordinary ground and buildings (UNSCEAR 2000 soil concentrations, Bq/kg)."""
    return SiteBackground(k40_bq_kg=rng.uniform(150, 900), u238_bq_kg=rng.uniform(15, 100),
                          th232_bq_kg=rng.uniform(10, 90), height_m=rng.uniform(0.5, 2.0),
                          cosmic=rng.uniform(0.8, 1.5), scatter_ratio=rng.uniform(1.0, 2.2))


def hot_site(rng: np.random.Generator) -> SiteBackground:
    """A site of 3-12x the UNSCEAR 2000 world-median soil concentrations per series (granite, monazite sands)."""
    return SiteBackground(k40_bq_kg=400.0 * rng.uniform(3, 12), u238_bq_kg=35.0 * rng.uniform(3, 12),
                          th232_bq_kg=30.0 * rng.uniform(3, 12), height_m=rng.uniform(0.5, 2.0),
                          cosmic=rng.uniform(0.8, 1.5), scatter_ratio=rng.uniform(1.0, 2.2))


def source_rows(det: str, cal: EnergyCalibration, live: float, label: str, names, levels, trials: int,
                rng: np.random.Generator) -> list[str]:
    rows = []
    for level in levels:
        top1 = anyhit = false = total = 0
        wrong: dict[str, int] = {}
        for name in names:
            per_bq = expected_counts(det, cal, [SourceSpec(name, 1.0, 100.0)], live).sum()
            for _ in range(trials):
                fg = synthesize_spectrum(det, cal, [SourceSpec(name, level / per_bq, 100.0)], live, rng,
                                         SiteBackground(), gain_drift=rng.uniform(-0.03, 0.03))
                found = [x.name for x in identify(fg, None, det).nuclides]
                total += 1
                top1 += found[:1] == [name]
                anyhit += name in found
                false += any(x != name for x in found)
                for x in found:
                    if x != name:
                        wrong[x] = wrong.get(x, 0) + 1
        worst = ", ".join(f"{k} {v}" for k, v in sorted(wrong.items(), key=lambda kv: -kv[1])[:4]) or "—"
        rows.append(f"| {det} | {label} | {level} | {total} | {top1 / total:.2f} | {anyhit / total:.2f} | "
                    f"{false / total:.2f} | {worst} |")
    return rows


def background_row(det: str, cal: EnergyCalibration, n: int, rng: np.random.Generator, sites=varied_site,
                   label: str = "varied sites") -> str:
    """Alarm rate of ``n`` background-only spectra of sites drawn by ``sites(rng)``."""
    alarms: dict[str, int] = {}
    count = 0
    for _ in range(n):
        site = sites(rng)
        live = rng.choice([10_000, 30_000, 100_000, 300_000]) / expected_counts(det, cal, [], 1.0, site).sum()
        result = identify(synthesize_spectrum(det, cal, [], live, rng, site, gain_drift=rng.uniform(-0.03, 0.03)),
                          None, det)
        count += result.alarm
        for x in result.nuclides:
            alarms[x.name] = alarms.get(x.name, 0) + 1
        if result.unknown:
            alarms["unknown"] = alarms.get("unknown", 0) + 1
    names = ", ".join(f"{k} {v}" for k, v in sorted(alarms.items(), key=lambda kv: -kv[1])) or "—"
    return f"| {det} | background only, {label} | — | {n} | — | — | {count / n:.2f} (alarms) | {names} |"


def real_background_rows(path: Path, part: str, levels, draws: int, rng: np.random.Generator) -> list[str]:
    """Alarm rate of a real background spectrum (``part``: the file's foreground or background measurement) thinned
    binomially to each level of counts (each kept count with probability level / total: a Poisson spectrum of
    that expectation and the real spectrum's shape), read alone against the built-in background with the file's
    calibration and detector. The draws of one file share its shape, so they test the count level, not other
    sites."""
    if not path.exists():
        return [f"| {path.name} ({part}) | — | 0 | file missing | — |"]
    measurements = read_file(path)
    spectrum = measurements.summed_foreground() if part == "foreground" else measurements.summed_background()
    rows = []
    for level in levels:
        if level > spectrum.total_counts:
            continue
        p = level / spectrum.total_counts
        alarms, names = 0, {}
        for _ in range(draws):
            thin = replace(spectrum, counts=rng.binomial(spectrum.counts.astype(np.int64), p).astype(float),
                           live_time_s=spectrum.live_time_s * p,
                           real_time_s=None if spectrum.real_time_s is None else spectrum.real_time_s * p)
            result = identify(thin, None, "auto", measurements)
            alarms += result.alarm
            for x in [n.name for n in result.nuclides] + (["unknown"] if result.unknown else []):
                names[x] = names.get(x, 0) + 1
        named = ", ".join(f"{k} {v}" for k, v in sorted(names.items(), key=lambda kv: -kv[1])) or "—"
        rows.append(f"| {path.parent.name}/{path.name} ({part}) | {level} | {draws} | {alarms / draws:.2f} | {named} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=2)
    parser.add_argument("--detectors", default="nai-3x3,csi-pocket,labr3-1.5x1.5,hpge-40pct")
    parser.add_argument("--background-spectra", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--real-draws", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"Command: `python bench/bench_identify_model_background.py --trials {args.trials} --detectors "
          f"{args.detectors} --background-spectra {args.background_spectra} --seed {args.seed}` — "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| detector | sources | net counts | spectra | top-1 | any-hit | false-ID rate | names reported wrongly |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for det in args.detectors.split(","):
        n = CHANNELS.get(det, 1024)
        cal = EnergyCalibration.linear(0.0, 3000.0 / n, n)
        live = 30_000 / expected_counts(det, cal, [], 1.0, SiteBackground()).sum()
        rows = source_rows(det, cal, live, "natural", NATURAL, NATURAL_LEVELS, args.trials, rng)
        others = tuple(x for x in NUCLIDES if x not in NATURAL)
        rows += source_rows(det, cal, live, "N42.34 set", others, OTHER_LEVELS, args.trials, rng)
        rows.append(background_row(det, cal, args.background_spectra, rng))
        rows.append(background_row(det, cal, args.background_spectra, rng, hot_site, "hot sites 3-12x"))
        print("\n".join(rows), flush=True)
    extra = np.random.default_rng(args.seed + 1)  # the rows above keep their draws
    print("\n| detector | uranium item | net counts | spectra | top-1 | any-hit | false-ID rate | "
          "names reported wrongly |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for det in args.detectors.split(","):
        n = CHANNELS.get(det, 1024)
        cal = EnergyCalibration.linear(0.0, 3000.0 / n, n)
        live = 30_000 / expected_counts(det, cal, [], 1.0, SiteBackground()).sum()
        for name in URANIUM_ITEMS:
            print("\n".join(source_rows(det, cal, live, name, (name,), URANIUM_LEVELS, args.trials, extra)), flush=True)
    print("\n| real background, thinned | counts | spectra | alarms | names reported |")
    print("| --- | --- | --- | --- | --- |")
    for path, part in REAL_BACKGROUNDS:
        print("\n".join(real_background_rows(path, part, REAL_BACKGROUND_LEVELS, args.real_draws, extra)), flush=True)


if __name__ == "__main__":
    sys.exit(main())
