"""Ingest files (stored unchanged, parsed, queued for analysis) and record analysis outcomes.

Parsing happens outside the write transaction (:func:`parse_upload`), so a large file does not hold the
database lock; :func:`store_measurement` then writes the blob, the measurement, the analysis job and the audit
entry in the caller's transaction.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, load_only

from radnuc.platform import permissions
from radnuc.platform.actor import Actor
from radnuc.platform.audit import service as audit
from radnuc.platform.db import utcnow
from radnuc.platform.errors import BadRequest, PayloadTooLarge
from radnuc.platform.jobs import service as jobs
from radnuc.platform.measurements.models import Blob, Measurement
from radnuc.platform.shares.scope import get_visible, scoped_count, scoped_select
from radnuc.platform.tlp import TLP
from radnuc.spectra import FileTooLargeError, SpectrumError, read_bytes
from radnuc.spectra.summary import describe

RECORD_TYPE = "measurement"
ANALYSE_JOB = "analyse"
SUMMARY_MEASUREMENTS = 32  # measurements listed in the stored summary (a portal file has thousands)
_LABEL = re.compile(r"^[\w .:/#()+-]{1,200}$")


@dataclass(frozen=True)
class ParsedUpload:
    data: bytes
    filename: str
    sha256: str
    format: str | None
    summary: dict


def _clean_label(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    value = value.strip()
    if not _LABEL.match(value):
        raise BadRequest(f"{what} must be 1 to 200 characters among letters, digits, space and . : / # ( ) + - _")
    return value


def _clean_filename(name: str | None) -> str:
    name = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())[:255]
    return name or "upload"


def parse_upload(*, data: bytes, filename: str | None, max_bytes: int) -> ParsedUpload:
    """Hash and parse an uploaded file; BadRequest (422) with the reader's message when it is not a spectrum."""
    name = _clean_filename(filename)
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{name}: file is {len(data)} bytes, above the {max_bytes} byte limit")
    try:
        ms = read_bytes(data, name, max_bytes=max_bytes)
    except FileTooLargeError as exc:
        raise PayloadTooLarge(f"{name}: {exc}") from None
    except SpectrumError as exc:
        raise BadRequest(f"{name}: {exc}") from None
    summary = describe(ms)
    n = len(summary["measurements"])
    if n > SUMMARY_MEASUREMENTS:
        summary["measurements"] = summary["measurements"][:SUMMARY_MEASUREMENTS]
        summary["measurements_truncated"] = n - SUMMARY_MEASUREMENTS
    return ParsedUpload(data=data, filename=name, sha256=hashlib.sha256(data).hexdigest(),
                        format=ms.file_format, summary=audit.jsonable(summary))


