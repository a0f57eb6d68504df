"""API load benchmark: an open-loop mix of reads and writes at a fixed rate against ``radnuc serve`` (SQLite file,
127.0.0.1), reporting latency percentiles. Latency is measured from each request's *scheduled* time (no
coordinated omission: a stalled server is charged for the queue it causes); ``service_*`` from the actual send.

    python bench/bench_load.py [--rate 100] [--seconds 30] [--threads 32] [--workers 1] [--database-url URL]

``--database-url``: run on that database instead of a temporary SQLite file (PostgreSQL: pass
RADNUC_TEST_POSTGRES_URL's value with another database name; its tables are dropped and recreated). The report
includes the machine's load average before and after (the machine may be shared: compare runs made together).

Mix: 35 % GET /measurements, 20 % GET /alarms, 15 % GET /measurements/{id}, 10 % GET /incidents,
10 % POST /incidents, 10 % POST /measurements (a unique 27 kB handheld spectrum, queued for analysis; one
`radnuc worker` runs meanwhile unless --workers 0).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.platform.processes import PASSWORD, Service  # noqa: E402

from radnuc.platform.demo import DemoClient  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
INCIDENT = {"title": "Load test", "incident_type": "discovery", "nuclides": ["Cs-137"], "country": "AT"}
MIX = (("list_measurements", 35), ("list_alarms", 20), ("get_measurement", 15), ("list_incidents", 10),
       ("create_incident", 10), ("upload", 10))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    if args.database_url and args.database_url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        engine = create_engine(args.database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    load_before = "/".join(f"{x:.1f}" for x in os.getloadavg())
    rng = random.Random(args.seed)
    base = (DATA / "radiacode" / "bg.xml").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service.create(Path(tmp), database_url=args.database_url)
        try:
            svc.start_server()
            if args.workers:
                svc.start_workers(args.workers)
            local = threading.local()

            def client() -> DemoClient:
                if not hasattr(local, "client"):  # one login (argon2) before the clock starts, token shared
                    local.client = DemoClient(svc.base_url, timeout_s=30)
                    local.client.token = seed_client.token
                return local.client

            seed_client = DemoClient(svc.base_url)
            seed_client.login("crash_officer", PASSWORD)
            ids = [seed_client.upload(f"seed{i}.xml", base + f"<!-- seed {i} -->".encode())[1]["id"]
                   for i in range(20)]
            counter = iter(range(10**9))
            lock = threading.Lock()

            def call(kind: str) -> int:
                c = client()
                if kind == "list_measurements":
                    return c._request("GET", "/api/v1/measurements?limit=20")[0]
                if kind == "list_alarms":
                    return c._request("GET", "/api/v1/alarms?limit=20")[0]
                if kind == "get_measurement":
                    return c._request("GET", f"/api/v1/measurements/{rng.choice(ids)}")[0]
                if kind == "list_incidents":
                    return c._request("GET", "/api/v1/incidents?limit=20")[0]
                if kind == "create_incident":
                    return c._request("POST", "/api/v1/incidents", json.dumps(INCIDENT).encode(),
                                      "application/json")[0]
                with lock:
                    n = next(counter)
                return c.upload(f"load{n}.xml", base + f"<!-- load {n} -->".encode())[0]

            kinds = [k for k, w in MIX for _ in range(w)]
            n_requests = int(args.rate * args.seconds)
            plan = [(i / args.rate, rng.choice(kinds)) for i in range(n_requests)]
            results: list[tuple[str, int, float]] = []
            t0 = time.monotonic() + 0.5

            def fire(at: float, kind: str) -> None:
                delay = t0 + at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                sent = time.monotonic()
                try:
                    status = call(kind)
                except OSError:
                    status = 0
                done = time.monotonic()
                results.append((kind, status, done - (t0 + at), done - sent))

            with ThreadPoolExecutor(max_workers=args.threads) as pool:
                for at, kind in plan:
                    pool.submit(fire, at, kind)
            elapsed = time.monotonic() - t0
        finally:
            svc.stop()
    latencies = [r[2] * 1000 for r in results]
    service = [r[3] * 1000 for r in results]  # from the actual send (hides queueing in the client)
    errors = [r for r in results if not 200 <= r[1] < 300]
    report = {"backend": "postgresql" if (args.database_url or "").startswith("postgresql") else "sqlite",
              "load_average": f"{load_before} -> {'/'.join(f'{x:.1f}' for x in os.getloadavg())}",
              "requests": len(results), "seconds": round(elapsed, 1),
              "achieved_per_s": round(len(results) / elapsed, 1),
              "p50_ms": round(percentile(latencies, 50), 1), "p90_ms": round(percentile(latencies, 90), 1),
              "p99_ms": round(percentile(latencies, 99), 1), "max_ms": round(max(latencies), 1),
              "service_p50_ms": round(percentile(service, 50), 1), "service_p99_ms": round(percentile(service, 99), 1),
              "errors": len(errors), "error_statuses": sorted({e[1] for e in errors})}
    for kind, _w in MIX:
        lat = [r[2] * 1000 for r in results if r[0] == kind]
        report[kind] = {"n": len(lat), "p50_ms": round(percentile(lat, 50), 1), "p99_ms": round(percentile(lat, 99), 1)}
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
