"""``radnuc enrich`` and ``radnuc characterize`` on files written to disk."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from radnuc.analysis.characterize.synth import synthesize_uranium
from radnuc.cli.app import app
from radnuc.physics.synthesis import SourceSpec, synthesize_spectrum
from radnuc.spectra import EnergyCalibration, MeasurementSet
from radnuc.spectra.writers import write_n42

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("enrich")
    u = synthesize_uranium("nai-3x3", 4.5, np.random.default_rng(0), total_counts=1e5, live_time_s=60.0)
    cal = EnergyCalibration.linear(0.0, 3.0, 1024)
    cs = synthesize_spectrum("nai-3x3", cal, [SourceSpec("Cs-137", 3e5, 30.0)], 60, np.random.default_rng(1))
    paths = {"u": d / "leu.n42", "cs": d / "cs.n42", "bad": d / "bad.n42"}
    write_n42(MeasurementSet(measurements=(u,)), paths["u"])
    write_n42(MeasurementSet(measurements=(cs,)), paths["cs"])
    paths["bad"].write_text("<not n42")
    return paths


def test_enrich_json_contract(files):
    res = runner.invoke(app, ["enrich", "--detector", "nai-3x3", "--json", str(files["u"]), str(files["cs"])])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert len(lines) == 2
    u, cs = lines
    assert {"file", "enrichment_pct", "uncertainty_pct", "category", "method"} <= set(u)
    assert u["category"] == "LEU" and abs(u["enrichment_pct"] - 4.5) < 3.5 * u["uncertainty_pct"]
    assert cs["enrichment_pct"] is None and cs["reason"].startswith("not uranium")


def test_enrich_table_shows_the_interval(files):
    """The readable line gives value ± uncertainty and the 1-sigma interval it stands for; JSON carries both."""
    res = runner.invoke(app, ["enrich", "--detector", "nai-3x3", str(files["u"])])
    assert res.exit_code == 0, res.output
    assert "wt% U-235 (1σ " in res.stdout and "LEU" in res.stdout
    u = json.loads(runner.invoke(app, ["enrich", "--detector", "nai-3x3", "--json", str(files["u"])]).stdout)
    lo, hi = u["interval_pct"]
    assert u["enrichment_pct"] == pytest.approx(0.5 * (lo + hi), abs=1e-3)
    assert u["interval_2sigma_pct"][0] < lo < hi <= u["interval_2sigma_pct"][1]


def test_enrich_distance_is_passed_to_the_analysis(files):
    res = runner.invoke(app, ["enrich", "--detector", "nai-3x3", "--json", "--distance", "0.3", str(files["u"])])
    assert res.exit_code == 0, res.output
    u = json.loads(res.stdout.strip().splitlines()[-1])
    assert u["distance_given"] is True and u["distance_cm_given"] == pytest.approx(30.0)
    assert u["category"] == "LEU" and abs(u["enrichment_pct"] - 4.5) < 3.5 * u["uncertainty_pct"]
    res = runner.invoke(app, ["enrich", "--detector", "nai-3x3", "--json", str(files["u"])])
    assert json.loads(res.stdout.strip().splitlines()[-1])["distance_given"] is False


def test_enrich_bad_file_exit_2(files):
    res = runner.invoke(app, ["enrich", "--detector", "nai-3x3", "--json", str(files["bad"]), str(files["u"])])
    assert res.exit_code == 2
    assert len([x for x in res.stdout.strip().splitlines() if x]) == 1
    assert "bad.n42" in res.stderr and "Traceback" not in res.stderr


def test_enrich_unknown_detector(files):
    res = runner.invoke(app, ["enrich", "--detector", "nope", str(files["u"])])
    assert res.exit_code == 2


def test_characterize_json_report_n42(files, tmp_path):
    report = tmp_path / "r.html"
    n42 = tmp_path / "out.n42"
    res = runner.invoke(app, ["characterize", "--detector", "nai-3x3", "--distance-m", "0.3", "--json",
                              "--report", str(report), "--n42-out", str(n42), str(files["cs"])])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["activities"][0]["name"] == "Cs-137"
    assert out["activities"][0]["activity_bq"] == pytest.approx(3e5, rel=0.2)
    assert out["iaea_source_category"]["category"] == 5
    assert report.exists() and n42.exists()
    from radnuc.spectra import read_file

    assert read_file(n42).analysis_results
