"""International information sharing for the service: partners, preview, signed export, import, ITDB notification.

The rules live in :mod:`radnuc.sharing` (TLP 2.0 decisions, redaction, STIX 2.1, signatures); this module maps
platform rows to its records (:mod:`.mapping`), enforces who may do what, and writes the audit log the library
deliberately leaves to its caller (docs/sharing.md, "Audit hook"):

- ``share.exported`` — one entry per record that left (entity = the record; after = the decision, partner, bundle
  id, STIX id, content SHA-256 of what left, redaction profile);
- ``share.refused`` — one entry per record the TLP rules refused (after = ``Decision.as_dict()``);
- ``share.withheld`` — an allowed record that did not leave because the export was refused as a whole;
- ``share.itdb`` — an ITDB notification produced for a partner (and ``share.refused`` when it may not go);
- ``share.exported`` with ``document: "n42"`` — a measurement exported as N42.42 with a detached signature
  (after adds the SHA-256 and size of the N42 file; ``share.refused`` when it may not go);
- ``share.imported`` / ``share.import_rejected`` — a received bundle, and one that failed verification.

Who: any user previews what their agency may see; exports, ITDB notifications and imports are for coordinators
and admins (``EXCHANGE_ROLES``: the ``share:international`` entry of :mod:`radnuc.platform.permissions`). The
sender in the TLP sense is the caller's agency (only the owner agency widens the audience of AMBER and above); the
bundle is signed with the national key (``RADNUC_AGENCY_KEY_FILE``) as the ``self`` of partners.yaml. Service
functions never commit: the views do, refusals included.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from radnuc.errors import RadnucError
from radnuc.platform import permissions
from radnuc.platform.actor import Actor
from radnuc.platform.agencies.models import Agency
from radnuc.platform.audit import service as audit
from radnuc.platform.audit.models import AuditEntry
from radnuc.platform.errors import BadRequest, Conflict, Forbidden, NotFound
from radnuc.platform.partner_exchange.mapping import MAPPERS, MappedRecord, incident_record
from radnuc.platform.settings import PlatformSettings
from radnuc.platform.shares.scope import get_visible, scoped_select
from radnuc.sharing import itdb
from radnuc.sharing.errors import KeyFileError, PartnerConfigError, SharingError
from radnuc.sharing.partners import Partner, PartnerConfig, load_partners
from radnuc.sharing.records import ShareableIncident
from radnuc.sharing.redaction import redact
from radnuc.sharing.signing import load_key, sign_bundle, sign_file
from radnuc.sharing.stix import build_bundle, content_sha256, record_stix_id
from radnuc.sharing.tlp import Decision, may_share

log = logging.getLogger(__name__)

RECORD_TYPES = ("incident", "alarm", "measurement", "evidence")
#: the permission (:mod:`radnuc.platform.permissions`) to send records abroad, produce ITDB notifications and
#: import partners' bundles
EXCHANGE_ACTION = "share:international"
#: roles that hold it (coordinator, admin); an alias kept for callers that test membership (the web console)
EXCHANGE_ROLES = permissions.PERMISSIONS[EXCHANGE_ACTION]
#: related records of an incident shared with it (``include_related``), at most this many
MAX_RELATED = 200
#: earlier imports consulted to tell duplicates and updates apart
MAX_KNOWN_IMPORTS = 2000
FORMATS = ("json", "html", "pdf")


def file_name(*parts: str) -> str:
    """A download file name made of ``parts`` (anything but letters, digits, ``.``, ``_``, ``-`` becomes ``_``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "_".join(p for p in parts if p))[:120]


def require_exchange(actor: Actor) -> None:
    """Forbidden unless the actor's role may exchange with international partners (coordinator, admin)."""
    if actor.is_system or actor.role in EXCHANGE_ROLES:
        return
    raise Forbidden(f"role {actor.role} may not send or receive international exchanges "
                    f"(coordinators and admins do)")


# --- configuration ---------------------------------------------------------------------------------------------
_CONFIG_CACHE: dict[tuple, PartnerConfig] = {}


