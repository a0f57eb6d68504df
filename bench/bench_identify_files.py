"""Throughput of `radnuc identify` on many files (issue 4 target: 1,000 files in under 30 s on 2 cores).

Writes N synthetic 1024-channel CsI spectra (mixed sources and background-only, seeded) as N42 files in a
temporary folder, warms the template cache, then times the command end to end with 1 and with all cores.

    python bench/bench_identify_files.py [--n 1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from radnuc.physics.background import SiteBackground
from radnuc.physics.synthesis import SourceSpec, synthesize_spectrum
from radnuc.spectra import EnergyCalibration, InstrumentInfo, MeasurementSet
from radnuc.spectra.writers import write_n42

SOURCES = ("Cs-137", "Co-60", "Am-241", "Ba-133", "Tc-99m", "HEU", None)


def make_files(folder: Path, n: int, rng: np.random.Generator) -> list[Path]:
    cal = EnergyCalibration.polynomial([-6.3, 2.44, 3.8e-4], 1024)
    paths = []
    for i in range(n):
        name = SOURCES[i % len(SOURCES)]
        specs = [SourceSpec(name, float(rng.uniform(2e3, 2e4)), 30.0)] if name else []
        fg = synthesize_spectrum("csi-pocket", cal, specs, 120.0, rng, SiteBackground())
        ms = MeasurementSet(measurements=(fg,), instrument=InstrumentInfo("radnuc", "radnuc simulated csi-pocket",
                                                                          "Radionuclide Identifier"))
        paths.append(write_n42(ms, folder / f"s{i:04d}.n42", detector_kind="CsI"))
    return paths


def timed(args: list[str], env: dict) -> tuple[float, float]:
    """(wall s, CPU s of the command and its worker processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=False, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    radnuc = str(Path(sys.executable).with_name("radnuc"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = [str(p) for p in make_files(folder, args.n, np.random.default_rng(4))]
        env = dict(os.environ, RADNUC_CACHE_DIR=str(folder / "cache"))
        timed([radnuc, "identify", "--json", files[0]], env)  # builds the template cache once
        one, one_cpu = timed([radnuc, "identify", "--json", "--jobs", "1", *files], env)
        every, every_cpu = timed([radnuc, "identify", "--json", *files], env)
    cores = os.cpu_count()
    print(f"radnuc identify on {args.n} files: {one:.1f} s with 1 process, {every:.1f} s with {cores} "
          f"({1e3 * one / args.n:.1f} ms/file single-process, including reading); CPU time {one_cpu:.1f} s and "
          f"{every_cpu:.1f} s; load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
