"""Readers: every sample format is recognised by content and read into radnuc types."""

import shutil

import numpy as np
import pytest

from radnuc.spectra import MeasurementSet, SourceType, read_bytes, read_file

AM241_COUNTS = 306058


@pytest.mark.parametrize(
    "name,fmt",
    [
        ("radiacode/data_am241.xml", "RadiaCode XML"),
        ("radiacode/data_am241.n42", "N42.42-2012"),
        ("formats/am241_2006.n42", "N42.42-2006"),
        ("formats/am241.spe", "IAEA SPE"),
        ("formats/am241.cnf", "Canberra CNF"),
        ("formats/am241.pcf", "GADRAS PCF"),
        ("formats/am241.txt", "CSV/TXT"),
        ("formats/am241.spc", "auto-detected"),
    ],
)
def test_every_format_reads_the_same_spectrum(data_dir, name, fmt, tmp_path):
    # chosen by content: the extension is removed before reading
    copy = tmp_path / "spectrum.dat"
    shutil.copy(data_dir / name, copy)
    ms = read_file(copy)
    assert ms.file_format == fmt
    s = ms.measurements[0]
    assert s.total_counts == pytest.approx(AM241_COUNTS)
    assert s.n_channels == 1024
    assert s.calibration is not None
    assert s.calibration.energy_of(0) == pytest.approx(-6.2832, abs=1e-3)
    # Am-241 59.5 keV peak sits where the calibration says
    peak_energy = s.energies_kev[np.argmax(s.counts[10:]) + 10]
    assert 50 < peak_energy < 70


def test_chn_and_csv_read_with_their_own_limits(data_dir):
    chn = read_file(data_dir / "formats/am241.chn")
    assert chn.file_format == "ORTEC CHN"
    assert chn.measurements[0].live_time_s == pytest.approx(611.46, abs=0.01)
    csv = read_file(data_dir / "formats/am241.csv")
    assert csv.measurements[0].live_time_s is None  # CSV carries no times: read with a warning
    assert any("live time" in w for w in csv.warnings)


def test_radiacode_with_background_measurement(data_dir):
    ms = read_file(data_dir / "radiacode/data_th232_plus_background.xml")
    assert [m.source_type for m in ms.measurements] == [SourceType.BACKGROUND, SourceType.FOREGROUND]
    assert ms.summed_background().live_time_s == pytest.approx(127797.74, rel=1e-5)
    assert ms.summed_foreground().total_counts == 26474139
    assert ms.instrument.model == "RadiaCode-102"
    assert ms.instrument.serial_number == "RC-102-000115"


def test_portal_passthrough_structure(data_dir):
    ms = read_file(data_dir / "portal/passthrough.n42")
    assert isinstance(ms, MeasurementSet)
    assert len(ms.measurements) == 1064
    assert ms.is_portal
    assert ms.detector_names == ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"]
    slices = ms.time_slices()
    assert len(slices) == 133
    assert all(len(s.spectra) == 8 for s in slices)
    assert slices[0].real_time_s == pytest.approx(0.25, abs=0.01)
    assert all(s.occupied for s in slices)
    assert ms.instrument.manufacturer == "ORTEC" and ms.instrument.lane_number == 1
    assert ms.measurements[0].speed_mps == pytest.approx(2.4 * 0.44704, rel=1e-4)  # 2.4 mph
    start = [s.start_time for s in slices]
    assert start == sorted(start)


def test_portal_source_and_background_files(data_dir):
    source = read_file(data_dir / "portal/ba133_source_640s_20100317.n42")
    background = read_file(data_dir / "portal/background_20100317.n42")
    fg, bg = source.summed_foreground(), background.summed_foreground()
    net = fg.subtract_background(bg)
    # Ba-133 356 keV line stands out in the net spectrum
    window = net.counts_in_window(350, 362)
    side = net.counts_in_window(330, 342)  # continuum between the 303 and 356 keV lines
    assert window > 10 * max(side, 1.0)


def test_read_bytes_names_the_upload(data_dir):
    ms = read_bytes((data_dir / "radiacode/bg.xml").read_bytes(), name="bg-upload.xml")
    assert ms.source == "bg-upload.xml"
    assert ms.measurements[0].live_time_s == pytest.approx(1799.95, abs=0.01)


@pytest.mark.parametrize("name", ["becquerel/kromek_d3s_ba133_cs137.spe", "becquerel/nai_background.spe"])
def test_a_file_without_energy_calibration_is_read_without_one(data_dir, name):
    """Real SPE files that state no calibration: SpecUtils assumes 0-3,000 keV over the channels; that guess is not
    kept (an identification on it named Mn-54 in a Ba-133 + Cs-137 spectrum)."""
    ms = read_file(data_dir / name)
    spectrum = ms.measurements[0]
    assert spectrum.calibration is None and spectrum.total_counts > 1e5
    assert any("no energy calibration" in w for w in ms.warnings)