def load_config(settings: PlatformSettings) -> PartnerConfig | None:
    """The partners file of ``settings`` (None when not configured); Conflict (409) when it is unusable."""
    path = settings.partners_file
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError as exc:
        raise Conflict(f"partner configuration RADNUC_PARTNERS_FILE={path} cannot be read: "
                       f"{exc.strerror or exc}") from None
    key = (path, st.st_mtime_ns, st.st_size)
    config = _CONFIG_CACHE.get(key)
    if config is None:
        try:
            config = load_partners(path)
        except PartnerConfigError as exc:
            raise Conflict(f"partner configuration is invalid: {exc}") from None
        _CONFIG_CACHE.clear()
        _CONFIG_CACHE[key] = config
    return config


def require_config(settings: PlatformSettings) -> PartnerConfig:
    config = load_config(settings)
    if config is None:
        raise Conflict("international exchange is not configured: set RADNUC_PARTNERS_FILE to a partners.yaml "
                       "(see docs/sharing.md)")
    return config


def get_partner(config: PartnerConfig, name: str) -> Partner:
    for partner in config.partners:
        if partner.name == name:
            return partner
    raise NotFound(f"no partner named {name!r} is configured")


def load_signing_key(settings: PlatformSettings):
    """The agency's Ed25519 key, or Conflict (409) saying what to configure."""
    if not settings.agency_key_file:
        raise Conflict("no agency signing key is configured: set RADNUC_AGENCY_KEY_FILE to the key written by "
                       "'radnuc share keygen'")
    try:
        return load_key(settings.agency_key_file)
    except KeyFileError as exc:
        raise Conflict(f"the agency signing key cannot be used: {exc}") from None


def key_configured(settings: PlatformSettings) -> bool:
    return bool(settings.agency_key_file) and Path(settings.agency_key_file).is_file()


def partners_overview(*, settings: PlatformSettings) -> dict[str, Any]:
    """Who we are and the configured partners (nothing secret: public-key presence only)."""
    config = load_config(settings)
    if config is None:
        return {"configured": False, "self_name": None, "self_country": None, "signing_key": False, "partners": []}
    return {"configured": True, "self_name": config.self_name, "self_country": config.self_country or None,
            "signing_key": key_configured(settings),
            "partners": [{"name": p.name, "country": p.country or None, "kind": p.kind, "max_tlp": str(p.max_tlp),
                          "community": p.community, "client_of": p.client_of, "profile": p.profile.name,
                          "public_key": p.public_key is not None, "max_bundle_bytes": p.max_bundle_bytes}
                         for p in config.partners]}


# --- records of the caller ------------------------------------------------------------------------------------
@dataclass
class Row:
    """A platform row visible to the caller, its record type and the label of the share it is seen through."""

    record_type: str
    row: Any
    shared_tlp: str | None


def _model(record_type: str) -> Any:
    from radnuc.platform.shares.service import record_models

    if record_type not in RECORD_TYPES:
        raise BadRequest(f"record_type must be one of {', '.join(RECORD_TYPES)}, got {record_type!r}")
    return record_models()[record_type]


