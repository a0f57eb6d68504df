"""Probe of radnuc identify on sources with coincidence sum peaks, which the templates do not model.

A source close to a detector sums its cascade photons in one event (Co-60: 1173 + 1332 = 2505 keV, with single and
double escape peaks on large crystals). For each detector, source, net-count level and sum-peak fraction (of the
source's net counts), the expected source spectrum plus the sum peaks (full line responses, so their escape peaks
and Compton continua are included) over ~30,000 background counts is drawn once, and identified with a background
measurement 10x longer. Prints the names found and any unknown regions (keV); a sum peak should be neither a new
name nor an unknown region.

    python bench/bench_identify_sum_peaks.py [--detectors nai-3x3,hpge-40pct] [--seed 9]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import numpy as np

from radnuc.analysis.identify import identify
from radnuc.physics.background import SiteBackground
from radnuc.physics.response import line_template
from radnuc.physics.synthesis import SourceSpec, expected_counts
from radnuc.physics.synthesis.spectrum import synthesize_background
from radnuc.spectra import EnergyCalibration, Spectrum

#: (source, [(sum-peak energy keV, share of the sum-peak counts)]): cascade sums of lines of >= 10 % yield, and
#: Ba-133's 384 keV (8.9 %) line with its Cs K X-ray, a sum the engine's 10 % rule does not cover.
SUMS = {"Co-60": [(1173.2 + 1332.5, 1.0)], "Cs-137": [],
        "Ba-133": [(356.0 + 81.0, 0.5), (383.8 + 30.9, 0.5)], "Eu-152": [(1408.0 + 40.1, 0.6), (121.8 + 1408.0, 0.4)]}
LEVELS = (10_000, 100_000)
FRACTIONS = (0.0, 0.01, 0.03)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--detectors", default="nai-3x3,hpge-40pct")
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"Command: `python bench/bench_identify_sum_peaks.py --detectors {args.detectors} --seed {args.seed}` — "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n")
    print("| detector | source | net counts | sum-peak fraction | found | unknown regions (keV) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for det in args.detectors.split(","):
        n = 8192 if det.startswith("hpge") else 1024
        cal = EnergyCalibration.linear(0.0, 3000.0 / n, n)
        live = 30_000 / expected_counts(det, cal, [], 1.0, SiteBackground()).sum()
        background = expected_counts(det, cal, [], live, SiteBackground())
        for name, sums in SUMS.items():
            per_bq = expected_counts(det, cal, [SourceSpec(name, 1.0, 100.0)], live).sum()
            for level in LEVELS:
                source = expected_counts(det, cal, [SourceSpec(name, level / per_bq, 100.0)], live)
                for fraction in FRACTIONS:
                    extra = np.zeros(n)
                    for energy, share in sums:
                        line = np.asarray(line_template(det, [energy], [1.0], cal.edges_kev, None))
                        extra += fraction * level * share * line / line.sum()
                    fg = Spectrum(rng.poisson(source + extra + background).astype(float), cal, live_time_s=live,
                                  real_time_s=live)
                    result = identify(fg, synthesize_background(det, cal, 10 * live, rng), det)
                    found = ", ".join(f"{x.name} ({x.confidence:.2f})" for x in result.nuclides) or "nothing"
                    regions = ", ".join(f"{u.low_kev:.0f}–{u.high_kev:.0f}" for u in result.unknown) or "—"
                    print(f"| {det} | {name} | {level} | {fraction:.2f} | {found} | {regions} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