def _insert_blob(session: Session, parsed: ParsedUpload) -> None:
    values = {"sha256": parsed.sha256, "size": len(parsed.data), "data": parsed.data, "created_at": utcnow()}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    elif dialect == "sqlite":
        session.execute(sqlite.insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    elif session.get(Blob, parsed.sha256) is None:  # pragma: no cover - other backends
        session.add(Blob(**values))


def store_blob(*, session: Session, data: bytes) -> str:
    """Store bytes once (content-addressed); their SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    _insert_blob(session, ParsedUpload(data=data, filename="", sha256=sha, format=None, summary={}))
    return sha


def find_existing(*, session: Session, agency_id: str, sha256: str) -> Measurement | None:
    return session.execute(
        select(Measurement).where(Measurement.agency_id == agency_id, Measurement.sha256 == sha256)
    ).scalar_one_or_none()


def store_measurement(*, session: Session, actor: Actor, agency_id: str, parsed: ParsedUpload,
                      site: str | None = None, lane: str | None = None, tlp: str = "AMBER",
                      max_attempts: int = 5, instrument: str | None = None) -> tuple[Measurement, bool]:
    """Store a parsed upload for ``agency_id`` and queue its analysis; ``(measurement, created)``.

    The same bytes already ingested by this agency return the existing measurement with ``created`` False.
    """
    permissions.require(actor, "measurement:create")
    site, lane = _clean_label(site, "site"), _clean_label(lane, "lane")
    instrument = _clean_label(instrument, "instrument")
    try:
        tlp = TLP(tlp).value
    except ValueError:
        raise BadRequest(f"tlp must be one of {', '.join(t.value for t in TLP)}") from None
    existing = find_existing(session=session, agency_id=agency_id, sha256=parsed.sha256)
    if existing is not None:
        return existing, False
    from radnuc.platform.sites.service import resolve_labels

    site_id, lane_id, instrument_id = resolve_labels(session=session, actor=actor, agency_id=agency_id, site=site,
                                                     lane=lane, instrument=instrument)
    _insert_blob(session, parsed)
    m = Measurement(agency_id=agency_id, sha256=parsed.sha256, filename=parsed.filename, size=len(parsed.data),
                    format=parsed.format, site=site, lane=lane, site_id=site_id, lane_id=lane_id,
                    instrument_id=instrument_id, tlp=tlp, summary=parsed.summary, status="queued",
                    created_by=actor.user_id, created_at=utcnow())
    session.add(m)
    session.flush()
    jobs.enqueue(session=session, kind=ANALYSE_JOB, key=f"{ANALYSE_JOB}:{m.id}", payload={"measurement_id": m.id},
                 max_attempts=max_attempts)
    audit.record(session=session, actor=actor, action="measurement.create", entity=RECORD_TYPE, entity_id=m.id,
                 after=audit.snapshot(m, exclude=frozenset({"summary"})), agency_id=agency_id)
    return m, True


def get_measurement(*, session: Session, actor: Actor, measurement_id: str) -> tuple[Measurement, str | None]:
    """A measurement the actor's agency may see and the TLP it was shared under, else NotFound."""
    return get_visible(session, Measurement, RECORD_TYPE, actor, measurement_id)


def get_file(*, session: Session, actor: Actor, measurement_id: str) -> tuple[Measurement, bytes]:
    """The original bytes of a visible measurement."""
    m, _ = get_measurement(session=session, actor=actor, measurement_id=measurement_id)
    return m, session.get(Blob, m.sha256).data


def list_measurements(*, session: Session, actor: Actor, limit: int, offset: int
                      ) -> tuple[list[tuple[Measurement, str | None]], int]:
    """Visible measurements, newest first, with their scoped total."""
    total = session.execute(scoped_count(Measurement, RECORD_TYPE, actor)).scalar_one()
    rows = session.execute(
        scoped_select(Measurement, RECORD_TYPE, actor)
        .order_by(Measurement.created_at.desc(), Measurement.id).limit(limit).offset(offset)
    ).all()
    return [(m, tlp) for m, tlp in rows], total


def load_for_analysis(*, session: Session, measurement_id: str) -> tuple[str, bytes] | None:
    """The file name and bytes of a measurement to analyse, or None when it was already analysed (analysis runs
    once) or does not exist. One query, only the columns the worker needs (not the stored summary)."""
    row = session.execute(
        select(Measurement.filename, Blob.data).join(Blob, Blob.sha256 == Measurement.sha256)
        .where(Measurement.id == measurement_id, Measurement.analysed_at.is_(None))
    ).first()
    return None if row is None else (row.filename, row.data)


def analyse_bytes(data: bytes, filename: str, *, cache_dir: str | None = None) -> dict:
    """Read and analyse a stored file (pure computation; no database). ``cache_dir``: identification templates.

    Raises :class:`radnuc.analysis.pipeline.AnalysisInputError` (or a SpectrumError) when the file cannot be
    analysed: the worker records that as a permanent failure."""
    from radnuc.analysis.pipeline import analyse

    return analyse(read_bytes(data, filename, max_bytes=max(len(data), 1)), cache_dir=cache_dir)


def record_analysis(*, session: Session, measurement_id: str, outcome: dict) -> bool:
    """Write the analysis outcome once (False when it was already written); raise an alarm when it says so."""
    from radnuc.platform.alarms import service as alarms

    now = utcnow()
    analysis = audit.jsonable(outcome)
    written = session.execute(
        update(Measurement).where(Measurement.id == measurement_id, Measurement.analysed_at.is_(None))
        .values(analysis=analysis, analysed_at=now, status="analysed")
        .returning(Measurement.agency_id)
        .execution_options(synchronize_session=False)
    ).first()
    if written is None:
        return False
    cached = session.identity_map.get(session.identity_key(Measurement, measurement_id))
    if cached is not None:  # a caller holding the measurement in this session sees the outcome (not the worker)
        session.refresh(cached)
    audit.record(session=session, actor=Actor.system("worker"), action="measurement.analyse", entity=RECORD_TYPE,
                 entity_id=measurement_id, after={"analysis": analysis}, agency_id=written.agency_id)
    if outcome.get("alarm"):
        m = session.get(Measurement, measurement_id, options=[load_only(
            Measurement.agency_id, Measurement.site, Measurement.lane, Measurement.tlp)])
        alarms.create_from_analysis(session=session, measurement=m, outcome=outcome)
    return True


def mark_failed(*, session: Session, measurement_id: str, error: str) -> None:
    """The analysis failed for good: say so on the measurement."""
    session.execute(update(Measurement).where(Measurement.id == measurement_id, Measurement.analysed_at.is_(None))
                    .values(status="failed", analysis={"error": error[:500]})
                    .execution_options(synchronize_session=False))
