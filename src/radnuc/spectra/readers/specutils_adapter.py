"""Turn what Sandia SpecUtils (PyPI ``SandiaSpecUtils``) parsed into radnuc types.

SpecUtils reads 100+ spectrum formats in C++. This module is the only place that touches it: the rest
of radnuc sees :class:`MeasurementSet` and :class:`Spectrum` only. SpecUtils prints some parser
diagnostics on the process's standard output; :func:`load_with_specutils` silences them so that
``--json`` output stays one clean object per line.
"""

from __future__ import annotations

import ctypes
import logging
import os
import tempfile
import threading
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

import numpy as np

from radnuc.spectra.calibration import CalibrationKind, EnergyCalibration
from radnuc.spectra.errors import CalibrationError, FileFormatError, LiveTimeError, SpectrumError
from radnuc.spectra.measurement_set import AnalysisResult, InstrumentInfo, MeasurementSet, NuclideResult
from radnuc.spectra.spectrum import SourceType, Spectrum

log = logging.getLogger(__name__)

_FD_LOCK = threading.Lock()


@contextmanager
def _quiet_stdout():
    """Send the C++ library's writes to fds 1 and 2 into a temporary file for the duration of a parse."""
    with _FD_LOCK, tempfile.TemporaryFile() as sink:
        try:
            saved = [os.dup(1), os.dup(2)]
        except OSError:  # no standard streams at all (daemon): nothing to protect
            yield
            return
        libc = _libc()
        try:
            _flush(libc)
            os.dup2(sink.fileno(), 1)
            os.dup2(sink.fileno(), 2)
            yield
        finally:
            _flush(libc)  # C++ streams share C stdio's buffers: flush them into the sink, not later
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)


def _libc():
    try:
        return ctypes.CDLL(None)
    except OSError:  # pragma: no cover - non-POSIX platforms
        return None


def _flush(libc) -> None:
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    if libc is not None:
        libc.fflush(None)


def load_with_specutils(
    path: Path, parser_name: str, times_required: bool = True, calibration_in_file: bool = False
) -> MeasurementSet:
    """Parse ``path`` with the SpecUtils parser ``parser_name`` (a ``SpecUtils.ParserType`` member).

    ``times_required``: the format records live and real time, so a spectrum with neither is an error
    (CSV/TXT files may carry no times at all and are read with a warning instead).
    ``calibration_in_file``: the file states a calibration, so if SpecUtils had to replace it with a
    default (because it was invalid), that is an error rather than a warning.
    """
    import SpecUtils  # deferred: importing the C++ extension costs ~50 ms

    spec_file = SpecUtils.SpecFile()
    parser = getattr(SpecUtils.ParserType, parser_name)
    try:
        with _quiet_stdout():
            spec_file.loadFile(str(path), parser)
    except RuntimeError:
        raise FileFormatError(f"not a readable {_PRETTY.get(parser_name, parser_name)} file") from None
    if spec_file.numMeasurements() == 0:
        raise FileFormatError("file holds no measurement")
    try:
        return convert(spec_file, source=str(path), file_format=_PRETTY.get(parser_name, parser_name),
                       times_required=times_required, calibration_in_file=calibration_in_file)
    except UnicodeDecodeError:  # a text field the binding could not decode, in a place not guarded below
        raise FileFormatError("file has text that is not valid UTF-8 where the format requires it") from None


_PRETTY = {
    "N42_2006": "N42.42-2006",
    "N42_2012": "N42.42-2012",
    "RadiaCode": "RadiaCode XML",
    "SpeIaea": "IAEA SPE",
    "Chn": "ORTEC CHN",
    "Cnf": "Canberra CNF",
    "Pcf": "GADRAS PCF",
    "TxtOrCsv": "CSV/TXT",
    "Spc": "ORTEC SPC",
    "Auto": "auto-detected",
}

_SOURCE_TYPES = {
    "Foreground": SourceType.FOREGROUND,
    "Background": SourceType.BACKGROUND,
    "Calibration": SourceType.CALIBRATION,
    "IntrinsicActivity": SourceType.INTRINSIC,
}


