"""Fixtures of the console tests: a temporary SQLite database seeded through the platform's service functions.

Agencies: customs (owns the alarms), police, regulator (the reachback experts). The customs officer's portal
lane raised an industrial alarm (the real ORTEC pass-through, a Co-60 spectrum, tests/data/portal) and a
handheld Co-60/Cs-137 alarm; a NORM alarm (Th-232) was already released.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from radnuc.platform.actor import Actor
from radnuc.platform.agencies import service as agencies
from radnuc.platform.alarms import service as alarms
from radnuc.platform.app import create_app
from radnuc.platform.db import Database, transaction
from radnuc.platform.measurements import service as measurements
from radnuc.platform.models import create_all
from radnuc.platform.settings import PlatformSettings
from radnuc.platform.users import service as users

DATA = Path(__file__).resolve().parents[1] / "data"
PASSWORD = "correct horse battery staple"
CUSTODY_SECRET = "web-test-custody-secret-0123456789"
USERS = {  # username: (agency key, role)
    "customs_officer": ("customs", "officer"), "customs_coordinator": ("customs", "coordinator"),
    "police_investigator": ("police", "investigator"), "regulator_expert": ("regulator", "expert"),
}


@dataclass
class Seeded:
    db: Database
    agency: dict[str, str] = field(default_factory=dict)
    actor: dict[str, Actor] = field(default_factory=dict)
    alarm: dict[str, str] = field(default_factory=dict)       # "portal", "handheld", "norm" -> alarm id
    measurement: dict[str, str] = field(default_factory=dict)
    settings: PlatformSettings | None = None  # of the browser tests' server


@lru_cache(maxsize=8)
def _parsed(path: Path) -> measurements.ParsedUpload:
    """Parsing the 3 MB portal file takes seconds: once per test session."""
    return measurements.parse_upload(data=path.read_bytes(), filename=path.name, max_bytes=64 * 1024 * 1024)


def _ingest(session, actor: Actor, agency_id: str, path: Path, *, site: str, lane: str, outcome: dict) -> tuple:
    parsed = _parsed(path)
    m, _ = measurements.store_measurement(session=session, actor=actor, agency_id=agency_id, parsed=parsed,
                                          site=site, lane=lane, tlp="AMBER")
    measurements.record_analysis(session=session, measurement_id=m.id, outcome=outcome)
    session.flush()
    alarm, _ = alarms.list_alarms(session=session, actor=Actor.system(), limit=1000, offset=0)
    return m, next(a for a, _ in alarm if a.measurement_id == m.id)


def seed(db: Database) -> Seeded:
    """Agencies, users and three alarms, written through the platform's service functions."""
    create_all(db.engine)
    s = Seeded(db=db)
    system = Actor.system("test")
    with transaction(db.sessions) as session:
        for key, kind in (("customs", "customs"), ("police", "police"), ("regulator", "regulator")):
            s.agency[key] = agencies.create_agency(session=session, actor=system, name=f"{key.title()} VN",
                                                   kind=kind, country="VN").id
        for name, (agency, role) in USERS.items():
            user = users.create_user(session=session, actor=system, username=name, agency_id=s.agency[agency],
                                     role=role, password=PASSWORD)
            s.actor[name] = users.actor_for(user)
        officer = s.actor["customs_officer"]
        co = [{"name": "Co-60", "confidence": 0.94, "category": "industrial"}]
        m, a = _ingest(session, officer, s.agency["customs"], DATA / "portal" / "passthrough.n42", site="Huu Nghi",
                       lane="3", outcome={"alarm": True, "category": "industrial", "score": 41.7, "nuclides": co,
                                          "method": "gross-count"})
        s.measurement["portal"], s.alarm["portal"] = m.id, a.id
        cs = [{"name": "Cs-137", "confidence": 0.91, "category": "industrial"},
              {"name": "Co-60", "confidence": 0.88, "category": "industrial"}]
        m, a = _ingest(session, officer, s.agency["customs"], DATA / "radiacode" / "Co60_Cs137_Co60_a+Cs137_b.xml",
                       site="Huu Nghi", lane="1", outcome={"alarm": True, "category": "industrial", "score": 12.3,
                                                           "nuclides": cs, "method": "gross-count"})
        s.measurement["handheld"], s.alarm["handheld"] = m.id, a.id
        th = [{"name": "Th-232", "confidence": 0.83, "category": "NORM"}]
        m, a = _ingest(session, officer, s.agency["customs"], DATA / "radiacode" / "data_th232_plus_background.xml",
                       site="Lao Cai", lane="2", outcome={"alarm": True, "category": "NORM", "score": 6.1,
                                                          "nuclides": th, "method": "gross-count"})
        s.measurement["norm"], s.alarm["norm"] = m.id, a.id
        alarms.release(session=session, actor=officer, alarm_id=a.id, note="ceramic tiles, manifest consistent")
    return s


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    """Cheap argon2 parameters in tests (the platform's tests check the real cost)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: cheap)


@pytest.fixture
def seeded(tmp_path) -> Seeded:
    db = Database(f"sqlite:///{tmp_path / 'radnuc.db'}")
    yield seed(db)
    db.dispose()


def exchange_files(directory: Path) -> tuple[str, str]:
    """A partners.yaml (we are "Customs VN"; IAEA-ITDB up to AMBER with the itdb profile, NEIGHBOUR up to GREEN)
    and the agency's signing key, written into ``directory``: ``(partners_file, key_file)``."""
    from radnuc.sharing.signing import generate_key, load_key, public_b64, write_key

    key_file = directory / "agency.key"
    if key_file.exists():
        key = load_key(key_file)
    else:
        key = generate_key()
        write_key(key, key_file)
    config = {"self": {"name": "Customs VN", "country": "VN", "public_key": public_b64(key)},
              "partners": [{"name": "IAEA-ITDB", "country": "AT", "kind": "iaea_itdb", "max_tlp": "AMBER",
                            "community": True, "redaction": "itdb"},
                           {"name": "NEIGHBOUR", "country": "LA", "kind": "neighbour_state", "max_tlp": "GREEN",
                            "community": True, "redaction": "strict"}]}
    partners = directory / "partners.yaml"
    partners.write_text(yaml.safe_dump(config), encoding="utf-8")
    return str(partners), str(key_file)


def web_settings_for(directory: Path) -> PlatformSettings:
    """Settings of the console tests: exchange configured, templates cached under ``directory``."""
    partners, key = exchange_files(directory)
    return PlatformSettings(database_url="unused", rate_limit_per_s=0, job_backoff_s=0, custody_secret=CUSTODY_SECRET,
                            partners_file=partners, agency_key_file=key, data_dir=str(directory / "data"))


@pytest.fixture(scope="session")
def web_dir(tmp_path_factory) -> Path:
    """One directory per session: identification templates are computed once and cached there."""
    return tmp_path_factory.mktemp("web-settings")


@pytest.fixture
def web_settings(web_dir) -> PlatformSettings:
    return web_settings_for(web_dir)


@pytest.fixture
def client(seeded, web_settings) -> TestClient:
    app = create_app(web_settings, database=seeded.db)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
