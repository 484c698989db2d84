"""The Starlette application: routes, errors as JSON, pages, start and stop."""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route

from onewindow.promises import ScheduleError
from onewindow.ratings import InvalidRating
from onewindow.ratings.rectification import StepError
from onewindow.server.api import accounts, display, pages, tickets, ws
from onewindow.server.api import appointments as appointments_api
from onewindow.server.api import audit as audit_api
from onewindow.server.api import bureau as bureau_api
from onewindow.server.api import cases as case_api
from onewindow.server.api import casework as casework_api
from onewindow.server.api import complaints as complaints_api
from onewindow.server.api import dashboard as dashboard_api
from onewindow.server.api import devices as devices_api
from onewindow.server.api import exports as exports_api
from onewindow.server.api import kiosk as kiosk_api
from onewindow.server.api import mobile as mobile_api
from onewindow.server.api import outbox as outbox_api
from onewindow.server.api import printing as printing_api
from onewindow.server.api import ratings as ratings_api
from onewindow.server.api import sync as sync_api
from onewindow.server.api import tracking as tracking_api
from onewindow.server.api import windows as windows_api
from onewindow.server.api.common import JSON, error, runtime
from onewindow.server.api.limits import RejectNul
from onewindow.server.api.openapi import schemas
from onewindow.server.api.security import SecurityHeaders
from onewindow.server.config import Config
from onewindow.server.errors import (
    BadRequest,
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)
from onewindow.server.runtime import Runtime
from onewindow.server.settings import Settings
from onewindow.server.store import tickets as tstore
from onewindow.server.store.database import DatabaseError
from onewindow.tickets.lifecycle import RuleViolation

log = logging.getLogger("onewindow")


async def healthz(request: Request):
    """200 when the server can read and write its database."""
    try:
        await runtime(request).db.write(tstore.probe)
    except Exception as exc:
        return error(503, f"database unavailable: {exc}", "unhealthy")
    return JSON({"ok": True})


async def openapi(request: Request):
    return JSON(schemas.get_schema(routes=request.app.routes))


# Each kind of error the client causes, mapped to HTTP here and nowhere else.
STATUS: dict[type[DomainError], int] = {
    BadRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, TooLarge: 413,
    Invalid: 422, TooManyRequests: 429, Unavailable: 503,
}
# The domain packages' own errors (they import nothing from the server).
RULE_ERRORS: dict[type[Exception], tuple[int, str]] = {
    RuleViolation: (409, "bad_state"),
    StepError: (409, "bad_step"),
    InvalidRating: (422, "invalid"),
    ScheduleError: (422, "invalid_schedule"),
}


def status_of(exc: DomainError) -> int:
    return next(s for cls, s in STATUS.items() if isinstance(exc, cls))


async def on_domain_error(request: Request, exc: DomainError):
    resp = error(status_of(exc), exc.message, exc.code, **exc.extra)
    if isinstance(exc, Forbidden):
        await audit_api.record_forbidden(request, exc)  # who tried what: a security event
    if isinstance(exc, TooManyRequests) and "retry_after" in exc.extra:
        resp.headers["Retry-After"] = str(max(1, int(exc.extra["retry_after"])))
    return resp


async def on_rule_error(request: Request, exc: Exception):
    status, code = RULE_ERRORS[type(exc)]
    return error(status, str(exc), code)


async def on_http_error(request: Request, exc: HTTPException):
    return error(exc.status_code, exc.detail or "error", "http")


async def on_db_error(request: Request, exc: DatabaseError):
    log.error("database error on %s: %s", request.url.path, exc)
    return error(503, "the database is busy or unavailable; try again", "database")


async def on_error(request: Request, exc: Exception):
    log.exception("unhandled error on %s", request.url.path)
    return error(500, "internal error; the hall's administrator can find it in the server log", "internal")


def create_app(settings: Settings | None = None, config: Config | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    rt = Runtime(settings, config)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await rt.start()
        try:
            yield
        finally:
            await rt.stop()

    # Starlette hands each handler the exceptions of its class; its type hint says any Exception.
    handlers: dict[Any, Callable[..., Any]] = {
        DomainError: on_domain_error, **dict.fromkeys(RULE_ERRORS, on_rule_error),
        HTTPException: on_http_error, DatabaseError: on_db_error, Exception: on_error}
    app = Starlette(
        routes=[
            *tickets.routes,  # issuing and calling first: routes are tried in order
            *windows_api.routes,
            Route("/healthz", healthz, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"], include_in_schema=False),
            *accounts.routes,
            *kiosk_api.routes,
            *devices_api.routes,
            *printing_api.routes,
            *case_api.routes,
            *casework_api.routes,  # sign-off and key-project cards (issue 15, points 5-6)
            *complaints_api.routes,
            *ratings_api.routes,
            *tracking_api.routes,
            *exports_api.routes,
            *dashboard_api.routes,
            *bureau_api.routes,  # the bureau's view across outlets (issue 17)
            *mobile_api.routes,  # the mobile outlet's visits and sync (issue 18)
            *sync_api.routes,
            *outbox_api.routes,
            *appointments_api.routes,
            *audit_api.routes,
            *ws.routes,
            *display.routes,
            *pages.routes(),
        ],
        exception_handlers=handlers,
        lifespan=lifespan,
        # CSP, nosniff, no-referrer, no-store on /api/; then 422 for a NUL in the path or query string
        middleware=[Middleware(SecurityHeaders), Middleware(RejectNul)],
    )
    app.state.runtime = rt
    return app
