"""Platform rows → the shareable records of :mod:`radnuc.sharing` (``Shareable*`` dataclasses).

One function per record type; each reads only what the caller's agency may see (the row was fetched through
the scoped service functions) and fills:

- ``tlp``: the label the caller holds the record under — the owner's label, or the label of the share through
  which the caller's agency sees it (never less restrictive);
- ``owner_agency``: the name of the agency that owns the row (the originator in the sense of TLP 2.0);
- ``recipients``: the names of the agencies the owner shared the row with (``shares``): an agency of kind
  ``partner`` registered under the same name as a partner of partners.yaml is thereby a *named recipient*
  (what TLP:AMBER+STRICT and TLP:RED require).

Values the library would reject (a nuclide label such as ``unknown``, out-of-range numbers) are left out rather
than failing the whole record; what is left out is listed in ``MappedRecord.notes`` and shown by the preview.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radnuc.platform.agencies.models import Agency
from radnuc.platform.errors import Conflict
from radnuc.platform.shares.models import Share
from radnuc.platform.tlp import stricter
from radnuc.sharing.errors import InvalidRecordError
from radnuc.sharing.records import NUCLIDE_PATTERN, Record, record_from_object


@dataclass
class MappedRecord:
    """A shareable record and what the mapping had to leave out (for the preview)."""

    record: Record
    notes: list[str] = field(default_factory=list)


def _agency_name(session: Session, agency_id: str | None, cache: dict[str, str]) -> str:
    if not agency_id:
        return ""
    if agency_id not in cache:
        agency = session.get(Agency, agency_id)
        cache[agency_id] = agency.name if agency is not None else agency_id
    return cache[agency_id]


def _recipients(session: Session, record_type: str, row: Any) -> tuple[str, ...]:
    names = session.execute(
        select(Agency.name).join(Share, Share.agency_id == Agency.id)
        .where(Share.record_type == record_type, Share.record_id == row.id,
               Share.owner_agency_id == row.agency_id).order_by(Agency.name)
    ).scalars()
    return tuple(names)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _nuclide_names(values: Any, notes: list[str]) -> list[str]:
    out = []
    for v in values or []:
        name = v.get("name") if isinstance(v, dict) else v
        if isinstance(name, str) and NUCLIDE_PATTERN.match(name):
            if name not in out:
                out.append(name)
        elif name:
            notes.append(f"nuclide label {str(name)[:40]!r} is not a nuclide name: not shared")
    return out


def _findings(values: Any, notes: list[str]) -> list[dict[str, Any]]:
    out = []
    for v in values or []:
        if not isinstance(v, dict):
            v = {"name": v}
        name = v.get("name")
        if not (isinstance(name, str) and NUCLIDE_PATTERN.match(name)):
            if name:
                notes.append(f"nuclide label {str(name)[:40]!r} is not a nuclide name: not shared")
            continue
        confidence = _finite(v.get("confidence"))
        activity = _finite(v.get("activity_bq"))
        out.append({"name": name, "confidence": confidence, "category": str(v.get("category") or ""),
                    "activity_bq": activity if activity is None or activity >= 0 else None})
    return out


def _timestamp(value: Any) -> str | None:
    """An ISO timestamp the records accept, else None (file metadata is not always clean)."""
    if not isinstance(value, str):
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value


def _position(session: Session, site_id: str | None, lane_id: str | None) -> tuple[float | None, float | None]:
    from radnuc.platform.sites.models import Lane, Site

    for model, key in ((Lane, lane_id), (Site, site_id)):
        if key:
            row = session.get(model, key)
            if row is not None and row.latitude is not None and row.longitude is not None:
                return row.latitude, row.longitude
    return None, None


def _build(record_type: str, row: Any, notes: list[str], **overrides: Any) -> MappedRecord:
    try:
        record = record_from_object(record_type, row, **overrides)
    except InvalidRecordError as exc:
        raise Conflict(f"{record_type} {row.id} cannot be shared as it is: {exc}") from None
    return MappedRecord(record, notes)


def _common(session: Session, record_type: str, row: Any, shared_tlp: str | None,
            names: dict[str, str]) -> dict[str, Any]:
    return {"tlp": stricter(row.tlp, shared_tlp) if shared_tlp else row.tlp,
            "owner_agency": _agency_name(session, row.agency_id, names),
            "recipients": _recipients(session, record_type, row)}


def incident_record(session: Session, row: Any, shared_tlp: str | None,
                    names: dict[str, str] | None = None) -> MappedRecord:
    """A :class:`~radnuc.sharing.records.ShareableIncident` of an ``Incident`` row."""
    names = {} if names is None else names
    notes: list[str] = []
    quantities = [q for q in row.quantities or [] if isinstance(q, dict) and _finite(q.get("amount")) is not None
                  and isinstance(q.get("material"), str) and isinstance(q.get("unit"), str)]
    return _build("incident", row, notes, nuclides=_nuclide_names(row.nuclides, notes), quantities=quantities,
                  **_common(session, "incident", row, shared_tlp, names))


def alarm_record(session: Session, row: Any, shared_tlp: str | None,
                 names: dict[str, str] | None = None) -> MappedRecord:
    """A :class:`~radnuc.sharing.records.ShareableAlarm` of an ``Alarm`` row (with its measurement's hash)."""
    from radnuc.platform.measurements.models import Measurement

    names = {} if names is None else names
    notes: list[str] = []
    m = session.get(Measurement, row.measurement_id)
    lat, lon = _position(session, m.site_id, m.lane_id) if m is not None else (None, None)
    return _build("alarm", row, notes, nuclides=_findings(row.nuclides, notes), raised_at=row.created_at,
                  measurement_sha256=m.sha256 if m is not None else None, latitude=lat, longitude=lon,
                  score=_finite(row.score), **_common(session, "alarm", row, shared_tlp, names))


def measurement_record(session: Session, row: Any, shared_tlp: str | None,
                       names: dict[str, str] | None = None) -> MappedRecord:
    """A :class:`~radnuc.sharing.records.ShareableMeasurement` (file summary and analysis) of a ``Measurement``."""
    from radnuc.platform.alarms.models import Alarm

    names = {} if names is None else names
    notes: list[str] = []
    summary = row.summary or {}
    analysis = row.analysis if isinstance(row.analysis, dict) else {}
    details = analysis.get("details") if isinstance(analysis.get("details"), dict) else {}
    listed = [x for x in summary.get("measurements") or [] if isinstance(x, dict)]
    first = next((x for x in listed if x.get("source_type") == "foreground"), listed[0] if listed else {})
    instrument = summary.get("instrument") if isinstance(summary.get("instrument"), dict) else {}
    model = " ".join(str(instrument.get(k)) for k in ("manufacturer", "model") if instrument.get(k)) or None
    alarm = session.execute(select(Alarm).where(Alarm.measurement_id == row.id)).scalar_one_or_none()
    lat, lon = _position(session, row.site_id, row.lane_id)
    category = analysis.get("category") if isinstance(analysis.get("category"), str) else None
    live = _finite(first.get("live_time_s"))
    start = _timestamp(first.get("start_time"))
    enrichment = _finite(details.get("enrichment_pct"))
    return _build("measurement", row, notes, nuclides=_findings(analysis.get("nuclides"), notes),
                  instrument=model, detector=details.get("detector") if isinstance(details.get("detector"), str)
                  else None, start_time=start, live_time_s=live if live is None or live >= 0 else None,
                  category=category, enrichment_pct=enrichment if enrichment is not None and 0 <= enrichment <= 100
                  else None, latitude=lat, longitude=lon, alarm_id=alarm.id if alarm is not None else None,
                  incident_id=alarm.incident_id if alarm is not None else None,
                  **_common(session, "measurement", row, shared_tlp, names))


def evidence_record(session: Session, row: Any, shared_tlp: str | None,
                    names: dict[str, str] | None = None) -> MappedRecord:
    """A :class:`~radnuc.sharing.records.ShareableEvidence` (item, custody count, photos) of an ``EvidenceItem``."""
    from radnuc.platform.evidence.models import CustodyTransfer, EvidencePhoto
    from radnuc.platform.users.models import User

    names = {} if names is None else names
    notes: list[str] = []
    transfers = session.execute(select(func.count()).select_from(CustodyTransfer)
                                .where(CustodyTransfer.evidence_id == row.id)).scalar_one()
    last = session.execute(select(CustodyTransfer).where(CustodyTransfer.evidence_id == row.id)
                           .order_by(CustodyTransfer.seq.desc()).limit(1)).scalar_one_or_none()
    holder = session.get(User, row.holder_user_id) if row.holder_user_id else None
    photos = session.execute(select(EvidencePhoto).where(EvidencePhoto.evidence_id == row.id)
                             .order_by(EvidencePhoto.created_at)).scalars()
    attachments = [{"name": p.filename, "kind": "photo", "media_type": p.media_type, "sha256": p.sha256,
                    "size": int(p.size)} for p in photos]
    return _build("evidence", row, notes, seized_on=row.created_at.date() if row.created_at else None,
                  custody_transfers=int(transfers), custody_holder=holder.username if holder is not None else None,
                  storage_location=last.place if last is not None else None, attachments=attachments,
                  **_common(session, "evidence", row, shared_tlp, names))


MAPPERS = {"incident": incident_record, "alarm": alarm_record, "measurement": measurement_record,
           "evidence": evidence_record}
