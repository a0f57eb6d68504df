"""Alembic migrations build the schema of the models, on SQLite and PostgreSQL; settings and engine pragmas."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from radnuc.config import ConfigError
from radnuc.platform.db import Database, make_engine
from radnuc.platform.migrate import current, upgrade
from radnuc.platform.models import metadata
from radnuc.platform.settings import DEFAULT_DATABASE_URL, PlatformSettings
from tests.platform.conftest import PG_SKIP, postgres_url

HEAD = "0004"  # the newest migration


def _no_diff(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
            head = conn.execute(text("SELECT seq, hash FROM audit_head")).all()
    finally:
        engine.dispose()
    assert diff == []
    assert head == [(0, "0" * 64)]


def test_sqlite_migrations_match_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    assert current(url) == HEAD
    upgrade(url)  # idempotent
    _no_diff(url)


def test_postgres_migrations_match_the_models():
    base = postgres_url()
    if base is None:
        pytest.skip(PG_SKIP)
    name = f"radnuc_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        assert current(url) == HEAD
        _no_diff(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    db.dispose()


def test_settings_from_env():
    s = PlatformSettings.from_env({})
    assert s.database_url == DEFAULT_DATABASE_URL and s.token_ttl_s == 8 * 3600
    s = PlatformSettings.from_env({"RADNUC_DATABASE_URL": "postgresql+psycopg://x/y", "RADNUC_MAX_UPLOAD_MB": "1",
                                   "RADNUC_TOKEN_TTL_MIN": "5"})
    assert s.database_url.startswith("postgresql") and s.max_upload_bytes == 2**20 and s.token_ttl_s == 300
    for bad in ({"RADNUC_MAX_UPLOAD_MB": "lots"}, {"RADNUC_JOB_MAX_ATTEMPTS": "0"}):
        with pytest.raises(ConfigError):
            PlatformSettings.from_env(bad)


def test_importing_the_app_creates_no_database(tmp_path, monkeypatch):
    import importlib

    monkeypatch.chdir(tmp_path)
    import radnuc.platform.app as app_module

    importlib.reload(app_module)
    assert list(tmp_path.iterdir()) == []
