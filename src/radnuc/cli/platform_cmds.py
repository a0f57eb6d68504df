"""Commands of the multi-agency service: ``db upgrade``, ``agencies``, ``users``, ``audit verify``, ``ingest``,
``worker``, ``serve``, ``demo``.

The database is ``RADNUC_DATABASE_URL`` (default: the SQLite file ``./radnuc.db``). On SQLite every command
first brings the schema up to date (zero setup); on PostgreSQL run ``radnuc db upgrade`` once.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer

from radnuc.cli.common import EXIT_BAD_INPUT, emit_json, report_error
from radnuc.errors import RadnucError

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
agencies_app = typer.Typer(help="Agencies (admin).", no_args_is_help=True)
users_app = typer.Typer(help="Users (admin).", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def _fail(source: str, message: str) -> typer.Exit:
    report_error(source, message)
    return typer.Exit(EXIT_BAD_INPUT)


def _open(migrate_sqlite: bool = True):
    """Settings and a Database; on SQLite the schema is upgraded first."""
    from sqlalchemy.exc import SQLAlchemyError

    from radnuc.platform.db import Database
    from radnuc.platform.migrate import upgrade
    from radnuc.platform.settings import PlatformSettings

    try:
        settings = PlatformSettings.from_env()
        if migrate_sqlite and settings.database_url.startswith("sqlite"):
            upgrade(settings.database_url)
        return settings, Database(settings.database_url)
    except RadnucError as exc:
        raise _fail("settings", str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        raise _fail("database", _db_message(exc)) from None


def _db_message(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).strip().splitlines()
    message = text[0] if text else type(exc).__name__
    if "no such table" in message or ("relation" in message and "does not exist" in message):
        message += " (run `radnuc db upgrade`)"
    return message


def _run(source: str, func):
    """Run ``func(session)`` in one transaction; platform and database errors become one clean line."""
    from sqlalchemy.exc import SQLAlchemyError

    from radnuc.platform.db import transaction

    settings, db = _open()
    try:
        with transaction(db.sessions) as session:
            return func(settings, session)
    except RadnucError as exc:
        raise _fail(source, str(exc)) from None
    except SQLAlchemyError as exc:
        raise _fail(source, _db_message(exc)) from None
    finally:
        db.dispose()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Create or migrate the schema (Alembic) to the latest revision."""
    from sqlalchemy.exc import SQLAlchemyError

    from radnuc.platform.migrate import current, upgrade
    from radnuc.platform.settings import PlatformSettings

    try:
        settings = PlatformSettings.from_env()
        upgrade(settings.database_url, revision)
        typer.echo(f"database at revision {current(settings.database_url)}")
    except RadnucError as exc:
        raise _fail("settings", str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        raise _fail("database", _db_message(exc)) from None
    except Exception as exc:  # alembic's CommandError (unknown revision …)
        raise _fail("database", str(exc)) from None


@agencies_app.command("add")
def agencies_add(
    name: str = typer.Argument(..., help="Agency name (unique)."),
    kind: str = typer.Option(..., "--kind", help="customs|border|police|regulator|lab|partner"),
    country: str = typer.Option(None, "--country", help="ISO 3166 alpha-2 code, e.g. AT."),
    json_output: bool = typer.Option(False, "--json", help="Print the agency as JSON."),
) -> None:
    """Add an agency."""
    from radnuc.platform.actor import Actor
    from radnuc.platform.agencies import service

    def work(_settings, session):
        return service.create_agency(session=session, actor=Actor.system(_cli_actor()), name=name, kind=kind,
                                     country=country)

    agency = _run(name, work)
    if json_output:
        emit_json({"id": agency.id, "name": agency.name, "kind": agency.kind, "country": agency.country})
    else:
        typer.echo(f"agency {agency.name} ({agency.kind}) id {agency.id}")


@agencies_app.command("list")
def agencies_list(json_output: bool = typer.Option(False, "--json", help="One JSON object per line.")) -> None:
    """List agencies."""
    from radnuc.platform.agencies import service

    rows = _run("agencies", lambda _s, session: service.list_agencies(session=session))
    for a in rows:
        if json_output:
            emit_json({"id": a.id, "name": a.name, "kind": a.kind, "country": a.country})
        else:
            typer.echo(f"{a.id}  {a.kind:<9}  {a.name}")


@users_app.command("add")
def users_add(
    username: str = typer.Argument(..., help="Login name."),
    agency: str = typer.Option(..., "--agency", help="Agency name."),
    role: str = typer.Option(..., "--role", help="officer|expert|investigator|coordinator|admin"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Add a user (the password is read from stdin, never from the command line)."""
    from radnuc.platform.actor import Actor
    from radnuc.platform.agencies import service as agencies
    from radnuc.platform.users import service

    if not password_stdin:
        raise _fail(username, "give the password on stdin with --password-stdin")
    password = sys.stdin.readline().rstrip("\r\n")

    def work(_settings, session):
        owner = agencies.get_by_name(session=session, name=agency)
        return service.create_user(session=session, actor=Actor.system(_cli_actor()), username=username,
                                   agency_id=owner.id, role=role, password=password)

    user = _run(username, work)
    typer.echo(f"user {user.username} ({user.role}, agency {agency}) id {user.id}")


@audit_app.command("verify")
def audit_verify(json_output: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Check the audit chain; exit 2 naming the first edited or deleted entry."""
    from radnuc.platform.audit import service

    result = _run("audit", lambda _s, session: service.verify(session=session))
    if json_output:
        emit_json(result.to_dict())
    if not result.ok:
        raise _fail("audit", f"chain broken at entry {result.first_bad_seq}: {result.reason}")
    if not json_output:
        typer.echo(f"audit log intact: {result.checked} entries")


def ingest(
    files: list[Path] = typer.Argument(..., help="Spectrum files.", show_default=False),
    agency: str = typer.Option(..., "--agency", help="Owning agency (name)."),
    site: str = typer.Option(None, "--site", help="Site name."),
    lane: str = typer.Option(None, "--lane", help="Lane name."),
    instrument: str = typer.Option(None, "--instrument", help="Instrument name (created in the agency if new)."),
    tlp: str = typer.Option("AMBER", "--tlp", help="TLP label: CLEAR|GREEN|AMBER|AMBER+STRICT|RED."),
) -> None:
    """Ingest files directly into the database (same path as the API); analysis is queued for the workers.

    One JSON line per stored file: ``{"file", "id", "sha256", "created"}``; bad files are reported on stderr
    and the good ones are still ingested (exit 2 if any was bad).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from radnuc.platform.actor import Actor
    from radnuc.platform.agencies import service as agencies
    from radnuc.platform.db import transaction
    from radnuc.platform.measurements import service

    settings, db = _open()
    actor = Actor.system(_cli_actor())
    failed = False
    try:
        with transaction(db.read_sessions) as session:
            owner = agencies.get_by_name(session=session, name=agency).id
        for path in files:
            try:
                if not path.is_file():
                    raise RadnucError("no such file")
                data = path.read_bytes()
                parsed = service.parse_upload(data=data, filename=path.name, max_bytes=settings.max_upload_bytes)
                with transaction(db.sessions) as session:
                    m, created = service.store_measurement(session=session, actor=actor, agency_id=owner,
                                                           parsed=parsed, site=site, lane=lane, tlp=tlp,
                                                           max_attempts=settings.job_max_attempts,
                                                           instrument=instrument)
                emit_json({"file": str(path), "id": m.id, "sha256": m.sha256, "created": created})
            except (RadnucError, OSError) as exc:
                message = getattr(exc, "strerror", None) or str(exc)
                report_error(str(path), message.removeprefix(f"{path.name}: "))
                failed = True
    except RadnucError as exc:
        raise _fail(agency, str(exc)) from None
    except SQLAlchemyError as exc:
        raise _fail("database", _db_message(exc)) from None
    finally:
        db.dispose()
    if failed:
        raise typer.Exit(EXIT_BAD_INPUT)


def worker(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when no job is due (else poll forever)."),
    poll: float = typer.Option(0.5, "--poll", min=0.01, help="Seconds between polls when idle."),
    max_jobs: int = typer.Option(None, "--max-jobs", min=1, help="Exit after this many jobs."),
    blas_threads: int = typer.Option(1, "--blas-threads", min=1, max=256,
                                     help="BLAS threads of this process (1: scale with worker processes instead)."),
) -> None:
    """Run a job worker (analysis of ingested files). Start several (one per free core) for more throughput."""
    from radnuc.platform.jobs.worker import run_worker

    _logging()
    settings, db = _open()
    try:
        done = run_worker(db, settings, until_idle=until_idle, poll_s=poll, max_jobs=max_jobs, install_signals=True,
                          blas_threads=blas_threads, warm=True)
    finally:
        db.dispose()
    typer.echo(f"worker processed {done} job(s)", err=True)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="HTTP worker processes."),
) -> None:
    """Run the REST service (uvicorn); start `radnuc worker` processes for the analysis queue."""
    import uvicorn

    from radnuc.platform.jobs.blas import limit_blas_threads

    _logging()
    settings, db = _open()
    db.dispose()
    limit_blas_threads(1)  # request handlers run in threads; HTTP worker processes inherit the limit
    uvicorn.run("radnuc.platform.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="info")


def demo(
    setup: bool = typer.Option(False, "--setup", help="Create demo agencies and users on the configured database "
                                                      "and print their credentials (then exit)."),
    url: str = typer.Option("http://127.0.0.1:8000", "--url", help="Base URL of a running `radnuc serve`."),
    username: str = typer.Option("demo_officer", "--username", help="User that uploads (an officer)."),
    password: str = typer.Option(None, "--password", envvar="RADNUC_DEMO_PASSWORD",
                                 help="Password (or RADNUC_DEMO_PASSWORD)."),
    rate: float = typer.Option(1.0, "--rate", min=0.01, max=1000.0, help="Occupancies per second."),
    count: int = typer.Option(20, "--count", min=1, max=100_000, help="Occupancies to send, then stop."),
    site: str = typer.Option("Demo crossing", "--site", help="Site name."),
    lane: str = typer.Option("1", "--lane", help="Lane name."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: fresh entropy)."),
    serve_all: bool = typer.Option(False, "--serve", help="Run everything here: the service and a worker on the "
                                                          "SQLite database in --dir, and the lane feeding it "
                                                          "(Ctrl-C stops; `make run` does this)."),
    demo_dir: Path = typer.Option(Path("radnuc-demo"), "--dir", help="With --serve: the demo's database, data, "
                                                                     "credentials and logs."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="With --serve: port of the service."),
    duration: float = typer.Option(None, "--duration", min=1.0, help="With --serve: stop after this many seconds "
                                                                     "(default: run until Ctrl-C)."),
) -> None:
    """A simulated portal lane: synthetic occupancies (mostly empty, some NORM, medical, rare threats) posted to
    a running service; one JSON line per occupancy. ``--setup`` creates sample agencies and users instead;
    ``--serve`` starts the service, a worker and the lane together on a demo database."""
    import secrets

    import numpy as np

    from radnuc.platform.demo import DemoClient, run_lane, setup_demo

    if serve_all:
        _demo_serve(demo_dir=demo_dir, port=port, rate=rate, duration=duration, site=site, lane=lane, seed=seed)
        return
    if setup:
        from radnuc.platform.actor import Actor

        created = _run("demo", lambda _s, session: setup_demo(
            session=session, actor=Actor.system(_cli_actor()), password_factory=lambda: secrets.token_urlsafe(12)))
        for row in created:
            emit_json(row)
        if not created:
            typer.echo("demo users already exist (passwords were shown when they were created)", err=True)
        return
    if not password:
        raise _fail("demo", "give --password (or RADNUC_DEMO_PASSWORD); `radnuc demo --setup` prints them")
    client = DemoClient(url)
    try:
        client.login(username, password)
        stats = run_lane(client, np.random.default_rng(seed), count=count, rate_per_s=rate, site=site, lane=lane,
                         report=emit_json)
    except (OSError, RadnucError) as exc:  # connection refused, login failed, timeout
        raise _fail(url, str(getattr(exc, "reason", None) or exc)) from None
    typer.echo(f"demo: sent {stats['sent']} occupancies ({stats['created']} new, {stats['duplicate']} duplicate, "
               f"{stats['rejected']} rejected)", err=True)
    if stats["rejected"]:
        raise typer.Exit(EXIT_BAD_INPUT)


def _demo_serve(*, demo_dir: Path, port: int, rate: float, duration: float | None, site: str, lane: str,
                seed: int | None) -> None:
    """``radnuc demo --serve``: prepare the demo database, start serve + worker, feed the lane, stop cleanly."""
    import numpy as np
    from sqlalchemy.exc import SQLAlchemyError

    from radnuc.platform.demo import DemoClient, run_lane
    from radnuc.platform.demo_stack import DemoPaths, DemoStack, prepare_demo

    paths = DemoPaths(demo_dir)
    try:
        env, credentials = prepare_demo(paths)
    except RadnucError as exc:
        raise _fail("demo", str(exc)) from None
    except (SQLAlchemyError, OSError) as exc:
        raise _fail("demo", _db_message(exc)) from None
    stack = DemoStack(paths=paths, env=env, port=port)
    try:
        stack.start()
    except RadnucError as exc:
        raise _fail("demo", str(exc)) from None
    officer = next(c for c in credentials if c["role"] == "officer")
    from radnuc.platform.app import API

    print(f"radnuc demo: console {stack.url}/  (API {stack.url}{API}/docs); database {paths.database_url}",
          flush=True)
    print("demo users (agency, role, user name, password):", flush=True)
    for c in credentials:
        print(f"  {c['agency']:<16} {c['role']:<13} {c['username']:<18} {c['password']}", flush=True)
    print(f"a simulated lane posts {rate:g} occupancies/s to site {site!r}, lane {lane!r}; alarms appear on the "
          f"dashboard within a minute. Ctrl-C stops. Logs: {paths.root}/serve.log, worker.log", flush=True)
    count = int(rate * duration) if duration else 10_000_000
    client = DemoClient(stack.url)
    try:
        client.login(officer["username"], officer["password"])
        stats = run_lane(client, np.random.default_rng(seed), count=max(count, 1), rate_per_s=rate, site=site,
                         lane=lane, report=lambda row: print(
                             f"  occupancy {row['n']:>5}: {row['scenario']:<28} -> HTTP {row['status']}",
                             flush=True))
        typer.echo(f"demo: sent {stats['sent']} occupancies", err=True)
    except KeyboardInterrupt:
        typer.echo("demo: stopping", err=True)
    except (OSError, RadnucError) as exc:
        raise _fail(stack.url, str(getattr(exc, "reason", None) or exc)) from None
    finally:
        stack.stop()


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def register(app: typer.Typer) -> None:
    """Attach the service commands to ``app``."""
    app.add_typer(db_app, name="db")
    app.add_typer(agencies_app, name="agencies")
    app.add_typer(users_app, name="users")
    app.add_typer(audit_app, name="audit")
    app.command("ingest")(ingest)
    app.command("worker")(worker)
    app.command("serve")(serve)
    app.command("demo")(demo)
