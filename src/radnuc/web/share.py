"""The console's share dialog: choose an international partner, see exactly what would leave, export.

The dialog (``_share_dialog.html``, on the incident and alarm pages) asks this router for the preview fragment
(htmx), then posts the export form. Everything goes through :mod:`radnuc.platform.partner_exchange.service`:
the same scoping (a record the agency may not see answers 404), the same role check (coordinators and admins
export) and the same audit entries as the REST API (``share.exported``, ``share.refused`` …); the view commits,
refusals included.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from radnuc.platform.errors import BadRequest, PlatformError
from radnuc.platform.partner_exchange import service as exchange
from radnuc.web import security

router = APIRouter(include_in_schema=False)
_ID = re.compile(r"^[0-9A-Za-z-]{1,36}$")


def _views():
    from radnuc.web import views  # late: views includes this router

    return views


def dialog_context(request: Request, actor, record_type: str, record_id: str) -> dict[str, Any]:
    """What the share dialog needs: the partners (or why there are none) and what the user may do."""
    settings = request.app.state.settings
    try:
        overview = exchange.partners_overview(settings=settings)
        problem = None
    except PlatformError as exc:
        overview, problem = {"configured": False, "partners": [], "signing_key": False, "self_name": None}, str(exc)
    return {"record_type": record_type, "record_id": record_id, "partners": overview["partners"],
            "configured": overview["configured"], "signing_key": overview["signing_key"],
            "self_name": overview["self_name"], "problem": problem,
            "can_export": actor is not None and (actor.is_system or actor.role in exchange.EXCHANGE_ROLES)}


def _check(record_type: str, record_id: str) -> None:
    if record_type not in exchange.RECORD_TYPES or not _ID.match(record_id):
        raise BadRequest("unknown record")


def _bool(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "on", "yes")


@router.get("/share/{record_type}/{record_id}/preview")
def share_preview(request: Request, record_type: str, record_id: str, partner: str = "",
                  include_related: str = "") -> Response:
    """The preview fragment: per record the TLP decision, what the profile changed and the exact redacted record."""
    views = _views()
    actor = views.require_actor(request)
    context: dict[str, Any] = {"share": dialog_context(request, actor, record_type, record_id), "preview": None,
                               "error": None, "partner": partner[:200], "include_related": _bool(include_related)}
    if not partner:
        return views.render(request, "_share_preview.html", context, actor=actor)
    session = request.app.state.db.read_sessions()
    try:
        _check(record_type, record_id)
        result = exchange.preview(session=session, actor=actor, settings=request.app.state.settings,
                                  record_type=record_type, record_id=record_id, partner=partner[:200],
                                  include_related=_bool(include_related))
        preview = result.as_dict()
        for item in preview["items"]:
            item["json"] = (json.dumps(item["record"], indent=1, ensure_ascii=False)
                            if item["record"] is not None else None)
        context["preview"] = preview
    except PlatformError as exc:
        context["error"] = ("Not found: no such record, or your agency may not see it."
                            if exc.status == 404 and "partner" not in str(exc) else str(exc))
    finally:
        session.close()
    return views.render(request, "_share_preview.html", context, actor=actor)


def _attachment(data: bytes, media: str, name: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[:120]
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{safe}"',
                                                     "Cache-Control": "no-store"})


def _refused(request: Request, actor, message: str, items: list[dict]) -> Response:
    views = _views()
    reasons = [f"{i['decision']['record_type']} {i['decision']['record_id'][:8]}: {i['decision']['reason']}"
               for i in items if not i["decision"]["allowed"]]
    return views.render(request, "error.html", {"status": 409, "message": message, "details": reasons},
                        status=409, actor=actor)


@router.post("/share/{record_type}/{record_id}/export")
def share_export(request: Request, record_type: str, record_id: str,
                 partner: Annotated[str, Form(max_length=200)] = "",
                 include_related: Annotated[str, Form(max_length=8)] = "",
                 skip_refused: Annotated[str, Form(max_length=8)] = "",
                 csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Export the signed bundle (download); every decision is audited, a refusal answers a 409 page."""
    from radnuc.sharing.signing import envelope_bytes

    views = _views()
    actor = views.require_actor(request)
    if not security.check_csrf(request, csrf):
        return views._csrf_rejected(request, actor)
    session = request.app.state.db.sessions()
    try:
        _check(record_type, record_id)
        outcome = exchange.export(session=session, actor=actor, settings=request.app.state.settings,
                                  record_type=record_type, record_id=record_id, partner=partner,
                                  include_related=_bool(include_related), skip_refused=_bool(skip_refused))
        session.commit()
    except PlatformError as exc:
        return views.error_page(request, actor, exc)
    finally:
        session.close()
    if outcome.envelope is None:
        return _refused(request, actor, "Export refused: nothing was sent. The refusal is recorded in the audit log.",
                        outcome.preview.items)
    return _attachment(envelope_bytes(outcome.envelope), "application/json",
                       f"radnuc_{record_type}_{record_id[:8]}_{partner}.bundle.json")


@router.post("/share/incident/{incident_id}/itdb")
def share_itdb(request: Request, incident_id: str, partner: Annotated[str, Form(max_length=200)] = "",
               format: Annotated[str, Form(max_length=8)] = "pdf",
               csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The ITDB-style notification of an incident for a partner (JSON, HTML or PDF download)."""
    views = _views()
    actor = views.require_actor(request)
    if not security.check_csrf(request, csrf):
        return views._csrf_rejected(request, actor)
    session = request.app.state.db.sessions()
    try:
        _check("incident", incident_id)
        if format not in exchange.FORMATS:
            raise BadRequest(f"format must be one of {', '.join(exchange.FORMATS)}")
        note = exchange.itdb_notification(session=session, actor=actor, settings=request.app.state.settings,
                                          incident_id=incident_id, partner=partner)
        session.commit()
    except PlatformError as exc:
        return views.error_page(request, actor, exc)
    finally:
        session.close()
    if note.note is None:
        return _refused(request, actor, "ITDB notification refused: nothing was produced.", note.preview.items)
    data, media = exchange.render_notification(note.note, format)
    return _attachment(data, media, f"itdb_{incident_id[:8]}_{partner}.{format}")
