"""Service settings from the environment (``RADNUC_*``), read when :meth:`PlatformSettings.from_env` is called."""

from __future__ import annotations

import os
from dataclasses import dataclass

from radnuc.config import ConfigError

DEFAULT_DATABASE_URL = "sqlite:///./radnuc.db"


@dataclass(frozen=True)
class PlatformSettings:
    """Settings of the service, the workers and the admin commands.

    - ``database_url`` (``RADNUC_DATABASE_URL``): SQLAlchemy URL; default an SQLite file ``./radnuc.db``.
      PostgreSQL: ``postgresql+psycopg://user@host/db``.
    - ``token_ttl_s`` (``RADNUC_TOKEN_TTL_MIN``, minutes, default 480): bearer token lifetime.
    - ``max_upload_bytes`` (``RADNUC_MAX_UPLOAD_MB``, default 64): largest accepted request body.
    - ``rate_limit_per_s`` / ``rate_burst`` (``RADNUC_RATE_LIMIT``, ``RADNUC_RATE_BURST``; default 100 / 200):
      per-client token bucket (client = bearer token, else address); 0 disables.
    - ``job_lease_s`` (``RADNUC_JOB_LEASE_S``, 120), ``job_max_attempts`` (``RADNUC_JOB_MAX_ATTEMPTS``, 5),
      ``job_backoff_s`` (``RADNUC_JOB_BACKOFF_S``, 2): the job queue (lease, retries, exponential backoff base).
    - ``reachback_target_s`` (``RADNUC_REACHBACK_TARGET_MIN``, 30): target answer time of a reachback request.
    - ``data_dir`` (``RADNUC_DATA_DIR``, default ``./radnuc-data``): files of the service outside the database
      (cached identification templates under ``templates/``).
    - ``custody_secret`` (``RADNUC_CUSTODY_SECRET``): server secret from which the key that encrypts users'
      Ed25519 signing keys at rest is derived (HKDF-SHA256). Required to sign custody transfers; keep it out of
      the database and its backups (see docs/platform.md, chain of custody).
    - ``partners_file`` (``RADNUC_PARTNERS_FILE``): the partners.yaml of international exchange (who we are, our
      partners, their trust level and redaction profile; docs/sharing.md). Unset: no partner is configured and
      the ``/api/v1/international`` endpoints say so (409).
    - ``agency_key_file`` (``RADNUC_AGENCY_KEY_FILE``): the agency's Ed25519 private key (PKCS#8 PEM, written by
      ``radnuc share keygen``) that signs exported bundles. Unset: previews work, exports answer 409.
    - ``itdb_contact`` (``RADNUC_ITDB_CONTACT``): the point of contact named in ITDB notifications (default: the
      ``self`` name of the partners file).
    """

    database_url: str = DEFAULT_DATABASE_URL
    token_ttl_s: int = 8 * 3600
    max_upload_bytes: int = 64 * 1024 * 1024
    rate_limit_per_s: float = 100.0
    rate_burst: int = 200
    job_lease_s: float = 120.0
    job_max_attempts: int = 5
    job_backoff_s: float = 2.0
    reachback_target_s: int = 30 * 60
    data_dir: str = "./radnuc-data"
    custody_secret: str | None = None
    partners_file: str | None = None
    agency_key_file: str | None = None
    itdb_contact: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> PlatformSettings:
        """Read ``RADNUC_*`` variables (``environ`` defaults to ``os.environ``); bad values raise ConfigError."""
        env = os.environ if environ is None else environ
        return cls(
            database_url=env.get("RADNUC_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            token_ttl_s=int(_number(env, "RADNUC_TOKEN_TTL_MIN", 480, 1, 60 * 24 * 30) * 60),
            max_upload_bytes=int(_number(env, "RADNUC_MAX_UPLOAD_MB", 64, 0.001, 4096) * 1024 * 1024),
            rate_limit_per_s=_number(env, "RADNUC_RATE_LIMIT", 100, 0, 1e6),
            rate_burst=int(_number(env, "RADNUC_RATE_BURST", 200, 1, 1e6)),
            job_lease_s=_number(env, "RADNUC_JOB_LEASE_S", 120, 1, 86400),
            job_max_attempts=int(_number(env, "RADNUC_JOB_MAX_ATTEMPTS", 5, 1, 100)),
            job_backoff_s=_number(env, "RADNUC_JOB_BACKOFF_S", 2, 0, 3600),
            reachback_target_s=int(_number(env, "RADNUC_REACHBACK_TARGET_MIN", 30, 1, 24 * 60) * 60),
            data_dir=env.get("RADNUC_DATA_DIR", "").strip() or "./radnuc-data",
            custody_secret=_secret(env.get("RADNUC_CUSTODY_SECRET")),
            partners_file=env.get("RADNUC_PARTNERS_FILE", "").strip() or None,
            agency_key_file=env.get("RADNUC_AGENCY_KEY_FILE", "").strip() or None,
            itdb_contact=env.get("RADNUC_ITDB_CONTACT", "").strip()[:200] or None,
        )

    @property
    def template_cache_dir(self) -> str:
        """Where identification templates are cached (computed once per detector kind)."""
        return os.path.join(self.data_dir, "templates")


def _secret(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    if len(raw.strip()) < 16:
        raise ConfigError("RADNUC_CUSTODY_SECRET must be at least 16 characters")
    return raw.strip()


def _number(env, name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:g} and {high:g}, got {raw!r}")
    return value
