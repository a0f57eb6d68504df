"""Real ``radnuc serve`` / ``radnuc worker`` processes on a temporary database (crash test, demo, benchmarks)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

PASSWORD = "crash test password 1"
RUN_CLI = "import sys; from radnuc.cli import app; sys.argv[0] = 'radnuc'; app()"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    """A database with one agency and officer, and the serve / worker processes running on it."""

    root: Path
    url: str = ""
    env: dict = field(default_factory=dict)
    port: int = 0
    server: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    @classmethod
    def create(cls, root: Path, *, database_url: str | None = None, lease_s: float = 2.0) -> Service:
        from radnuc.platform.actor import Actor
        from radnuc.platform.agencies import service as agencies
        from radnuc.platform.db import Database, transaction
        from radnuc.platform.migrate import upgrade
        from radnuc.platform.users import service as users

        root.mkdir(parents=True, exist_ok=True)
        url = database_url or f"sqlite:///{root / 'radnuc.db'}"
        upgrade(url)
        db = Database(url)
        with transaction(db.sessions) as session:
            system = Actor.system("crash-test")
            agency = agencies.create_agency(session=session, actor=system, name="Crash Customs", kind="customs")
            users.create_user(session=session, actor=system, username="crash_officer", agency_id=agency.id,
                              role="officer", password=PASSWORD)
        db.dispose()
        env = os.environ | {"RADNUC_DATABASE_URL": url, "RADNUC_DATA_DIR": str(root / "data"),
                            "RADNUC_RATE_LIMIT": "0", "RADNUC_JOB_LEASE_S": str(lease_s),
                            "RADNUC_JOB_BACKOFF_S": "0", "RADNUC_CUSTODY_SECRET": "crash test custody secret"}
        return cls(root=root, url=url, env=env, port=free_port())

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, *args: str, log: str) -> subprocess.Popen:
        out = (self.root / log).open("ab")
        return subprocess.Popen([sys.executable, "-c", RUN_CLI, *args], env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start_server(self, timeout_s: float = 60.0) -> None:
        from radnuc.platform.demo_stack import wait_until_serving

        self.server = self._spawn("serve", "--host", "127.0.0.1", "--port", str(self.port), log="serve.log")
        wait_until_serving(self.base_url, self.server, self.root / "serve.log", timeout_s)

    def start_workers(self, n: int = 1, *extra: str) -> None:
        for _ in range(n):
            self.workers.append(self._spawn("worker", "--poll", "0.1", *extra, log="worker.log"))

    def kill9(self) -> None:
        """SIGKILL the server and every worker (no clean-up runs)."""
        for proc in [self.server, *self.workers]:
            if proc is not None and proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        self.server, self.workers = None, []

    def stop(self) -> None:
        """SIGTERM (workers finish their job), then SIGKILL after 20 s."""
        for proc in [self.server, *self.workers]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [self.server, *self.workers]:
            if proc is not None:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.server, self.workers = None, []
