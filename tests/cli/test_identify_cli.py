import json

from typer.testing import CliRunner

from radnuc.cli import app
from radnuc.spectra import read_file

runner = CliRunner()


def test_identify_json_contract_plot_and_n42(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("RADNUC_CACHE_DIR", str(tmp_path / "cache"))
    files = [str(data_dir / "radiacode/data_am241.xml"), str(data_dir / "radiacode/data_invalid.n42")]
    result = runner.invoke(app, ["identify", "--json", "--background", str(data_dir / "radiacode/bg.xml"),
                                 "--plot", str(tmp_path / "p.png"), "--n42-out", str(tmp_path / "out.n42"), *files])
    assert result.exit_code == 2
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert {"file", "detector", "alarm", "category", "nuclides", "seconds"} <= set(record)
    assert record["nuclides"][0]["name"] == "Am-241" and 0 <= record["nuclides"][0]["confidence"] <= 1
    assert "data_invalid.n42" in result.stderr and "Traceback" not in result.output
    assert (tmp_path / "p-1.png").read_bytes()[:4] == b"\x89PNG"
    written = read_file(tmp_path / "out-1.n42")
    assert written.analysis_results[0].nuclides[0].name == "Am-241"


def test_identify_bad_detector_and_background(data_dir, tmp_path):
    result = runner.invoke(app, ["identify", "--detector", "geiger", str(data_dir / "radiacode/bg.xml")])
    assert result.exit_code == 2 and "unknown detector" in result.stderr
    result = runner.invoke(app, ["identify", "--background", str(tmp_path / "none.xml"),
                                 str(data_dir / "radiacode/bg.xml")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_identify_many_files_in_parallel_keeps_order(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("RADNUC_CACHE_DIR", str(tmp_path / "cache"))
    names = ["data_am241.xml", "data_invalid_spectrum.xml", "Co60_Cs137_Cs137_b.xml", "bg.xml", "data_am241.n42"]
    files = [str(data_dir / "radiacode" / n) for n in names]
    result = runner.invoke(app, ["identify", "--json", "--jobs", "2", "--background",
                                 str(data_dir / "radiacode/bg.xml"), *files])
    assert result.exit_code == 2
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["file"] for r in records] == [f for f in files if "invalid" not in f]
    assert records[0]["nuclides"][0]["name"] == "Am-241"
    assert "data_invalid_spectrum.xml" in result.stderr


def test_identify_refuses_a_spectrum_without_energy_calibration(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("RADNUC_CACHE_DIR", str(tmp_path / "cache"))
    uncalibrated = str(data_dir / "becquerel/kromek_d3s_ba133_cs137.spe")
    good = str(data_dir / "radiacode/data_am241.xml")
    result = runner.invoke(app, ["identify", "--json", uncalibrated, good])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "kromek_d3s_ba133_cs137.spe" in result.stderr and "energy calibration" in result.stderr
    assert [json.loads(line)["file"] for line in result.stdout.strip().splitlines()] == [good]