def visible_rows(session: Session, actor: Actor, record_type: str, record_id: str, *,
                 include_related: bool = False) -> list[Row]:
    """The record (NotFound when the caller's agency may not see it) and, for an incident with
    ``include_related``, the alarms, measurements and evidence of that incident the agency may see."""
    row, shared = get_visible(session, _model(record_type), record_type, actor, record_id)
    rows = [Row(record_type, row, shared)]
    if not include_related or record_type != "incident":
        return rows
    from radnuc.platform.alarms.models import Alarm
    from radnuc.platform.evidence.models import EvidenceItem
    from radnuc.platform.measurements.models import Measurement

    alarm_ids = set()
    stmt = scoped_select(Alarm, "alarm", actor).where(
        (Alarm.incident_id == row.id) | (Alarm.id == (row.alarm_id or "")))
    for alarm, tlp in session.execute(stmt.order_by(Alarm.created_at).limit(MAX_RELATED)).all():
        if alarm.id in alarm_ids:
            continue
        alarm_ids.add(alarm.id)
        rows.append(Row("alarm", alarm, tlp if alarm.agency_id != actor.agency_id else None))
        for mid in (alarm.measurement_id, alarm.secondary_measurement_id):
            if not mid:
                continue
            found = session.execute(scoped_select(Measurement, "measurement", actor)
                                    .where(Measurement.id == mid)).first()
            if found is not None:
                m, mtlp = found
                rows.append(Row("measurement", m, mtlp if m.agency_id != actor.agency_id else None))
    stmt = scoped_select(EvidenceItem, "evidence", actor).where(EvidenceItem.incident_id == row.id)
    for item, tlp in session.execute(stmt.order_by(EvidenceItem.created_at).limit(MAX_RELATED)).all():
        rows.append(Row("evidence", item, tlp if item.agency_id != actor.agency_id else None))
    return rows


def map_rows(session: Session, rows: list[Row]) -> list[MappedRecord]:
    names: dict[str, str] = {}
    return [MAPPERS[r.record_type](session, r.row, r.shared_tlp, names) for r in rows]


def _sender(session: Session, actor: Actor, config: PartnerConfig) -> str:
    """The sender in the TLP sense: the caller's agency (the system actor speaks for ``self``)."""
    if actor.is_system or not actor.agency_id:
        return config.self_name
    agency = session.get(Agency, actor.agency_id)
    return agency.name if agency is not None else config.self_name


# --- preview -----------------------------------------------------------------------------------------------------
@dataclass
class Preview:
    partner: Partner
    sender: str
    signer: str
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return all(i["decision"]["allowed"] for i in self.items)

    def as_dict(self) -> dict[str, Any]:
        return {"partner": self.partner.name, "profile": self.partner.profile.name, "sender": self.sender,
                "signer": self.signer, "allowed": self.allowed,
                "allowed_count": sum(1 for i in self.items if i["decision"]["allowed"]),
                "refused_count": sum(1 for i in self.items if not i["decision"]["allowed"]),
                "items": self.items}


def _preview(session: Session, actor: Actor, config: PartnerConfig, partner: Partner, rows: list[Row]
             ) -> tuple[Preview, list[MappedRecord], list[Decision]]:
    sender = _sender(session, actor, config)
    mapped = map_rows(session, rows)
    out = Preview(partner, sender, config.self_name)
    decisions = []
    for m in mapped:
        decision = may_share(m.record, partner, sender=sender)
        decisions.append(decision)
        item: dict[str, Any] = {"decision": decision.as_dict(), "record": None, "redactions": [],
                                "omitted": list(m.notes)}
        if decision.allowed:
            item["record"], item["redactions"] = redact(m.record, partner.profile)
        out.items.append(item)
    return out, mapped, decisions


def preview(*, session: Session, actor: Actor, settings: PlatformSettings, record_type: str, record_id: str,
            partner: str, include_related: bool = False) -> Preview:
    """What would leave for ``partner``: per record the TLP decision and exactly the redacted record (no audit:
    nothing leaves)."""
    config = require_config(settings)
    target = get_partner(config, partner)
    rows = visible_rows(session, actor, record_type, record_id, include_related=include_related)
    result, _, _ = _preview(session, actor, config, target, rows)
    return result


# --- export ------------------------------------------------------------------------------------------------------
@dataclass
class ExportOutcome:
    """``envelope`` is the signed bundle, None when the export was refused (``message`` says why)."""

    preview: Preview
    envelope: dict[str, Any] | None
    bundle_id: str | None
    message: str = ""
    shared: list[dict[str, Any]] = field(default_factory=list)


