"""Crash benchmark: ``radnuc serve`` + ``radnuc worker`` killed with SIGKILL mid-way through N uploads, restarted,
finished; reports whether every file was stored once and analysed once, the audit check, and the timings.

    python bench/bench_crash.py --files 1000 [--workers 1] [--database-url URL]

On PostgreSQL the database's tables are dropped first (leftover rows would be counted).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.platform.crash_harness import run_crash  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--kill-after", type=int, default=None, help="uploads before the kill (default: half)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    if args.database_url and args.database_url.startswith("postgresql"):  # start from an empty database
        from sqlalchemy import create_engine, text

        engine = create_engine(args.database_url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    with tempfile.TemporaryDirectory() as tmp:
        result = run_crash(Path(tmp), n=args.files, kill_after=args.kill_after or args.files // 2,
                           workers=args.workers, timeout_s=1800, database_url=args.database_url)
    after = result["after"]
    ok = (after["measurements"] == after["distinct_sha256"] == args.files and after["analysed"] == args.files
          and after["max_analyses_per_measurement"] == 1 and after["analysis_entries"] == args.files
          and result["audit_verify_exit"] == 0)
    print(json.dumps(result | {"ok": ok}, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
