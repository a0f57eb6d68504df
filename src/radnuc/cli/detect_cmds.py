"""``radnuc detect``: portal occupancy alarms (one JSON object per file with --json); ``radnuc detect calibrate``
re-creates a threshold set from simulated empty occupancies."""

from __future__ import annotations

import math
from pathlib import Path

import click
import numpy as np
import typer
from typer.core import TyperGroup

from radnuc.cli.common import EXIT_BAD_INPUT, emit_json, report_error
from radnuc.config import Settings
from radnuc.errors import RadnucError


class _DetectGroup(TyperGroup):
    """``radnuc detect FILE...`` analyses files; ``radnuc detect calibrate ...`` is the one subcommand."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "run", self.commands["run"], args

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


detect_app = typer.Typer(cls=_DetectGroup, no_args_is_help=True,
                         help="Portal monitor alarms: detect FILE... (or: detect calibrate).")


def _one_blas_thread() -> None:
    """One BLAS thread in this process: the engine's products are small (a 512-channel spectrum times its
    window matrix, kernels x windows), and OpenBLAS's thread hand-off costs more than they do (see
    radnuc.platform.jobs.blas; several ``radnuc detect`` processes then share the cores instead of fighting)."""
    from radnuc.platform.jobs.blas import limit_blas_threads

    limit_blas_threads(1)


def _identify_fn():
    try:
        from radnuc.analysis.identify import identify
    except ImportError:
        return None

    def run(foreground, background):
        return identify(foreground, background, detector="auto")

    return run


def _row(name: str, out: dict) -> str:
    fired = ",".join(k for k, v in out["algorithms"].items() if v["fired"]) or "-"
    flag = "ALARM" if out["alarm"] else "clear"
    nucl = ",".join(n["name"] for n in out["nuclides"]) or "-"
    return f"{name:<40} {flag:<6} {out['category']:<10} {out['score']:>8.2f}  {fired:<30} {nucl}"


@detect_app.command("run", hidden=True)
def run(
    files: list[Path] = typer.Argument(..., help="Portal occupancy files (N42 …).", show_default=False),
    json_output: bool = typer.Option(False, "--json", help="One JSON object per file per line."),
    background: Path = typer.Option(None, "--background", help="Lane background file (used when a file has no "
                                    "non-occupied slice)."),
    far: float = typer.Option(0.001, "--far", help="Target false-alarm rate per empty occupancy."),
    detector: str = typer.Option("auto", "--detector", help="Detector kind (auto: from the file)."),
    thresholds: Path = typer.Option(None, "--thresholds", help="Threshold file from 'radnuc detect calibrate'."),
    identify: bool = typer.Option(True, "--identify/--no-identify",
                                  help="Run radnuc identify on alarms when it is available."),
) -> None:
    """Decide alarm / no alarm for each portal occupancy file, with category and the algorithms that fired."""
    _one_blas_thread()
    from radnuc.analysis.detect import detect, load_thresholds, resolve_kind, thresholds_for
    from radnuc.analysis.detect.monitor import LaneMonitor
    from radnuc.spectra import read_file

    if not (0 < far < 1) or not math.isfinite(far):
        report_error("--far", f"false-alarm rate must be in (0, 1), got {far}")
        raise typer.Exit(EXIT_BAD_INPUT)
    settings = Settings.from_env()
    failed = False
    bg_ms = None
    if background is not None:
        try:
            bg_ms = read_file(background, max_bytes=settings.max_file_bytes)
        except RadnucError as exc:
            report_error(str(background), str(exc))
            raise typer.Exit(EXIT_BAD_INPUT) from None
    tset_override = None
    if thresholds is not None:
        try:
            tset_override = load_thresholds(thresholds)
        except RadnucError as exc:
            report_error(str(thresholds), str(exc))
            raise typer.Exit(EXIT_BAD_INPUT) from None
    ident = _identify_fn() if identify else None
    monitors: dict[tuple, LaneMonitor] = {}
    if not json_output:
        typer.echo(f"{'file':<40} {'alarm':<6} {'category':<10} {'score':>8}  {'fired':<30} nuclides")
    for path in files:
        try:
            ms = read_file(path, max_bytes=settings.max_file_bytes)
            kind = resolve_kind(ms, detector)
            tset, warns = (tset_override, []) if tset_override is not None else thresholds_for(ms, kind)
            lane = (ms.instrument.serial_number, ms.instrument.lane_number, kind, tset.n_windows)
            monitor = monitors.setdefault(lane, LaneMonitor(tset, far=far, identify_fn=ident))
            # the lane's first file seeds its running background (and identification's) from the file given
            decision = detect(ms, background=bg_ms if monitor.background is None else None, monitor=monitor)
        except RadnucError as exc:
            report_error(str(path), str(exc))
            failed = True
            continue
        out = {"file": str(path), **decision.to_dict()}
        out["warnings"] = warns + out["warnings"]
        if json_output:
            emit_json(out)
        else:
            typer.echo(_row(path.name, out))
            for w in out["warnings"]:
                typer.echo(f"    warning: {w}")
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


@detect_app.command("calibrate")
def calibrate_cmd(
    output: Path = typer.Option(..., "-o", "--output", help="Threshold JSON file to write."),
    detector: str = typer.Option("nai-2x4x16", "--detector", help="Portal detector kind."),
    n: int = typer.Option(5000, "--n", min=200, help="Number of simulated empty occupancies."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: fresh entropy)."),
) -> None:
    """Calibrate the null laws (thresholds) on simulated empty occupancies and write them as JSON."""
    _one_blas_thread()
    from radnuc.analysis.detect import calibrate

    try:
        tset = calibrate(detector, n, np.random.default_rng(seed), seed=seed)
        tset.save(output)
    except RadnucError as exc:
        report_error(str(output), str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except OSError as exc:
        report_error(str(output), f"cannot write: {exc.strerror or exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    typer.echo(f"wrote {output}: {detector}, {tset.provenance['n_occupancies']} empty occupancies")


def register(app: typer.Typer) -> None:
    """Attach ``radnuc detect`` to ``app``."""
    app.add_typer(detect_app, name="detect")