def _audit_decisions(session: Session, actor: Actor, rows: list[Row], decisions: list[Decision], *,
                     sent: set[int], extra: dict[str, Any], refused_export: bool) -> None:
    for index, (row, decision) in enumerate(zip(rows, decisions, strict=True)):
        after = {**decision.as_dict(), **extra}
        if not decision.allowed:
            action = "share.refused"
        elif index in sent:
            action = "share.exported"
        else:
            action = "share.withheld"
            after["reason_withheld"] = ("the export was refused as a whole because other records may not go"
                                        if refused_export else "not sent")
        audit.record(session=session, actor=actor, action=action, entity=row.record_type, entity_id=row.row.id,
                     after=after, agency_id=row.row.agency_id)


def export(*, session: Session, actor: Actor, settings: PlatformSettings, record_type: str, record_id: str,
           partner: str, include_related: bool = False, skip_refused: bool = False,
           now: datetime | None = None) -> ExportOutcome:
    """Decide, redact, build the STIX 2.1 bundle and sign it; audit every decision (the caller commits, refusals
    included). A refused record refuses the whole export unless ``skip_refused``."""
    require_exchange(actor)
    config = require_config(settings)
    target = get_partner(config, partner)
    rows = visible_rows(session, actor, record_type, record_id, include_related=include_related)
    result, _, decisions = _preview(session, actor, config, target, rows)
    key = load_signing_key(settings)
    base = {"partner": target.name, "profile": target.profile.name, "signer": config.self_name}
    refused = [d for d in decisions if not d.allowed]
    if (refused and not skip_refused) or len(refused) == len(decisions):
        message = "; ".join(f"{d.record_type} {d.record_id}: {d.reason}" for d in refused)
        if len(refused) == len(decisions) and skip_refused:
            message = "nothing may be shared with this partner: " + message
        _audit_decisions(session, actor, rows, decisions, sent=set(), extra=base, refused_export=True)
        return ExportOutcome(result, None, None, message)
    sent = {i for i, d in enumerate(decisions) if d.allowed}
    shared = [result.items[i]["record"] for i in sorted(sent)]
    now = now or datetime.now(UTC)
    coarsen_m = target.profile.coarsen_deg * 111_000 / 2 if target.profile.coarsen_deg else None
    try:
        bundle = build_bundle(shared, sender=config.self_name, now=now, coarsen_m=coarsen_m)
    except SharingError as exc:
        raise Conflict(f"the bundle cannot be built: {exc}") from None
    envelope = sign_bundle(bundle, key, config.self_name, signed_at=now)
    for index in sorted(sent):
        record = result.items[index]["record"]
        extra = {**base, "bundle_id": bundle["id"], "stix_id": record_stix_id(record, config.self_name),
                 "content_sha256": content_sha256(record), "redactions": result.items[index]["redactions"]}
        _audit_decisions(session, actor, [rows[index]], [decisions[index]], sent={0}, extra=extra,
                         refused_export=False)
    others = [i for i in range(len(rows)) if i not in sent]
    _audit_decisions(session, actor, [rows[i] for i in others], [decisions[i] for i in others], sent=set(),
                     extra={**base, "bundle_id": bundle["id"]}, refused_export=False)
    return ExportOutcome(result, envelope, bundle["id"], shared=shared)


# --- N42.42 export of a measurement ---------------------------------------------------------------------------------
@dataclass
class N42Outcome:
    """``data`` is the N42.42 file and ``signature`` its detached signature (a signed envelope, as
    :func:`radnuc.sharing.signing.sign_file` makes it); both None when refused (``message`` says why)."""

    preview: Preview
    data: bytes | None
    signature: dict[str, Any] | None
    filename: str
    message: str = ""


