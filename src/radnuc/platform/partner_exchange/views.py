"""``/api/v1/international``: partners, preview, signed export, N42.42 export of a measurement, ITDB notification,
import of partners' bundles.

Each view commits what the service wrote to the audit log — refusals too, before answering 409 — so that every
export decision is on record whatever the outcome.
"""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from radnuc.platform.deps import CurrentActor, ReadDB, WriteDB
from radnuc.platform.errors import BadRequest, PayloadTooLarge
from radnuc.platform.partner_exchange import service
from radnuc.platform.partner_exchange.schemas import (
    ExportRequest,
    ImportOut,
    ItdbRequest,
    N42Out,
    N42Request,
    PartnersOut,
    PreviewOut,
    RefusedOut,
    ShareRequest,
)
from radnuc.sharing.errors import OversizedBundleError, SharingError
from radnuc.sharing.signing import envelope_bytes

_file_name = service.file_name

router = APIRouter(prefix="/international", tags=["international"])
_REFUSED = {409: {"model": RefusedOut, "description": "Refused by the TLP rules, or exchange not configured"}}


def _settings(request: Request):
    return request.app.state.settings


@router.get("/partners", response_model=PartnersOut)
def partners(request: Request, actor: CurrentActor):
    """The local agency and the configured partners (from RADNUC_PARTNERS_FILE; empty when not configured)."""
    return service.partners_overview(settings=_settings(request))


@router.post("/preview", response_model=PreviewOut, responses={404: {"description": "No such record or partner"}})
def preview(body: ShareRequest, request: Request, actor: CurrentActor, db: ReadDB):
    """What would leave for a partner: per record the TLP 2.0 decision and exactly the redacted record.

    Any user may preview what their agency may see; nothing leaves and nothing is recorded."""
    result = service.preview(session=db, actor=actor, settings=_settings(request), record_type=body.record_type,
                             record_id=body.record_id, partner=body.partner, include_related=body.include_related)
    return result.as_dict()


@router.post("/exports", response_class=Response, responses={
    200: {"content": {"application/json": {}}, "description": "The signed bundle (radnuc-signed-bundle/1)"},
    **_REFUSED, 403: {"description": "Role may not export (coordinators and admins do)"}})
def export(body: ExportRequest, request: Request, actor: CurrentActor, db: WriteDB):
    """Export a record (an incident with its related records) to a partner as a signed STIX 2.1 bundle.

    Every decision is audited (``share.exported``, ``share.refused``, ``share.withheld``). A refused record refuses
    the whole export (409 with the decisions) unless ``skip_refused``."""
    outcome = service.export(session=db, actor=actor, settings=_settings(request), record_type=body.record_type,
                             record_id=body.record_id, partner=body.partner, include_related=body.include_related,
                             skip_refused=body.skip_refused)
    db.commit()
    if outcome.envelope is None:
        return JSONResponse({"detail": f"refused: {outcome.message}",
                             "decisions": [i["decision"] for i in outcome.preview.items]}, status_code=409)
    name = _file_name("radnuc", body.record_type, body.record_id[:8], body.partner) + ".bundle.json"
    return Response(envelope_bytes(outcome.envelope), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Radnuc-Bundle-Id": outcome.bundle_id or ""})


@router.post("/n42", response_model=N42Out, responses={
    **_REFUSED, 403: {"description": "Role may not export (coordinators and admins do)"},
    404: {"description": "No such measurement (or one the agency may not see), or no such partner"}})
def export_n42(body: N42Request, request: Request, actor: CurrentActor, db: WriteDB):
    """Export a stored measurement as N42.42-2012 with its analysis results, redacted for a partner and signed.

    The TLP decision is that of ``/exports`` (409 with the decision when refused, audited ``share.refused``); the
    answer holds the N42 file and its detached signature (base64), which ``radnuc share verify`` checks. Audited
    ``share.exported`` (``document: n42``)."""
    outcome = service.export_n42(session=db, actor=actor, settings=_settings(request),
                                 measurement_id=body.measurement_id, partner=body.partner)
    db.commit()
    if outcome.data is None or outcome.signature is None:
        return JSONResponse({"detail": f"refused: {outcome.message}",
                             "decisions": [i["decision"] for i in outcome.preview.items]}, status_code=409)
    signature = envelope_bytes(outcome.signature)
    return {"partner": outcome.preview.partner.name, "profile": outcome.preview.partner.profile.name,
            "signer": outcome.signature["signer"], "filename": outcome.filename, "media_type": "application/xml",
            "n42": base64.b64encode(outcome.data).decode("ascii"), "bytes": len(outcome.data),
            "sha256": outcome.signature["payload"]["sha256"], "signature_filename": outcome.filename + ".sig.json",
            "signature": base64.b64encode(signature).decode("ascii"), "key_id": outcome.signature["key_id"],
            "signed_at": outcome.signature["signed_at"], "redactions": outcome.preview.items[0]["redactions"]}


@router.post("/itdb", response_class=Response, responses={
    200: {"content": {"application/json": {}, "text/html": {}, "application/pdf": {}},
          "description": "The ITDB-style notification"}, **_REFUSED})
def itdb_notification(body: ItdbRequest, request: Request, actor: CurrentActor, db: WriteDB):
    """An ITDB-style incident notification for a partner (JSON, HTML or PDF), built from what may leave only."""
    note = service.itdb_notification(session=db, actor=actor, settings=_settings(request),
                                     incident_id=body.incident_id, partner=body.partner,
                                     include_related=body.include_related)
    db.commit()
    if note.note is None:
        return JSONResponse({"detail": f"refused: {note.message}",
                             "decisions": [i["decision"] for i in note.preview.items]}, status_code=409)
    data, media = service.render_notification(note.note, body.format)
    name = _file_name("itdb", body.incident_id[:8], body.partner) + f".{body.format}"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.post("/imports", response_model=ImportOut, responses={
    413: {"description": "Bundle larger than allowed"},
    422: {"description": "Not a valid signed bundle: tampered, unknown signer, bad STIX or markings"}})
def import_bundle(request: Request, actor: CurrentActor, db: WriteDB,
                  file: Annotated[UploadFile, File(description="A signed bundle (radnuc-signed-bundle/1)")]):
    """Verify and read a partner's signed bundle; each record is ``new``, ``duplicate`` or ``updated``.

    Rejections are audited (``share.import_rejected``) and answer 413 (too large) or 422 with the reason."""
    service.require_exchange(actor)
    limit = _settings(request).max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"bundle is larger than the {limit} byte upload limit")
    try:
        result = service.import_bundle(session=db, actor=actor, settings=_settings(request), data=data,
                                       filename=file.filename)
    except SharingError as exc:
        db.commit()  # the rejection's audit entry
        if isinstance(exc, OversizedBundleError):
            raise PayloadTooLarge(str(exc)) from None
        raise BadRequest(f"bundle rejected ({type(exc).__name__}): {exc}") from None
    db.commit()
    return result
