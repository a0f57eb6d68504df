"""``radnuc enrich`` and ``radnuc characterize``: material characterization of spectrum files.

``enrich`` prints, per file, the DESIGN.md contract ``{"file", "enrichment_pct", "uncertainty_pct", "category",
"method"}`` plus ``detector``, ``reason``, ``warnings`` and the line evidence. A readable file that is not uranium,
or has too few counts, is a valid answer, not an error: ``enrichment_pct``, ``uncertainty_pct`` and ``category``
are null, ``reason`` starts with "not uranium" or "too few counts", and the exit code stays 0. Unreadable or
invalid files give one line on stderr and exit code 2 (the other files are still analysed).
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from radnuc import __version__
from radnuc.analysis.characterize import characterize, measure_enrichment
from radnuc.analysis.characterize.report import write_report
from radnuc.cli.common import EXIT_BAD_INPUT, emit_json, report_error
from radnuc.config import Settings
from radnuc.errors import RadnucError
from radnuc.physics.detectors import detector_kinds
from radnuc.physics.shielding import parse_shields
from radnuc.spectra import read_file
from radnuc.spectra.writers import write_n42


def _background(path: Path | None, settings: Settings):
    if path is None:
        return None
    bg_set = read_file(path, max_bytes=settings.max_file_bytes)
    return bg_set.summed_background() or bg_set.summed_foreground()


def _check_detector(detector: str) -> None:
    if detector != "auto" and detector not in detector_kinds():
        report_error("--detector", f"unknown detector {detector!r}; one of {', '.join(detector_kinds())}, auto")
        raise typer.Exit(EXIT_BAD_INPUT)


def _common_inputs(detector: str, shielding: str | None, background: Path | None, settings: Settings):
    """Validated detector, parsed shields and the background spectrum shared by all files (exit 2 if bad)."""
    _check_detector(detector)
    try:
        shields = tuple(parse_shields(shielding)) if shielding else None
        return shields, _background(background, settings)
    except RadnucError as exc:
        report_error(str(background) if background else "--shielding", str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None


def enrich_command(
    files: list[Path] = typer.Argument(..., help="Spectrum files of uranium.", show_default=False),
    background: Path = typer.Option(None, "--background", help="Background spectrum file for all inputs."),
    detector: str = typer.Option("auto", "--detector", help=f"Detector kind: {', '.join(detector_kinds())}, auto."),
    shielding: str = typer.Option(None, "--shielding", help="Known absorber, e.g. fe:0.5 (cm) or pb:5g (g/cm2)."),
    distance_m: float = typer.Option(None, "--distance-m", "--distance", min=0.001,
                                     help="Item to detector face (m), if known; else the relative efficiency is "
                                          "averaged over 3 cm - far."),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per file per line."),
) -> None:
    """U-235 enrichment (wt %) with uncertainty and category DU/NU/LEU/HEU."""
    settings = Settings.from_env()
    shields, bg = _common_inputs(detector, shielding, background, settings)
    failed = False
    for path in files:
        started = time.perf_counter()
        try:
            ms = read_file(path, max_bytes=settings.max_file_bytes)
            fg = ms.summed_foreground()
            file_bg = bg if bg is not None else ms.summed_background()
            result = measure_enrichment(fg, file_bg, detector, ms, shields,
                                        distance_cm=None if distance_m is None else 100.0 * distance_m)
        except RadnucError as exc:
            report_error(str(path), str(exc))
            failed = True
            continue
        out = {"file": str(path), **result.to_dict(), "seconds": round(time.perf_counter() - started, 4)}
        if json_output:
            emit_json(out)
        elif result.enrichment_pct is None:
            typer.echo(f"{path.name}: {result.reason} [{result.detector}]")
        else:
            lo, hi = result.details.get("interval_pct", (None, None))
            interval = f" (1σ {lo:.3g}–{hi:.3g})" if lo is not None else ""
            typer.echo(f"{path.name}: {result.enrichment_pct:.3g} ± {result.uncertainty_pct:.2g} wt% U-235{interval}, "
                       f"{result.category} [{result.method}, {result.detector}]")
            for w in result.warnings:
                typer.echo(f"  - {w}")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def characterize_command(
    files: list[Path] = typer.Argument(..., help="Spectrum files.", show_default=False),
    distance_m: float = typer.Option(..., "--distance-m", "--distance", min=0.001,
                                     help="Source to detector face (m)."),
    shielding: str = typer.Option(None, "--shielding", help="Known shielding, e.g. pb:0.5,fe:1 (cm); else estimated."),
    mass_g: float = typer.Option(None, "--mass-g", min=0.0, help="Mass of nuclear material (g), for INFCIRC/225."),
    background: Path = typer.Option(None, "--background", help="Background spectrum file for all inputs."),
    detector: str = typer.Option("auto", "--detector", help=f"Detector kind: {', '.join(detector_kinds())}, auto."),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per file per line."),
    report: Path = typer.Option(None, "--report", help="Write a one-page report (.html or .pdf)."),
    n42_out: Path = typer.Option(None, "--n42-out", help="Write the input with N42.42 AnalysisResults here."),
) -> None:
    """Activities, shielding, dose rate at 1 m, IAEA source and nuclear-material categories, enrichment/grade."""
    settings = Settings.from_env()
    shields, bg = _common_inputs(detector, shielding, background, settings)
    failed = False
    for index, path in enumerate(files):
        started = time.perf_counter()
        try:
            ms = read_file(path, max_bytes=settings.max_file_bytes)
            fg = ms.summed_foreground()
            file_bg = bg if bg is not None else ms.summed_background()
            result = characterize(fg, distance_m, file_bg, detector, ms, shields, mass_g)
            if report is not None:
                target = report if len(files) == 1 else report.with_name(f"{report.stem}-{index + 1}{report.suffix}")
                write_report(result, target, title=path.name, source=str(path))
            if n42_out is not None:
                target = n42_out if len(files) == 1 else n42_out.with_name(f"{n42_out.stem}-{index + 1}.n42")
                write_n42(ms, target, analyses=(result.to_analysis_result(__version__),))
        except RadnucError as exc:
            report_error(str(path), str(exc))
            failed = True
            continue
        if json_output:
            emit_json({"file": str(path), **result.to_dict(), "seconds": round(time.perf_counter() - started, 4)})
        else:
            typer.echo(f"{path.name}:")
            for line in result.summary_lines():
                typer.echo(f"  {line}")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def register(app: typer.Typer) -> None:
    """Attach ``radnuc enrich`` and ``radnuc characterize``."""
    app.command("enrich")(enrich_command)
    app.command("characterize")(characterize_command)