def export_n42(*, session: Session, actor: Actor, settings: PlatformSettings, measurement_id: str, partner: str,
               now: datetime | None = None) -> N42Outcome:
    """A stored measurement as N42.42-2012 with its shared analysis, redacted for ``partner`` and signed (detached).

    The same TLP decision as :func:`export` (sender = the caller's agency); the analysis results written into the
    file come from the redacted measurement record, and the spectrum file is redacted with the partner's profile
    (:func:`radnuc.sharing.n42.measurement_to_n42`, as ``radnuc share n42``). The signature is the one ``radnuc
    share verify`` checks. A refusal is audited (``share.refused``) and returned; success writes
    ``share.exported`` (``document: "n42"``). The caller commits in both cases."""
    from radnuc.platform.measurements.models import Blob
    from radnuc.sharing.n42 import measurement_to_n42
    from radnuc.spectra import read_bytes

    require_exchange(actor)
    config = require_config(settings)
    target = get_partner(config, partner)
    rows = visible_rows(session, actor, "measurement", measurement_id)
    result, _, decisions = _preview(session, actor, config, target, rows)
    row, decision, item = rows[0].row, decisions[0], result.items[0]
    name = file_name("radnuc", "measurement", row.id[:8], target.name) + ".n42"
    base = {"partner": target.name, "profile": target.profile.name, "signer": config.self_name, "document": "n42"}
    if not decision.allowed:
        _audit_decisions(session, actor, rows, decisions, sent=set(), extra=base, refused_export=True)
        return N42Outcome(result, None, None, name, f"measurement {row.id}: {decision.reason}")
    key = load_signing_key(settings)
    blob = session.get(Blob, row.sha256)
    if blob is None:
        raise Conflict(f"measurement {row.id}: the stored file is missing")
    record = item["record"]
    try:
        ms = read_bytes(blob.data, row.filename, max_bytes=max(len(blob.data), 1))
        data = measurement_to_n42(ms, record, target.profile, record.get("detector") or "")
    except RadnucError as exc:
        raise Conflict(f"measurement {row.id} cannot be written as N42.42: {exc}") from None
    signature = sign_file(data, name, key, config.self_name, signed_at=now)
    extra = {**base, "filename": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
             "content_sha256": content_sha256(record), "redactions": item["redactions"]}
    _audit_decisions(session, actor, rows, decisions, sent={0}, extra=extra, refused_export=False)
    return N42Outcome(result, data, signature, name)


# --- ITDB notification ---------------------------------------------------------------------------------------------
@dataclass
class Notification:
    """``note`` is the notification (None when refused: ``message`` says why)."""

    preview: Preview
    note: dict[str, Any] | None
    message: str = ""


def itdb_notification(*, session: Session, actor: Actor, settings: PlatformSettings, incident_id: str,
                      partner: str, include_related: bool = True, now: datetime | None = None) -> Notification:
    """The ITDB-style notification of an incident for ``partner``, built from the redacted records only.

    The incident itself must be allowed (else refused, audited); related records that may not go are left out
    of the summary and audited as refused."""
    require_exchange(actor)
    config = require_config(settings)
    target = get_partner(config, partner)
    rows = visible_rows(session, actor, "incident", incident_id, include_related=include_related)
    result, _, decisions = _preview(session, actor, config, target, rows)
    base = {"partner": target.name, "profile": target.profile.name, "document": "itdb-notification"}
    if not decisions[0].allowed:
        _audit_decisions(session, actor, rows, decisions, sent=set(), extra=base, refused_export=True)
        return Notification(result, None, f"incident {incident_id}: {decisions[0].reason}")
    observations = [i["record"] for i in result.items[1:] if i["decision"]["allowed"]]
    point = settings.itdb_contact or config.self_name
    state = config.self_country or ""
    agency = session.get(Agency, rows[0].row.agency_id)
    if not state and agency is not None and agency.country:
        state = agency.country
    note = itdb.notification(result.items[0]["record"], reporting_state=state or "—", point_of_contact=point,
                             observations=observations, now=now)
    for index, (row, decision) in enumerate(zip(rows, decisions, strict=True)):
        after = {**decision.as_dict(), **base}
        if decision.allowed:
            after["content_sha256"] = content_sha256(result.items[index]["record"])
        audit.record(session=session, actor=actor, action="share.itdb" if decision.allowed else "share.refused",
                     entity=row.record_type, entity_id=row.row.id, after=after, agency_id=row.row.agency_id)
    return Notification(result, note)


