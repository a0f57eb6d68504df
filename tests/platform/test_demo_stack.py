"""The one-machine demonstration behind ``make run``: demo database, credentials file, serve + worker + lane."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from typer.testing import CliRunner

from radnuc.cli import app
from radnuc.platform.demo_stack import DemoError, DemoPaths, prepare_demo
from tests.platform.processes import free_port


def _counter(prefix):
    n = iter(range(1000))
    return lambda: f"{prefix}-{next(n):04d}-long-enough"


def test_prepare_demo_is_idempotent_and_keeps_credentials_private(tmp_path):
    paths = DemoPaths(tmp_path / "demo")
    env, creds = prepare_demo(paths, password_factory=_counter("pw"), secret_factory=lambda: "s" * 40)
    assert [c["username"] for c in creds] == ["demo_officer", "demo_admin", "demo_investigator", "demo_expert"]
    assert stat.S_IMODE(paths.credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.custody_secret.stat().st_mode) == 0o600
    assert env["RADNUC_DATABASE_URL"].startswith("sqlite:///") and env["RADNUC_CUSTODY_SECRET"] == "s" * 40
    env2, creds2 = prepare_demo(paths, password_factory=_counter("other"))
    assert creds2 == creds and env2 == env  # nothing re-created, same passwords shown again
    con = sqlite3.connect(paths.root / "radnuc.db")
    hashes = [row[0] for row in con.execute("SELECT password_hash FROM users")]
    con.close()
    assert hashes and all(h.startswith("$argon2") for h in hashes)
    assert not any(c["password"] in h for c in creds for h in hashes)


def test_prepare_demo_refuses_users_whose_passwords_were_not_saved(tmp_path):
    paths = DemoPaths(tmp_path / "demo")
    prepare_demo(paths, password_factory=_counter("pw"))
    paths.credentials.unlink()
    with pytest.raises(DemoError, match="delete the demo folder"):
        prepare_demo(paths)


def test_prepare_demo_rejects_a_corrupt_credentials_file(tmp_path):
    paths = DemoPaths(tmp_path / "demo")
    prepare_demo(paths, password_factory=_counter("pw"))
    paths.credentials.write_text("{not json")
    with pytest.raises(DemoError, match="unreadable credentials"):
        prepare_demo(paths)


def test_demo_serve_runs_service_worker_and_lane_until_the_duration_ends(tmp_path):
    root = tmp_path / "demo"
    r = CliRunner().invoke(app, ["demo", "--serve", "--dir", str(root), "--port", str(free_port()),
                                 "--duration", "8", "--rate", "2", "--seed", "3"])
    assert r.exit_code == 0, r.output
    assert "demo_officer" in r.stdout and "console http://127.0.0.1:" in r.stdout
    assert r.stdout.count("-> HTTP 201") == 16
    creds = json.loads((root / "credentials.json").read_text())
    assert {c["password"] for c in creds} <= set(r.stdout.split())
    con = sqlite3.connect(root / "radnuc.db")
    measurements = con.execute("SELECT count(*) FROM measurements").fetchone()[0]
    done = con.execute("SELECT count(*) FROM jobs WHERE status = 'done'").fetchone()[0]
    con.close()
    assert measurements == 16 and done >= 1  # the worker analysed what arrived while it ran


def test_demo_serve_reports_a_busy_port_cleanly(tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = CliRunner().invoke(app, ["demo", "--serve", "--dir", str(tmp_path / "d"), "--port", str(port),
                                     "--duration", "2"])
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "port" in r.stderr
