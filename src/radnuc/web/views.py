"""Pages of the web console (``router``): log-in, lane dashboard, alarm, reachback queue, incidents.

Every page resolves the session cookie to the platform :class:`~radnuc.platform.actor.Actor` and reads records
only through the platform's scoped service functions; a record the user's agency may not see answers the same
404 page as one that does not exist. Writes check the CSRF token, call the service function and commit here
(service functions never commit).
"""

from __future__ import annotations

import csv
import io
import logging
import mimetypes
import statistics
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.orm import Session

from radnuc.platform import permissions
from radnuc.platform.actor import Actor
from radnuc.platform.agencies import service as agencies
from radnuc.platform.alarms import service as alarms
from radnuc.platform.alarms.models import AlarmStatus
from radnuc.platform.db import utcnow
from radnuc.platform.deps import get_db, get_read_db
from radnuc.platform.errors import BadRequest, Forbidden, NotFound, PlatformError, Unauthorized
from radnuc.platform.incidents import service as incidents
from radnuc.platform.incidents.models import IncidentType
from radnuc.platform.incidents.schemas import IncidentCreate
from radnuc.platform.measurements import service as measurements
from radnuc.platform.users import service as users
from radnuc.web import guidance as guide
from radnuc.web import security
from radnuc.web.i18n import LANGUAGES, Translator, negotiate

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
WEB_DIR = Path(str(resources.files("radnuc.web")))
STATIC_DIR = WEB_DIR / "static"
WriteDB = Annotated[Session, Depends(get_db)]
ReadDB = Annotated[Session, Depends(get_read_db)]
TLP_CLASS = {"CLEAR": "tlp-clear", "GREEN": "tlp-green", "AMBER": "tlp-amber", "AMBER+STRICT": "tlp-amber-strict",
             "RED": "tlp-red"}
_CLOSED = {AlarmStatus.released.value, AlarmStatus.incident.value}
MAX_PLOT_CHANNELS = 16384


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(WEB_DIR / "templates")), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["dt"] = _format_dt
    env.filters["cat_class"] = guide.css_class
    env.globals["tlp_class"] = lambda tlp: TLP_CLASS.get(tlp or "", "tlp-amber")
    return env


def _format_dt(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def stored_language(request: Request, actor: Actor | None) -> str | None:
    """The language the logged-in user chose and the platform stored (``users.language``), else None."""
    if actor is None or actor.is_system:
        return None
    session = request.app.state.db.read_sessions()
    try:
        chosen = users.language_of(session=session, user_id=actor.user_id)
    finally:
        session.close()
    return chosen if chosen in LANGUAGES else None


def browser_language(request: Request) -> str:
    """The language cookie (a choice made before log-in, or by a user who chose none), else Accept-Language."""
    chosen = request.cookies.get(security.LANG_COOKIE)
    return chosen if chosen in LANGUAGES else negotiate(request.headers.get("accept-language"))


def language(request: Request, actor: Actor | None = None) -> str:
    """The logged-in user's stored choice, else :func:`browser_language`."""
    return stored_language(request, actor) or browser_language(request)


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status: int = 200,
           actor: Actor | None = None) -> HTMLResponse:
    stored = stored_language(request, actor)
    lang = stored or browser_language(request)
    token = security.session_token(request)
    ctx = {"request": request, "_": Translator(lang), "lang": lang, "languages": LANGUAGES, "actor": actor,
           "lang_auto": actor is not None and stored is None,
           "csrf": security.csrf_for(token) if (actor and token) else "", "can": _can(actor),
           "path": request.url.path, "now": utcnow()}
    ctx.update(context or {})
    html = _env().get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store",
                                                           "X-Frame-Options": "DENY",
                                                           "Content-Security-Policy": _CSP,
                                                           "Referrer-Policy": "same-origin"})


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def _can(actor: Actor | None) -> Callable[[str], bool]:
    def can(action: str) -> bool:
        return actor is not None and (actor.is_system or actor.role in permissions.PERMISSIONS[action])
    return can


def require_actor(request: Request) -> Actor:
    """The logged-in user; otherwise a redirect to the log-in page (htmx requests: 401 with HX-Redirect)."""
    actor = security.actor_of(request)
    if actor is None:
        if request.headers.get("HX-Request"):
            raise HTTPException(status_code=401, detail="not logged in", headers={"HX-Redirect": "/login"})
        target = "/login?next=" + quote(request.url.path) if request.method == "GET" else "/login"
        raise HTTPException(status_code=303, detail="log in first", headers={"Location": target})
    return actor


CurrentUser = Annotated[Actor, Depends(require_actor)]


