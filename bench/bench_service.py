"""Ingestion throughput of the service: files parsed and stored, then analysed by N worker processes.

    python bench/bench_service.py [--files 200] [--workers 1 2] [--source portal|handheld] [--database-url URL]
                                  [--mode drain concurrent] [--blas-threads 1]

Each file is a portal background N42 (197 kB, 8 spectra of 16,384 channels; analysed by ``radnuc.analysis.detect``)
or, with ``--source handheld``, a RadiaCode background spectrum (XML, 1024 channels; analysed by
``radnuc.analysis.identify``), made unique by an XML comment, so that nothing is deduplicated. The template cache
of identification is warmed before the workers start (as a deployment does once). Without ``--database-url`` a
fresh SQLite file is used; pass RADNUC_TEST_POSTGRES_URL's value for PostgreSQL (the tables are dropped and
recreated). Two modes, each on a fresh database:

- ``drain``: ingest every file first (one process, one transaction per file: ``ingest`` files/s), then start N
  ``radnuc worker --until-idle`` processes and time them until the queue is empty. ``analysis`` counts from the
  moment the first worker is ready (start-up, ~1-3 s of imports, is reported apart as ``start-up``);
  ``incl. start-up`` is the old figure (from the spawn).
- ``concurrent``: N workers are started and ready first; then the files are ingested (as above) while the workers
  analyse them: ``ingest+analysis`` = files / (time from the first upload until the last analysis is written).
  This is issue 7's "ingestion with analysis" figure.

Prints one line per configuration, with the load average (``os.getloadavg``) before and after: the machine may be
shared, so compare figures of the same run.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from radnuc.platform.actor import Actor
from radnuc.platform.agencies import service as agencies
from radnuc.platform.db import Database, transaction
from radnuc.platform.jobs import service as jobs
from radnuc.platform.measurements import service as measurements
from radnuc.platform.migrate import upgrade

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
SOURCES = {"portal": DATA / "portal" / "background_20100317.n42", "handheld": DATA / "radiacode" / "bg.xml"}
RUN_CLI = "import sys; from radnuc.cli import app; sys.argv[0] = 'radnuc'; app()"


def fresh(url: str) -> Database:
    db = Database(url)
    if db.dialect == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    return db


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def spawn_workers(n: int, env: dict, log: Path, *extra: str) -> list[subprocess.Popen]:
    out = log.open("ab")
    return [subprocess.Popen([sys.executable, "-c", RUN_CLI, "worker", *extra], env=env, stdout=out,
                             stderr=subprocess.STDOUT) for _ in range(n)]


def wait_started(log: Path, n: int, procs: list[subprocess.Popen], timeout_s: float = 120.0) -> float:
    """Wait until ``n`` workers logged that they started (after warm-up); when the first did (perf_counter)."""
    first = None
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        started = log.read_text(errors="replace").count(" started") if log.exists() else 0
        if started and first is None:
            first = time.perf_counter()
        if started >= n or all(p.poll() is not None for p in procs):
            return first or time.perf_counter()
        time.sleep(0.005)
    raise RuntimeError(f"workers did not start: {log.read_text()[-2000:]}")


def worker_cpu_s(log: Path) -> float:
    """CPU seconds the workers spent in their job loop (after start-up), from their last log line."""
    return sum(float(x) for x in re.findall(r"job\(s\), ([\d.]+) s CPU", log.read_text(errors="replace")))


def ingest(db: Database, agency: str, base: bytes, n: int, suffix: str) -> float:
    actor = Actor.system("bench")
    started = time.perf_counter()
    for i in range(n):
        data = base + f"\n<!-- occupancy {i} -->\n".encode()
        parsed = measurements.parse_upload(data=data, filename=f"occ{i}{suffix}", max_bytes=10**8)
        with transaction(db.sessions) as s:
            measurements.store_measurement(session=s, actor=actor, agency_id=agency, parsed=parsed, site="B", lane="1")
    return time.perf_counter() - started


def run(url: str, n_files: int, n_workers: int, source: Path, data_dir: str, mode: str, blas_threads: int) -> dict:
    db = fresh(url)
    with transaction(db.sessions) as s:
        agency = agencies.create_agency(session=s, actor=Actor.system("bench"), name="Bench customs",
                                        kind="customs").id
    base = source.read_bytes()
    from radnuc.analysis.pipeline import analyse
    from radnuc.spectra import read_file

    os.makedirs(f"{data_dir}/templates", exist_ok=True)
    analyse(read_file(source), cache_dir=f"{data_dir}/templates")  # warm the template cache
    env = dict(os.environ, RADNUC_DATABASE_URL=url, RADNUC_DATA_DIR=data_dir)
    log = Path(data_dir) / f"workers-{mode}-{n_workers}.log"
    extra = ("--blas-threads", str(blas_threads)) if blas_threads else ()  # 0: the worker's own default
    load_before = load()
    out: dict = {}
    if mode == "drain":
        cpu = time.process_time()
        ingest_s = ingest(db, agency, base, n_files, source.suffix)
        ingest_cpu_s = time.process_time() - cpu
        spawned = time.perf_counter()
        procs = spawn_workers(n_workers, env, log, "--until-idle", *extra)
        ready = wait_started(log, n_workers, procs)
        for p in procs:
            p.wait()
        end = time.perf_counter()
        out = {"ingest_per_s": n_files / ingest_s, "analyse_per_s": n_files / (end - ready),
               "analyse_incl_startup_per_s": n_files / (end - spawned), "startup_s": ready - spawned}
    else:
        procs = spawn_workers(n_workers, env, log, "--poll", "0.05", *extra)
        wait_started(log, n_workers, procs)
        started = time.perf_counter()
        cpu = time.process_time()
        ingest_s = ingest(db, agency, base, n_files, source.suffix)
        ingest_cpu_s = time.process_time() - cpu
        while True:
            with transaction(db.read_sessions) as s:
                c = jobs.counts(session=s)
            if c.get("done", 0) + c.get("failed", 0) >= n_files:
                break
            time.sleep(0.02)
        end = time.perf_counter()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        out = {"ingest_per_s": n_files / ingest_s, "combined_per_s": n_files / (end - started),
               "lag_s": end - started - ingest_s}
    out |= {"ingest_cpu_ms": 1000 * ingest_cpu_s / n_files, "analysis_cpu_ms": 1000 * worker_cpu_s(log) / n_files}
    with transaction(db.read_sessions) as s:
        counts = jobs.counts(session=s)
        statuses = dict(s.execute(text("SELECT status, count(*) FROM measurements GROUP BY status")).all())
    db.dispose()
    return out | {"backend": db.dialect, "files": n_files, "workers": n_workers, "jobs": counts,
                  "measurements": statuses, "load": f"{load_before} -> {load()}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--source", choices=sorted(SOURCES), default="portal")
    parser.add_argument("--mode", choices=["drain", "concurrent"], nargs="+", default=["drain", "concurrent"])
    parser.add_argument("--blas-threads", type=int, default=1,
                        help="passed to `radnuc worker` (0: not passed, e.g. to measure an older checkout)")
    args = parser.parse_args()
    for mode in args.mode:
        for n_workers in args.workers:
            with tempfile.TemporaryDirectory() as tmp:
                url = args.database_url or f"sqlite:///{tmp}/bench.db"
                r = run(url, args.files, n_workers, SOURCES[args.source], f"{tmp}/data", mode, args.blas_threads)
            head = f"{args.source:<8} {r['backend']:<10} {mode:<10} files={r['files']} workers={r['workers']}  "
            if mode == "drain":
                figures = (f"ingest {r['ingest_per_s']:.1f} files/s  analysis {r['analyse_per_s']:.1f} files/s "
                           f"(start-up {r['startup_s']:.1f} s; incl. start-up {r['analyse_incl_startup_per_s']:.1f})")
            else:
                figures = (f"ingest+analysis {r['combined_per_s']:.1f} files/s (ingest alone ran at "
                           f"{r['ingest_per_s']:.1f}/s; last analysis {r['lag_s']:.1f} s after the last upload)")
            if r["analysis_cpu_ms"]:
                cpu_ms = r["ingest_cpu_ms"] + r["analysis_cpu_ms"]
                figures += (f"  CPU per file: ingest {r['ingest_cpu_ms']:.0f} ms, analysis "
                            f"{r['analysis_cpu_ms']:.0f} ms (so {2000 / cpu_ms:.0f} files/s on 2 free cores)")
            print(f"{head}{figures}  jobs {r['jobs']}  {r['measurements']}  load {r['load']}", flush=True)


if __name__ == "__main__":
    main()
