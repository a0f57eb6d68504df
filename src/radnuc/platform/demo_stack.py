"""The whole demonstration on one machine: service, analysis worker and a simulated portal lane (``make run``).

:func:`prepare_demo` brings an SQLite database in a demo folder (default ``./radnuc-demo``) up to date, creates the
demo agencies and users and keeps their generated passwords in ``credentials.json`` beside the database (file mode
0600, a demo convenience: the database itself stores only argon2 hashes). :class:`DemoStack` then starts
``radnuc serve`` and ``radnuc worker`` as child processes on that database, waits for the service to answer, and
feeds it occupancies from :func:`radnuc.platform.demo.run_lane` until stopped. Nothing here runs at import.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from radnuc.errors import RadnucError

#: Runs the ``radnuc`` command line in a child process with the same interpreter (no PATH lookup).
_RUN_CLI = "import sys; from radnuc.cli import app; sys.argv[0] = 'radnuc'; app()"


class DemoError(RadnucError):
    """The demonstration could not be prepared or started (message says why)."""


@dataclass(frozen=True)
class DemoPaths:
    """Where the demo keeps its state: ``root/radnuc.db``, ``root/data``, ``root/credentials.json``,
    ``root/custody.secret`` and the child processes' logs."""

    root: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{(self.root / 'radnuc.db').resolve()}"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def credentials(self) -> Path:
        return self.root / "credentials.json"

    @property
    def custody_secret(self) -> Path:
        return self.root / "custody.secret"


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` atomically to ``path`` with mode 0600."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _read_credentials(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DemoError(f"{path}: unreadable credentials file ({exc}); delete the demo folder to start afresh") \
            from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "username" in r for r in rows):
        raise DemoError(f"{path}: not a demo credentials file; delete the demo folder to start afresh")
    return rows


def prepare_demo(paths: DemoPaths, *, password_factory: Callable[[], str] = lambda: secrets.token_urlsafe(12),
                 secret_factory: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> tuple[dict, list[dict]]:
    """Create or update the demo database; returns (environment for the child processes, credentials).

    Idempotent: a second call finds the users and returns the credentials saved by the first one.
    """
    from radnuc.platform.actor import Actor
    from radnuc.platform.db import Database, transaction
    from radnuc.platform.demo import DEMO_USERS, setup_demo
    from radnuc.platform.migrate import upgrade

    paths.root.mkdir(parents=True, exist_ok=True)
    paths.data_dir.mkdir(exist_ok=True)
    if not paths.custody_secret.is_file():
        _write_private(paths.custody_secret, secret_factory())
    secret = paths.custody_secret.read_text(encoding="utf-8").strip()
    upgrade(paths.database_url)
    db = Database(paths.database_url)
    try:
        with transaction(db.sessions) as session:
            created = setup_demo(session=session, actor=Actor.system("demo"), password_factory=password_factory)
    finally:
        db.dispose()
    known = {row["username"]: row for row in _read_credentials(paths.credentials)}
    known.update({row["username"]: row for row in created})
    if created:
        _write_private(paths.credentials, json.dumps(list(known.values()), indent=1))
    missing = [name for name, _agency, _role in DEMO_USERS if name not in known]
    if missing:
        raise DemoError(f"{paths.root}: the demo users {', '.join(missing)} exist but their passwords were not saved "
                        "here; delete the demo folder to start afresh")
    env = {"RADNUC_DATABASE_URL": paths.database_url, "RADNUC_DATA_DIR": str(paths.data_dir.resolve()),
           "RADNUC_CUSTODY_SECRET": secret}
    return env, [known[name] for name, _agency, _role in DEMO_USERS]


def wait_until_serving(url: str, server: subprocess.Popen, log: Path, timeout_s: float = 60.0) -> None:
    """Return when ``url``/api/v1/health answers 200; DemoError (with the log's tail) if ``server`` exits or
    ``timeout_s`` passes first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log.read_text(errors="replace")[-600:] if log.is_file() else ""
            raise DemoError(f"radnuc serve exited: {tail.strip()}")
        try:
            with urllib.request.urlopen(url + "/api/v1/health", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise DemoError(f"radnuc serve did not answer on {url} within {timeout_s:g} s")


@dataclass
class DemoStack:
    """``radnuc serve`` and ``radnuc worker`` child processes on the demo database."""

    paths: DemoPaths
    env: dict
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _spawn(self, *args: str, log: str) -> subprocess.Popen:
        with (self.paths.root / log).open("ab") as out:
            return subprocess.Popen([sys.executable, "-c", _RUN_CLI, *args], env=os.environ | self.env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, timeout_s: float = 60.0) -> None:
        """Start the service and the workers; return when ``/api/v1/health`` answers (DemoError otherwise)."""
        server = self._spawn("serve", "--host", self.host, "--port", str(self.port), log="serve.log")
        self.processes.append(server)
        for _ in range(self.workers):
            self.processes.append(self._spawn("worker", "--poll", "0.2", log="worker.log"))
        try:
            wait_until_serving(self.url, server, self.paths.root / "serve.log", timeout_s)
        except DemoError as exc:
            self.stop()
            raise DemoError(f"{exc} (is port {self.port} in use? try --port)") from None

    def stop(self, timeout_s: float = 20.0) -> None:
        """SIGTERM every child (workers finish their current job), SIGKILL after ``timeout_s``."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.processes = []