def error_page(request: Request, actor: Actor | None, exc: PlatformError) -> HTMLResponse:
    """A platform error as a page: 404 says "not found" whatever the reason (no existence leak)."""
    if isinstance(exc, NotFound):
        message = "Not found: no such record, or your agency may not see it."
    elif isinstance(exc, Forbidden):
        message = "Your role may not do this."
    else:
        message = str(exc)
    return render(request, "error.html", {"status": exc.status, "message": message}, status=exc.status, actor=actor)


def _csrf_rejected(request: Request, actor: Actor | None) -> HTMLResponse:
    return render(request, "error.html", {"status": 403, "message": "The form expired or did not come from this "
                                          "site (CSRF check failed). Reload the page and try again."},
                  status=403, actor=actor)


# ---------------------------------------------------------------------------------------------------------------
# static files, log-in, language


@router.get("/static/{name}")
def static(name: str) -> Response:
    """Files of the console's static folder (no sub-folders, no dot files)."""
    path = STATIC_DIR / name
    if name.startswith(".") or "/" in name or "\\" in name or not path.is_file():
        return Response("not found", status_code=404, media_type="text/plain")
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".js"):
        media = "text/javascript"
    return Response(path.read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=3600"})


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


@router.get("/")
def home(request: Request) -> Response:
    return RedirectResponse("/dashboard" if security.actor_of(request) else "/login", status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if security.actor_of(request):
        return RedirectResponse(_safe_next(next), status_code=303)
    csrf = security.new_login_csrf()
    response = render(request, "login.html", {"login_csrf": csrf, "next": _safe_next(next), "error": None})
    security.set_cookie(response, request, security.LOGIN_CSRF_COOKIE, csrf, max_age=3600)
    return response


@router.post("/login")
def login(request: Request, db: WriteDB, username: Annotated[str, Form(max_length=100)] = "",
          password: Annotated[str, Form(max_length=1024)] = "", csrf: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=500)] = "/dashboard") -> Response:
    if not security.check_login_csrf(request, csrf):
        return _csrf_rejected(request, None)
    try:
        user = users.authenticate(session=db, username=username, password=password)
    except Unauthorized:
        fresh = security.new_login_csrf()
        response = render(request, "login.html", {"login_csrf": fresh, "next": _safe_next(next),
                                                  "error": "Incorrect username or password.",
                                                  "username": username}, status=401)
        security.set_cookie(response, request, security.LOGIN_CSRF_COOKIE, fresh, max_age=3600)
        return response
    ttl = request.app.state.settings.token_ttl_s
    issued = users.issue_token(session=db, user=user, ttl_s=ttl)
    db.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    security.set_cookie(response, request, security.SESSION_COOKIE, issued.token, max_age=ttl)
    response.delete_cookie(security.LOGIN_CSRF_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout(request: Request, db: WriteDB, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    actor = security.actor_of(request)
    if actor is not None:
        if not security.check_csrf(request, csrf):
            return _csrf_rejected(request, actor)
        users.revoke_token(session=db, actor=actor, token=security.session_token(request) or "")
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/lang")
def set_language(request: Request, db: WriteDB, lang: Annotated[str, Form(max_length=8)] = "en",
                 csrf: Annotated[str, Form(max_length=200)] = "",
                 next: Annotated[str, Form(max_length=500)] = "/dashboard") -> Response:
    """Switch the interface language. Logged in (CSRF checked): stored on the user (``users.language``), so every
    later session is in that language; ``auto`` clears it (follow the browser). Before log-in: a cookie."""
    actor = security.actor_of(request)
    if actor is not None and not security.check_csrf(request, csrf):
        return _csrf_rejected(request, actor)
    response = RedirectResponse(_safe_next(next), status_code=303)
    if lang not in LANGUAGES and lang != "auto":
        return response
    if actor is not None and not actor.is_system:
        try:
            users.set_language(session=db, actor=actor, language=None if lang == "auto" else lang)
            db.commit()
        except PlatformError as exc:
            return error_page(request, actor, exc)
    if lang == "auto":
        response.delete_cookie(security.LANG_COOKIE, path="/", httponly=True, samesite="strict")
    else:
        security.set_cookie(response, request, security.LANG_COOKIE, lang, max_age=365 * 86400)
    return response


# ---------------------------------------------------------------------------------------------------------------
# dashboard


def _alarm_row(alarm, shared_tlp: str | None) -> dict[str, Any]:
    return {"alarm": alarm, "tlp": shared_tlp or alarm.tlp, "guidance": guide.guidance(alarm.category),
            "closed": alarm.status in _CLOSED}


def _dashboard_data(db: Session, actor: Actor) -> dict[str, Any]:
    rows, total = alarms.list_alarms(session=db, actor=actor, limit=100, offset=0)
    items = [_alarm_row(a, tlp) for a, tlp in rows]
    lanes: dict[tuple[str, str], dict[str, Any]] = {}
    ms_rows, _ = measurements.list_measurements(session=db, actor=actor, limit=200, offset=0)
    for m, _tlp in ms_rows:
        key = (m.site or "—", m.lane or "—")
        lane = lanes.setdefault(key, {"site": key[0], "lane": key[1], "open": 0, "last": None, "category": None,
                                      "last_seen": m.created_at})
        lane["last_seen"] = max(lane["last_seen"], m.created_at)
    for item in items:
        a = item["alarm"]
        key = (a.site or "—", a.lane or "—")
        lane = lanes.setdefault(key, {"site": key[0], "lane": key[1], "open": 0, "last": None, "category": None,
                                      "last_seen": a.created_at})
        if not item["closed"]:
            lane["open"] += 1
            if lane["category"] is None:
                lane["category"] = a.category
        if lane["last"] is None:
            lane["last"] = a
    open_items = [i for i in items if not i["closed"]]
    return {"items": items, "total": total, "open_count": len(open_items),
            "lanes": sorted(lanes.values(), key=lambda x: (x["site"], x["lane"]))}


@router.get("/dashboard")
def dashboard(request: Request, actor: CurrentUser, db: ReadDB) -> Response:
    return render(request, "dashboard.html", _dashboard_data(db, actor), actor=actor)


@router.get("/dashboard/live")
def dashboard_live(request: Request, actor: CurrentUser, db: ReadDB) -> Response:
    """The lanes and the alarm list (htmx polls this fragment)."""
    return render(request, "_live.html", _dashboard_data(db, actor), actor=actor)


# ---------------------------------------------------------------------------------------------------------------
# alarm page


def _requests_of_alarm(db: Session, actor: Actor, alarm_id: str) -> list:
    rows, _ = alarms.list_requests(session=db, actor=actor, limit=500, offset=0)
    return [r for r in rows if r.alarm_id == alarm_id]


def _expert_agencies(db: Session, actor: Actor) -> list:
    return [a for a in agencies.list_agencies(session=db) if a.id != actor.agency_id and a.kind in ("regulator", "lab")]


@router.get("/alarms/{alarm_id}")
def alarm_page(request: Request, alarm_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    try:
        alarm, shared_tlp = alarms.get_alarm(session=db, actor=actor, alarm_id=alarm_id)
        m, _ = measurements.get_measurement(session=db, actor=actor, measurement_id=alarm.measurement_id)
    except PlatformError as exc:
        return error_page(request, actor, exc)
    owner = alarm.agency_id == actor.agency_id
    requests = _requests_of_alarm(db, actor, alarm.id)
    context = {"alarm": alarm, "m": m, "tlp": shared_tlp or alarm.tlp, "owner": owner,
               "guidance": guide.guidance(alarm.category), "closed": alarm.status in _CLOSED,
               "requests": requests, "open_request": any(r.status == "open" for r in requests),
               "experts": _expert_agencies(db, actor) if owner else [],
               "agency_names": {a.id: a.name for a in agencies.list_agencies(session=db)},
               "incident_types": [t.value for t in IncidentType],
               "nuclides": alarm.nuclides or (m.analysis or {}).get("nuclides") or [],
               "share": share_dialog(request, actor, "alarm", alarm.id)}
    return render(request, "alarm.html", context, actor=actor)


def _fit_payload(ms, fg, n: int, cache_dir: str | None) -> dict[str, Any] | None:
    """The fitted model of ``radnuc identify`` on the plotted foreground: the fitted background and one component
    per identified source (counts per channel), their total and the residuals in σ, on the plot's channels
    (``None`` outside the fitted energy range). Recomputed from the stored file (deterministic, about 0.1 s with
    the template cache) because the stored analysis keeps the result, not the arrays."""
    import numpy as np

    from radnuc.analysis.identify import identify_measurements
    from radnuc.analysis.identify.engine import IdentifyOptions

    options = IdentifyOptions(cache_dir=Path(cache_dir) if cache_dir else None)
    result = identify_measurements(ms, options=options)
    model = result.model
    if model is None or model.mask.size != fg.n_channels:
        return None
    index = np.flatnonzero(model.mask)
    keep = index < n

    def spread(values) -> list[float | None]:
        out: list[float | None] = [None] * n
        for i, v in zip(index[keep], np.asarray(values, dtype=float)[keep], strict=True):
            out[int(i)] = round(float(v), 3)
        return out

    total = model.total
    residuals = (model.data - total) / np.sqrt(np.maximum(total, 1.0))
    components = [{"name": "background (fitted)", "kind": "background", "counts": spread(model.background)}]
    components += [{"name": name, "kind": "source", "counts": spread(counts)}
                   for name, counts in model.components.items()]
    return {"components": components, "total": spread(total), "residuals": spread(residuals),
            "nuclides": [{"name": x.name, "confidence": round(float(x.confidence), 3)} for x in result.nuclides],
            "detector": result.detector, "reduced_chi2": round(float(result.reduced_chi2), 3)}


def _spectrum_payload(data: bytes, filename: str, analysis: dict | None,
                      cache_dir: str | None = None) -> dict[str, Any]:
    from radnuc.errors import RadnucError
    from radnuc.spectra import SpectrumError, read_bytes

    try:
        ms = read_bytes(data, filename, max_bytes=max(len(data), 1))
        fg = ms.summed_foreground()
    except SpectrumError as exc:
        return {"error": str(exc)}
    counts = fg.counts[:MAX_PLOT_CHANNELS]
    energies = fg.energies_kev[:MAX_PLOT_CHANNELS] if fg.calibration is not None else None
    payload: dict[str, Any] = {"counts": [round(float(c), 3) for c in counts],
                               "energies": None if energies is None else [round(float(e), 3) for e in energies],
                               "live_time_s": fg.live_time_s, "background": None, "components": [],
                               "profile": None}
    bg = ms.summed_background()
    if bg is not None and bg.n_channels == fg.n_channels and bg.live_time_s and fg.live_time_s:
        scale = fg.live_time_s / bg.live_time_s
        payload["background"] = [round(float(c) * scale, 3) for c in bg.counts[:MAX_PLOT_CHANNELS]]
    for comp in (analysis or {}).get("components") or []:  # fitted components of `radnuc identify`, when present
        if isinstance(comp, dict) and isinstance(comp.get("counts"), list):
            payload["components"].append({"name": str(comp.get("name", "")), "counts": comp["counts"][:len(counts)]})
    payload["fit"] = None
    if not payload["components"] and not ms.is_portal and fg.calibration is not None:
        try:
            fit = _fit_payload(ms, fg, len(counts), cache_dir)
        except (RadnucError, ValueError, ZeroDivisionError) as exc:  # the plot still shows the data
            log.info("no fitted model for %s: %s", filename, exc)
            payload["fit_error"] = str(exc)
            fit = None
        if fit is not None:
            payload["components"] = fit.pop("components")
            payload["fit_total"] = fit.pop("total")
            payload["residuals"] = fit.pop("residuals")
            payload["fit"] = fit
    if ms.is_portal:
        slices = ms.time_slices()[:2000]
        detectors = ms.detector_names[:16]
        panels = {d: [] for d in detectors}
        for s in slices:
            per = {sp.detector_name: sp.total_counts for sp in s.spectra}
            for d in detectors:
                panels[d].append(round(float(per.get(d, 0.0)), 1))
        payload["profile"] = {"panels": panels, "occupied": [bool(s.occupied) for s in slices],
                              "slice_s": slices[0].real_time_s if slices else None}
    return payload


@router.get("/alarms/{alarm_id}/spectrum.json")
def alarm_spectrum(request: Request, alarm_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    """The summed foreground (and scaled background, fitted components, portal time profile) for the plot."""
    try:
        alarm, _ = alarms.get_alarm(session=db, actor=actor, alarm_id=alarm_id)
        m, _ = measurements.get_measurement(session=db, actor=actor, measurement_id=alarm.measurement_id)
        payload = _plot_payload(request, db, actor, m)
    except PlatformError as exc:
        return JSONResponse({"detail": "not found" if isinstance(exc, NotFound) else str(exc)},
                            status_code=exc.status)
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


def _plot_payload(request: Request, db: Session, actor: Actor, m) -> dict[str, Any]:
    """The plot of a visible measurement, from the cache of recently viewed files when possible."""
    key = (m.sha256, m.filename, m.analysed_at)
    payload = _PLOT_CACHE.get(key)
    if payload is None:
        _, data = measurements.get_file(session=db, actor=actor, measurement_id=m.id)
        payload = _spectrum_payload(data, m.filename, m.analysis, _template_cache(request))
        with _PLOT_LOCK:
            _PLOT_CACHE[key] = payload
            while len(_PLOT_CACHE) > 16:
                _PLOT_CACHE.pop(next(iter(_PLOT_CACHE)))
    return payload


def safe_filename(name: str, default: str = "measurement") -> str:
    """``name`` reduced to letters, digits and ``._-`` for a Content-Disposition header (``default`` if empty)."""
    return "".join(ch for ch in name if ch.isalnum() or ch in "._-") or default


@router.get("/measurements/{measurement_id}")
def measurement_page(request: Request, measurement_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    """One measurement: file, analysis, spectrum with the fitted components, the alarm it raised, share dialog."""
    from sqlalchemy import select

    from radnuc.platform.alarms.models import Alarm

    try:
        m, shared_tlp = measurements.get_measurement(session=db, actor=actor, measurement_id=measurement_id)
    except PlatformError as exc:
        return error_page(request, actor, exc)
    alarm = None
    alarm_id = db.execute(select(Alarm.id).where(Alarm.measurement_id == m.id)).scalar_one_or_none()
    if alarm_id is not None:
        try:
            alarm, _ = alarms.get_alarm(session=db, actor=actor, alarm_id=alarm_id)
        except NotFound:
            alarm = None
    analysis = m.analysis if isinstance(m.analysis, dict) else {}
    return render(request, "measurement.html", {
        "m": m, "tlp": shared_tlp or m.tlp, "alarm": alarm, "analysis": analysis,
        "nuclides": [n for n in analysis.get("nuclides") or [] if isinstance(n, dict)],
        "share": share_dialog(request, actor, "measurement", m.id)}, actor=actor)


@router.get("/measurements/{measurement_id}/spectrum.json")
def measurement_spectrum(request: Request, measurement_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    """The plot data of a measurement (as ``/alarms/{id}/spectrum.json``)."""
    try:
        m, _ = measurements.get_measurement(session=db, actor=actor, measurement_id=measurement_id)
        payload = _plot_payload(request, db, actor, m)
    except PlatformError as exc:
        return JSONResponse({"detail": "not found" if isinstance(exc, NotFound) else str(exc)},
                            status_code=exc.status)
    return JSONResponse(payload, headers={"Cache-Control": "no-store"})


def _template_cache(request: Request) -> str | None:
    """The identification template cache shared with the workers (None when it cannot be created)."""
    path = request.app.state.settings.template_cache_dir
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


# Parsed plots of recently viewed files (a portal file takes seconds to read); filled only after the access check.
_PLOT_CACHE: dict[tuple, dict[str, Any]] = {}
_PLOT_LOCK = threading.Lock()


@router.get("/alarms/{alarm_id}/results.n42")
def alarm_results_n42(request: Request, alarm_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    """The measurement with the alarm's analysis as N42.42-2012 (``AnalysisResults``)."""
    from radnuc.spectra import AnalysisResult, NuclideResult, SpectrumError, read_bytes
    from radnuc.spectra.writers.n42 import to_n42_xml

    try:
        alarm, _ = alarms.get_alarm(session=db, actor=actor, alarm_id=alarm_id)
        m, data = measurements.get_file(session=db, actor=actor, measurement_id=alarm.measurement_id)
    except PlatformError as exc:
        return error_page(request, actor, exc)
    nuclides = tuple(NuclideResult(name=str(n.get("name", "")), confidence=n.get("confidence"),
                                   category=str(n.get("category") or ""))
                     for n in (alarm.nuclides or []) if isinstance(n, dict) and n.get("name"))
    analysis = AnalysisResult(algorithm="radnuc", algorithm_version=str(alarm.method or ""), nuclides=nuclides,
                              alarms=("Neutron",) if alarm.category == "neutron" else ("Gamma",),
                              description=f"alarm category {alarm.category}, status {alarm.status}")
    try:
        xml = to_n42_xml(read_bytes(data, m.filename, max_bytes=max(len(data), 1)), (analysis,))
    except SpectrumError as exc:
        return render(request, "error.html", {"status": 422, "message": str(exc)}, status=422, actor=actor)
    stem = safe_filename(m.filename.rsplit(".", 1)[0])
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{stem}_results.n42"'})


@router.get("/measurements/{measurement_id}/file")
def measurement_file(request: Request, measurement_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    """The original file, byte for byte."""
    try:
        m, data = measurements.get_file(session=db, actor=actor, measurement_id=measurement_id)
    except PlatformError as exc:
        return error_page(request, actor, exc)
    safe = safe_filename(m.filename)
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"'})


# ---------------------------------------------------------------------------------------------------------------
# alarm workflow (forms)


def _write(request: Request, actor: Actor, csrf: str, action: Callable[[], str]) -> Response:
    """Check CSRF, run ``action`` (returns where to go), turn platform errors into pages."""
    if not security.check_csrf(request, csrf):
        return _csrf_rejected(request, actor)
    try:
        target = action()
    except PlatformError as exc:
        return error_page(request, actor, exc)
    return RedirectResponse(target, status_code=303)


@router.post("/alarms/{alarm_id}/reachback")
def request_reachback(request: Request, alarm_id: str, actor: CurrentUser, db: WriteDB,
                      expert_agency_id: Annotated[str, Form(max_length=36)] = "",
                      question: Annotated[str, Form(max_length=4000)] = "",
                      csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    def act() -> str:
        alarms.request_reachback(session=db, actor=actor, alarm_id=alarm_id, expert_agency_id=expert_agency_id,
                                 question=question.strip() or None,
                                 target_s=request.app.state.settings.reachback_target_s)
        db.commit()
        return f"/alarms/{alarm_id}"
    return _write(request, actor, csrf, act)


@router.post("/alarms/{alarm_id}/release")
def release_alarm(request: Request, alarm_id: str, actor: CurrentUser, db: WriteDB,
                  note: Annotated[str, Form(max_length=4000)] = "",
                  csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    def act() -> str:
        alarms.release(session=db, actor=actor, alarm_id=alarm_id, note=note.strip() or None)
        db.commit()
        return f"/alarms/{alarm_id}"
    return _write(request, actor, csrf, act)


@router.post("/alarms/{alarm_id}/incident")
def open_incident(request: Request, alarm_id: str, actor: CurrentUser, db: WriteDB,
                  title: Annotated[str, Form(max_length=300)] = "",
                  incident_type: Annotated[str, Form(max_length=40)] = "unauthorized_possession",
                  nuclides: Annotated[str, Form(max_length=500)] = "",
                  place: Annotated[str, Form(max_length=300)] = "",
                  latitude: Annotated[str, Form(max_length=20)] = "",
                  longitude: Annotated[str, Form(max_length=20)] = "",
                  circumstances: Annotated[str, Form(max_length=20000)] = "",
                  csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    def act() -> str:
        try:
            alarm, _ = alarms.get_alarm(session=db, actor=actor, alarm_id=alarm_id)
            body = IncidentCreate(title=title.strip() or "Alarm", incident_type=incident_type,
                                  nuclides=[n.strip() for n in nuclides.split(",") if n.strip()],
                                  place=place.strip() or None, circumstances=circumstances.strip() or None,
                                  latitude=latitude.strip() or None, longitude=longitude.strip() or None,
                                  tlp=alarm.tlp)
        except ValidationError as exc:
            raise _bad_request(exc) from None
        _, incident = alarms.open_incident(session=db, actor=actor, alarm_id=alarm_id,
                                           fields=body.model_dump(mode="python"))
        db.commit()
        return f"/incidents/{incident.id}"
    return _write(request, actor, csrf, act)


def _bad_request(exc: ValidationError) -> PlatformError:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
    return BadRequest("; ".join(parts) or "invalid form")


# ---------------------------------------------------------------------------------------------------------------
# reachback queue


def _clock(request_row) -> dict[str, Any]:
    now = utcnow()
    if request_row.status == "open":
        left = (request_row.due_at - now).total_seconds()
        return {"seconds_left": int(left), "overdue": left < 0, "answer_seconds": None}
    answered = request_row.answered_at or now
    return {"seconds_left": None, "overdue": False,
            "answer_seconds": int((answered - request_row.requested_at).total_seconds())}


@router.get("/reachback")
def reachback_queue(request: Request, actor: CurrentUser, db: ReadDB) -> Response:
    rows, total = alarms.list_requests(session=db, actor=actor, limit=200, offset=0)
    names = {a.id: a.name for a in agencies.list_agencies(session=db)}
    items = []
    for r in rows:
        try:
            alarm, _ = alarms.get_alarm(session=db, actor=actor, alarm_id=r.alarm_id)
        except NotFound:
            alarm = None
        items.append({"r": r, "alarm": alarm, "clock": _clock(r), "incoming": r.expert_agency_id == actor.agency_id,
                      "from": names.get(r.agency_id, "?"), "to": names.get(r.expert_agency_id, "?")})
    return render(request, "reachback.html", {"items": items, "total": total,
                                              "categories": [c for c in guide.CATEGORIES if c != "none"]},
                  actor=actor)


@router.post("/reachback/{request_id}/assessment")
def assess(request: Request, request_id: str, actor: CurrentUser, db: WriteDB,
           verdict: Annotated[str, Form(max_length=20)] = "",
           category: Annotated[str, Form(max_length=20)] = "unknown",
           nuclides: Annotated[str, Form(max_length=500)] = "",
           notes: Annotated[str, Form(max_length=20000)] = "",
           csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    def act() -> str:
        if verdict not in ("release", "incident", "inconclusive"):
            raise BadRequest("verdict must be release, incident or inconclusive")
        if category not in guide.CATEGORIES:
            raise BadRequest("unknown category")
        assessment = {"verdict": verdict, "category": category,
                      "nuclides": [n.strip() for n in nuclides.split(",") if n.strip()][:50],
                      "notes": notes.strip() or None}
        alarms.assess(session=db, actor=actor, request_id=request_id, assessment=assessment)
        db.commit()
        return "/reachback"
    return _write(request, actor, csrf, act)


# ---------------------------------------------------------------------------------------------------------------
# incidents


@router.get("/incidents")
def incident_list(request: Request, actor: CurrentUser, db: ReadDB) -> Response:
    rows, total = incidents.list_incidents(session=db, actor=actor, limit=200, offset=0)
    return render(request, "incidents.html", {"items": [{"i": i, "tlp": tlp or i.tlp} for i, tlp in rows],
                                              "total": total}, actor=actor)


@router.get("/incidents/{incident_id}")
def incident_page(request: Request, incident_id: str, actor: CurrentUser, db: ReadDB) -> Response:
    try:
        incident, shared_tlp = incidents.get_incident(session=db, actor=actor, incident_id=incident_id)
    except PlatformError as exc:
        return error_page(request, actor, exc)
    links = incidents.visible_links(session=db, actor=actor, incident_id=incident.id)
    timeline: list[tuple] = []
    alarm = None
    if incident.alarm_id:
        try:
            alarm, _ = alarms.get_alarm(session=db, actor=actor, alarm_id=incident.alarm_id)
        except NotFound:
            alarm = None
    if alarm is not None:
        timeline.append((alarm.created_at, "Alarm raised"))
        for r in _requests_of_alarm(db, actor, alarm.id):
            timeline.append((r.requested_at, "Reachback requested"))
            if r.answered_at:
                timeline.append((r.answered_at, "Reachback answered"))
    timeline.append((incident.created_at, "Incident opened"))
    if incident.updated_at and incident.updated_at > incident.created_at:
        timeline.append((incident.updated_at, "Incident updated"))
    evidence = _evidence_of(db, actor, incident.id)
    for item in evidence:
        for t in item["chain"]["transfers"]:
            timeline.append((t.at, "Evidence custody: {who}", {"who": t.to_name}))
    timeline = [t if len(t) == 3 else (*t, {}) for t in timeline]
    timeline.sort(key=lambda t: t[0])
    colleagues = [u for u in users.list_users(session=db, agency_id=actor.agency_id, limit=500, offset=0)[0]
                  if u.id != actor.user_id and u.active]
    return render(request, "incident.html", {"i": incident, "tlp": shared_tlp or incident.tlp, "alarm": alarm,
                                             "links": links, "timeline": timeline, "evidence": evidence,
                                             "colleagues": colleagues, "owner": incident.agency_id == actor.agency_id,
                                             "can_sign": bool(_custody_secret(request)),
                                             "share": share_dialog(request, actor, "incident", incident.id)},
                  actor=actor)


def _custody_secret(request: Request) -> str | None:
    return getattr(request.app.state.settings, "custody_secret", None)


def _labels(text: str) -> list[str]:
    return [x.strip() for x in text.replace(";", ",").split(",") if x.strip()][:50]


@router.post("/incidents/{incident_id}/evidence")
def collect_evidence(request: Request, incident_id: str, actor: CurrentUser, db: WriteDB,
                     description: Annotated[str, Form(max_length=4000)] = "",
                     seal_numbers: Annotated[str, Form(max_length=1000)] = "",
                     place: Annotated[str, Form(max_length=300)] = "",
                     csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Record a seized item in the actor's custody (the first signed custody record)."""
    from radnuc.platform.evidence import service as evidence

    def act() -> str:
        incident, _ = incidents.get_incident(session=db, actor=actor, incident_id=incident_id)
        if not description.strip() or not place.strip():
            raise BadRequest("describe the item and the place of collection")
        evidence.create_evidence(session=db, actor=actor, secret=_custody_secret(request),
                                 description=description.strip(), seal_numbers=_labels(seal_numbers),
                                 place=place.strip(), incident_id=incident.id, tlp=incident.tlp)
        db.commit()
        return f"/incidents/{incident.id}"
    return _write(request, actor, csrf, act)


@router.post("/evidence/{evidence_id}/transfer")
def transfer_evidence(request: Request, evidence_id: str, actor: CurrentUser, db: WriteDB,
                      to_user_id: Annotated[str, Form(max_length=36)] = "",
                      place: Annotated[str, Form(max_length=300)] = "",
                      reason: Annotated[str, Form(max_length=4000)] = "",
                      csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Hand an item over: a custody record signed by the actor (the giving or receiving party)."""
    from radnuc.platform.evidence import service as evidence

    def act() -> str:
        if not place.strip() or not reason.strip():
            raise BadRequest("give the place and the reason of the hand-over")
        evidence.record_transfer(session=db, actor=actor, secret=_custody_secret(request), evidence_id=evidence_id,
                                 to_user_id=to_user_id, place=place.strip(), reason=reason.strip())
        item, _ = evidence.get_evidence(session=db, actor=actor, evidence_id=evidence_id)
        db.commit()
        return f"/incidents/{item.incident_id}" if item.incident_id else "/incidents"
    return _write(request, actor, csrf, act)


def _evidence_of(db: Session, actor: Actor, incident_id: str) -> list[dict[str, Any]]:
    """Evidence items of an incident the actor may see, with their verified chain of custody."""
    try:
        from radnuc.platform.evidence import service as evidence
    except ImportError:  # pragma: no cover - the evidence domain is optional for the console
        return []
    rows, _ = evidence.list_evidence(session=db, actor=actor, limit=200, offset=0, incident_id=incident_id)
    return [{"item": item, "tlp": tlp or item.tlp, "chain": evidence.verify_chain(session=db, item=item)}
            for item, tlp in rows]


# ---------------------------------------------------------------------------------------------------------------
# statistics (coordinators)

STATS_ROLES = {"coordinator", "admin"}
NUISANCE = {"NORM", "medical"}
MAX_STATS_ALARMS = 20000


def _stats_rows(db: Session, actor: Actor, days: int, site: str, lane: str) -> list:
    rows, _ = alarms.list_alarms(session=db, actor=actor, limit=MAX_STATS_ALARMS, offset=0)
    since = utcnow() - timedelta(days=days)
    return [a for a, _tlp in rows if a.created_at >= since and (not site or a.site == site)
            and (not lane or a.lane == lane)]


def _stats(db: Session, actor: Actor, days: int, site: str, lane: str, target_min: float) -> dict[str, Any]:
    rows = _stats_rows(db, actor, days, site, lane)
    per_day = Counter(a.created_at.date().isoformat() for a in rows)
    per_lane = Counter(f"{a.site or '—'} / {a.lane or '—'}" for a in rows)
    mix = Counter(a.category for a in rows)
    released = [a for a in rows if a.status == AlarmStatus.released.value]
    decided = [a for a in rows if a.status in _CLOSED]
    ids = {a.id for a in rows}
    requests, _ = alarms.list_requests(session=db, actor=actor, limit=MAX_STATS_ALARMS, offset=0)
    answered = sorted((r.answered_at - r.requested_at).total_seconds() / 60 for r in requests
                      if r.alarm_id in ids and r.answered_at)
    open_requests = [r for r in requests if r.alarm_id in ids and r.status == "open"]
    now = utcnow()

    def bars(counter: Counter, sort_keys: bool = False) -> list[dict[str, Any]]:
        items = sorted(counter.items()) if sort_keys else counter.most_common()
        top = max(counter.values(), default=1)
        return [{"label": k, "n": n, "pct": round(100 * n / top)} for k, n in items]

    return {
        "total": len(rows), "per_day": bars(per_day, sort_keys=True), "per_lane": bars(per_lane),
        "mix": bars(mix), "decided": len(decided), "released": len(released),
        "nuisance": sum(1 for a in released if a.category in NUISANCE),
        "nuisance_rate": (sum(1 for a in rows if a.category in NUISANCE) / len(rows)) if rows else None,
        "rb_answered": len(answered), "rb_open": len(open_requests),
        "rb_overdue": sum(1 for r in open_requests if r.due_at < now),
        "rb_median": statistics.median(answered) if answered else None,
        "rb_p90": answered[min(len(answered) - 1, int(0.9 * len(answered)))] if answered else None,
        "rb_late": sum(1 for t in answered if t > target_min),
    }


def _stats_allowed(actor: Actor) -> bool:
    return actor.is_system or (actor.role is not None and actor.role.value in STATS_ROLES)


@router.get("/stats")
def stats_page(request: Request, actor: CurrentUser, db: ReadDB, days: int = 30, site: str = "",
               lane: str = "") -> Response:
    if not _stats_allowed(actor):
        return error_page(request, actor, Forbidden("statistics are for coordinators"))
    days = min(max(days, 1), 3650)
    site, lane = site[:200], lane[:200]
    all_rows, _ = alarms.list_alarms(session=db, actor=actor, limit=MAX_STATS_ALARMS, offset=0)
    sites = sorted({a.site for a, _ in all_rows if a.site})
    lanes = sorted({a.lane for a, _ in all_rows if a.lane})
    target_min = request.app.state.settings.reachback_target_s / 60
    context = {"s": _stats(db, actor, days, site, lane, target_min), "days": days, "site": site, "lane": lane,
               "sites": sites, "lanes": lanes}
    return render(request, "stats.html", context, actor=actor)


@router.get("/stats.csv")
def stats_csv(request: Request, actor: CurrentUser, db: ReadDB, days: int = 30, site: str = "",
              lane: str = "") -> Response:
    """The filtered alarms, one per row (what the statistics page counts)."""
    if not _stats_allowed(actor):
        return error_page(request, actor, Forbidden("statistics are for coordinators"))
    rows = _stats_rows(db, actor, min(max(days, 1), 3650), site[:200], lane[:200])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["alarm_id", "created_at", "site", "lane", "category", "score", "status", "decided_at"])
    for a in rows:
        writer.writerow([a.id, a.created_at.isoformat(), _csv_safe(a.site), _csv_safe(a.lane), a.category,
                         "" if a.score is None else a.score, a.status,
                         a.decided_at.isoformat() if a.decided_at else ""])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="radnuc_alarms.csv"'})


def _csv_safe(value: str | None) -> str:
    """No spreadsheet formula injection: a leading = + - @ is quoted."""
    value = value or ""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# ---------------------------------------------------------------------------------------------------------------
# share dialog (international partners): radnuc.web.share
from radnuc.web.share import dialog_context as share_dialog  # noqa: E402
from radnuc.web.share import router as _share_router  # noqa: E402

router.include_router(_share_router)