def convert(spec_file, source: str, file_format: str, times_required: bool = True,
            calibration_in_file: bool = False) -> MeasurementSet:
    """Build a MeasurementSet from a loaded ``SpecUtils.SpecFile``; validate every measurement."""
    warnings: list[str] = _safe_list(spec_file.parseWarnings)
    calibrations: dict[tuple, EnergyCalibration | None] = {}
    spectra: list[Spectrum] = []
    for index, m in enumerate(spec_file.measurements()):
        where = f"measurement {index + 1} ({_text(m.detectorName) or 'unnamed'})"
        try:
            spectra.append(_spectrum(m, calibrations, warnings, where, times_required, calibration_in_file))
        except SpectrumError as exc:
            raise type(exc)(f"{where}: {exc}") from None
    gamma = [s for s in spectra if s.n_channels > 1]
    if not gamma:
        raise FileFormatError("file holds no gamma spectrum")
    info = InstrumentInfo(
        manufacturer=_text(spec_file.manufacturer),
        model=_text(spec_file.instrumentModel),
        instrument_type=_text(spec_file.instrumentType),
        serial_number=_text(spec_file.instrumentId),
        lane_number=(spec_file.laneNumber() if spec_file.laneNumber() >= 0 else None),
        location_name=_text(spec_file.measurementLocationName),
    )
    return MeasurementSet(
        measurements=tuple(gamma),
        instrument=info,
        analysis_results=_analysis(spec_file),
        source=source,
        file_format=file_format,
        warnings=tuple(dict.fromkeys(warnings)),
        remarks=tuple(_safe_list(spec_file.remarks)),
        uuid=_text(spec_file.uuid),
    )


def _spectrum(m, calibrations: dict, warnings: list[str], where: str, times_required: bool,
              calibration_in_file: bool) -> Spectrum:
    counts = np.asarray(m.gammaCounts(), dtype=float)
    n = counts.size
    calibration = _calibration(m, n, calibrations, warnings, where, calibration_in_file) if n > 1 else None
    live, real = _times(float(m.liveTime()), float(m.realTime()), float(counts.sum()), where, warnings,
                        times_required)
    start = m.startTime()
    if start is not None and start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if start is not None and start.year <= 1970:  # SpecUtils' "no time" and our placeholder for it
        start = None
    occupancy = str(m.occupied()).rsplit(".", 1)[-1]
    neutron = float(m.neutronCountsSum()) if m.containedNeutron() else None
    has_gps = m.hasGpsInfo()
    speed = float(m.speed())
    return Spectrum(
        counts=counts if n else np.zeros(1),
        calibration=calibration,
        live_time_s=live,
        real_time_s=real,
        start_time=start,
        detector_name=_text(m.detectorName),
        source_type=_SOURCE_TYPES.get(str(m.sourceType()).rsplit(".", 1)[-1], SourceType.UNKNOWN),
        neutron_counts=neutron,
        neutron_live_time_s=real if neutron is not None else None,
        occupied={"Occupied": True, "NotOccupied": False}.get(occupancy),
        sample_number=int(m.sampleNumber()),
        latitude=float(m.latitude()) if has_gps else None,
        longitude=float(m.longitude()) if has_gps else None,
        speed_mps=speed if np.isfinite(speed) and speed > 0 else None,
        title=_text(m.title),
        remarks=tuple(_safe_list(m.remarks)),
    )


