"""``radnuc detect``: JSON contract, table, bad files (exit 2, good files still analysed)."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from radnuc.cli import app
from radnuc.physics.synthesis import OccupancyScenario, PortalGeometry, SourceSpec, synthesize_occupancy
from radnuc.spectra.writers import write_n42

runner = CliRunner()


def _write(path, *sources):
    sim = synthesize_occupancy(OccupancyScenario(sources=tuple(sources)), np.random.default_rng(3), PortalGeometry())
    write_n42(sim.measurements, path)
    return path


def test_detect_json_contract_and_bad_file(tmp_path):
    good = _write(tmp_path / "cs.n42", SourceSpec("Cs-137", 3e5))
    bad = tmp_path / "bad.n42"
    bad.write_text("not a spectrum")
    result = runner.invoke(app, ["detect", "--json", "--no-identify", str(bad), str(good)])
    assert result.exit_code == 2
    assert "bad.n42" in result.stderr and "Traceback" not in result.stderr
    lines = [json.loads(x) for x in result.stdout.splitlines() if x.strip()]
    assert len(lines) == 1
    out = lines[0]
    for key in ("file", "alarm", "gamma_alarm", "neutron_alarm", "score", "category", "nuclides", "seconds",
                "algorithms"):
        assert key in out
    assert out["alarm"] is True and out["category"] == "industrial"
    assert {"statistic", "threshold", "fired"} <= set(out["algorithms"]["gross"])


def test_detect_table_and_far_option(tmp_path):
    empty = _write(tmp_path / "empty.n42")
    result = runner.invoke(app, ["detect", "--far", "0.01", "--no-identify", str(empty)])
    assert result.exit_code == 0, result.output
    assert "empty.n42" in result.stdout
    result = runner.invoke(app, ["detect", "--far", "3", str(empty)])
    assert result.exit_code == 2


def test_detect_cli_runs_with_one_blas_thread(tmp_path, monkeypatch):
    import radnuc.platform.jobs.blas as blas

    calls = []
    real = blas.limit_blas_threads
    monkeypatch.setattr(blas, "limit_blas_threads", lambda n=1: calls.append(n) or real(n))
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
    empty = _write(tmp_path / "empty.n42")
    result = runner.invoke(app, ["detect", "--json", "--no-identify", str(empty)])
    assert result.exit_code == 0, result.output
    assert calls == [1]
    import os

    assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
