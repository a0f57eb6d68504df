"""The FastAPI application factory: routers under ``/api/v1``, error mapping, size and rate limits."""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from radnuc import __version__
from radnuc.platform.db import Database
from radnuc.platform.errors import PlatformError, Unauthorized
from radnuc.platform.middleware import BodySizeLimit, RateLimit
from radnuc.platform.settings import PlatformSettings

log = logging.getLogger(__name__)
API = "/api/v1"


def _validation_message(exc: RequestValidationError) -> tuple[str, list]:
    parts, errors = [], []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
        errors.append({"loc": [str(p) for p in err.get("loc", ())], "msg": err.get("msg"), "type": err.get("type")})
    return "; ".join(parts) or "invalid request", errors


def create_app(settings: PlatformSettings | None = None, *, database: Database | None = None) -> FastAPI:
    """The service for ``settings`` (default: from the environment). ``database`` overrides the URL's engine."""
    from radnuc.platform.agencies.views import router as agencies
    from radnuc.platform.alarms.views import reachback_router
    from radnuc.platform.alarms.views import router as alarms
    from radnuc.platform.audit.views import router as audit
    from radnuc.platform.evidence.views import router as evidence
    from radnuc.platform.incidents.views import router as incidents
    from radnuc.platform.measurements.views import router as measurements
    from radnuc.platform.partner_exchange.views import router as international
    from radnuc.platform.shares.views import router as shares
    from radnuc.platform.sites.views import instruments_router
    from radnuc.platform.sites.views import router as sites
    from radnuc.platform.users.views import auth_router
    from radnuc.platform.users.views import router as users

    settings = settings or PlatformSettings.from_env()
    app = FastAPI(title="radnuc multi-agency service", version=__version__, openapi_url=f"{API}/openapi.json",
                  docs_url=f"{API}/docs", redoc_url=None)
    app.state.settings = settings
    app.state.db = database or Database(settings.database_url)

    api = APIRouter(prefix=API)
    for router in (auth_router, users, agencies, measurements, alarms, reachback_router, incidents, evidence, sites,
                   instruments_router, shares, audit, international):
        api.include_router(router)

    @api.get("/health", tags=["health"])
    def health() -> dict:
        """Liveness (no authentication)."""
        return {"status": "ok", "version": __version__}

    app.include_router(api)
    app.include_router(__import__("radnuc.web.views", fromlist=["router"]).router)  # web console (radnuc.web)

    @app.exception_handler(PlatformError)
    async def _platform_error(_request: Request, exc: PlatformError):
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError):
        message, errors = _validation_message(exc)
        return JSONResponse({"detail": message, "errors": errors}, status_code=422)

    @app.exception_handler(IntegrityError)
    async def _integrity_error(_request: Request, exc: IntegrityError):
        log.info("integrity error: %s", exc.orig)
        return JSONResponse({"detail": "conflicts with an existing record"}, status_code=409)

    @app.exception_handler(DataError)
    async def _data_error(_request: Request, exc: DataError):
        log.info("data error: %s", exc.orig)
        return JSONResponse({"detail": "a value is not acceptable (NUL character, or a number out of range)"},
                            status_code=422)

    @app.exception_handler(OperationalError)
    async def _operational_error(_request: Request, exc: OperationalError):
        log.warning("database unavailable: %s", exc.orig)
        return JSONResponse({"detail": "database busy or unavailable, retry"}, status_code=503,
                            headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):  # pragma: no cover - a bug
        log.exception("unexpected error")
        return JSONResponse({"detail": "internal error"}, status_code=500)

    app.add_middleware(RateLimit, rate_per_s=settings.rate_limit_per_s, burst=settings.rate_burst)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)
    return app