def render_notification(note: dict[str, Any], fmt: str) -> tuple[bytes, str]:
    """The notification as (bytes, media type) in ``fmt`` (json, html, pdf)."""
    import json

    if fmt == "json":
        return (json.dumps(note, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8") + b"\n",
                "application/json")
    if fmt == "html":
        return itdb.to_html(note).encode("utf-8"), "text/html; charset=utf-8"
    if fmt == "pdf":
        return itdb.to_pdf(note), "application/pdf"
    raise BadRequest(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


# --- import ------------------------------------------------------------------------------------------------------
def _known(session: Session, agency_id: str | None) -> dict[str, str]:
    """STIX id → content SHA-256 of the records this agency imported before (from its audit entries)."""
    known: dict[str, str] = {}
    rows = session.execute(
        select(AuditEntry.after).where(AuditEntry.action == "share.imported", AuditEntry.agency_id == agency_id)
        .order_by(AuditEntry.seq.desc()).limit(MAX_KNOWN_IMPORTS)
    ).scalars()
    for after in rows:
        for item in (after or {}).get("records") or []:
            if isinstance(item, dict) and isinstance(item.get("stix_id"), str):
                known.setdefault(item["stix_id"], str(item.get("content_sha256")))
    return known


def _local_incidents(session: Session, actor: Actor, dates: set[str]) -> list[ShareableIncident]:
    from datetime import date

    from radnuc.platform.incidents.models import Incident

    parsed = []
    for d in dates:
        try:
            parsed.append(date.fromisoformat(d))
        except ValueError:
            continue
    if not parsed:
        return []
    stmt = scoped_select(Incident, "incident", actor).where(
        Incident.occurred_on.in_(parsed) | Incident.discovered_on.in_(parsed)).limit(500)
    out = []
    for row, tlp in session.execute(stmt).all():
        try:
            out.append(incident_record(session, row, tlp).record)
        except Conflict:
            continue
    return out


def import_bundle(*, session: Session, actor: Actor, settings: PlatformSettings, data: bytes,
                  filename: str | None = None) -> dict[str, Any]:
    """Verify a partner's signed bundle (size, strict JSON, configured key, signature, STIX 2.1, TLP markings,
    records) and read it back: per record ``new`` / ``duplicate`` / ``updated`` and the local incident it matches.

    Nothing is written but the audit entry (``share.imported``, or ``share.import_rejected`` before the error is
    raised: the caller commits in both cases). Errors: :class:`radnuc.sharing.errors.SharingError` subclasses."""
    from radnuc.sharing.exchange import import_signed

    require_exchange(actor)
    config = require_config(settings)
    digest = hashlib.sha256(data).hexdigest()
    known = _known(session, actor.agency_id)
    try:
        result = import_signed(data, config, known=known)
        dates = {d for item in result.records if isinstance(item.record, ShareableIncident)
                 for d in (item.record.occurred_on, item.record.discovered_on) if d}
        local = _local_incidents(session, actor, dates)
        if local:
            result = import_signed(data, config, known=known, local_incidents=local)
    except SharingError as exc:
        audit.record(session=session, actor=actor, action="share.import_rejected", entity="bundle", entity_id=None,
                     after={"sha256": digest, "bytes": len(data), "filename": (filename or "")[:255],
                            "error": type(exc).__name__, "message": str(exc)[:1000]})
        raise
    records = [item.as_dict() for item in result.records]
    audit.record(session=session, actor=actor, action="share.imported", entity="bundle",
                 entity_id=None, after={"sha256": digest, "bytes": len(data), "signer": result.signer,
                                        "records": [{k: r[k] for k in ("stix_id", "record_type", "id", "tlp",
                                                                       "status", "content_sha256",
                                                                       "local_incident_id")} for r in records],
                                        "foreign": len(result.foreign)})
    return {"signer": result.signer, "sha256": digest, "records": records, "foreign": result.foreign,
            "counts": {s: sum(1 for r in records if r["status"] == s) for s in ("new", "duplicate", "updated")}}