def _calibration(m, n: int, cache: dict, warnings: list[str], where: str,
                 calibration_in_file: bool) -> EnergyCalibration | None:
    kind = str(m.energyCalibrationModel()).rsplit(".", 1)[-1]
    coefficients = tuple(float(c) for c in m.calibrationCoeffs())
    key = (kind, coefficients, n)
    if key in cache:
        return cache[key]
    if kind == "UnspecifiedUsingDefaultPolynomial":
        if calibration_in_file:
            raise CalibrationError(
                "the energy calibration in the file is invalid (energies not increasing over the "
                "channels, or not finite): check the coefficients and their order"
            )
        # SpecUtils' default (0-3,000 keV over the channels) is a guess, not the instrument's: an analysis on it
        # names nuclides from misplaced peaks (a Kromek D3S Ba-133 + Cs-137 spectrum of becquerel's samples read
        # as Mn-54), so the spectrum has no calibration and the analyses that need one say so
        warnings.append(f"{where}: no energy calibration in the file; energy analyses need one")
        cal = None
    elif kind == "Polynomial":
        cal = EnergyCalibration.polynomial(coefficients, n) if coefficients else None
    elif kind == "FullRangeFraction":
        cal = EnergyCalibration.full_range_fraction(coefficients, n)
    elif kind == "LowerChannelEdge":
        edges = [m.gammaChannelLower(i) for i in range(n)] + [m.gammaChannelUpper(n - 1)]
        cal = EnergyCalibration.from_edges(edges)
    else:
        warnings.append(f"{where}: no usable energy calibration")
        cal = None
    if cal is not None and cal.kind is not CalibrationKind.LOWER_EDGES:
        # SpecUtils applies deviation pairs (which its Python binding cannot hand over) to the channel
        # energies; when they differ from the plain equation, keep SpecUtils' exact edges.
        exact = np.asarray(m.channelEnergies(), dtype=float)
        if exact.size == n + 1 and np.max(np.abs(exact - cal.edges_kev)) > 1e-3:
            cal = EnergyCalibration.from_edges(exact)
            warnings.append(f"{where}: non-linearity (deviation pair) corrections applied as channel edges")
    if cal is not None:
        lo, hi = cal.energy_range_kev
        if hi > 1e5 or hi < 1.0:
            raise CalibrationError(f"energy range {lo:.4g}-{hi:.4g} keV is not that of a gamma spectrum")
    cache[key] = cal
    return cal


def _times(live: float, real: float, total: float, where: str, warnings: list[str], required: bool):
    """Live and real time (s) as the file gives them, tolerating what has a clear meaning.

    A missing live time with a real time means no dead-time information: the real time is used, with a
    warning. A spectrum with counts but neither time is an error in formats that record times.
    """
    if not (np.isfinite(live) and np.isfinite(real)) or live < 0 or real < 0:
        raise LiveTimeError(f"live time {live} s / real time {real} s are not valid times")
    if live > 0 and real > 0:
        return live, real
    if live > 0:
        return live, None
    if real > 0:
        warnings.append(f"{where}: live time missing or zero; the real time {real:g} s is used")
        return real, real
    if required and total > 0:
        raise LiveTimeError("live time and real time are zero")
    warnings.append(f"{where}: no live time in the file: count rates are not available")
    return None, None


def _analysis(spec_file) -> tuple[AnalysisResult, ...]:
    """Nuclides an analysis already in the file reported (SpecUtils' DetectorAnalysisResult list)."""
    try:
        results = list(spec_file.detectorAnalysisResults() or [])
    except (TypeError, RuntimeError, UnicodeDecodeError):  # binding cannot always convert these
        return ()
    nuclides = []
    for r in results:
        name = _text(r.nuclide)
        if not name:
            continue
        activity_bq = float(r.activity())
        nuclides.append(NuclideResult(
            name=name,
            confidence=_confidence(_text(r.idConfidence)),
            category=_text(r.nuclideType),
            activity_kbq=activity_bq / 1000.0 if activity_bq > 0 else None,
            remark=_text(r.remark),
        ))
    return (AnalysisResult(algorithm="from file", nuclides=tuple(nuclides)),) if nuclides else ()


def _confidence(text: str) -> float | None:
    """Confidence as 0..1 from a number given in percent (N42) or as a fraction."""
    try:
        value = float(text)
    except ValueError:
        return None
    if not np.isfinite(value) or value < 0:
        return None
    return value / 100.0 if value > 1.0 else value


def _text(getter) -> str:
    try:
        value = getter()
    except (UnicodeDecodeError, RuntimeError, TypeError):
        return ""
    return "" if value is None else str(value)


def _safe_list(getter) -> list[str]:
    try:
        return [str(v) for v in getter()]
    except (UnicodeDecodeError, RuntimeError, TypeError):
        return []
