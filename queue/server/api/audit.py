"""The audit log: read, filter, export and verify (manager, admin)."""
from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onewindow.server.api.common import JSON, current_user, require_role, runtime
from onewindow.server.errors import DomainError
from onewindow.server.services.audit import MAX_EXPORT, AuditFilter

log = logging.getLogger("onewindow.audit")

_FILTERS = """
    parameters:
      - {name: actor, in: query, schema: {type: string, maxLength: 64}, description: "who acted (exact)"}
      - {name: action, in: query, schema: {type: string, maxLength: 40},
         description: "what was done (exact), e.g. login, login_failed, logout, window_sign_in, forbidden"}
      - {name: from, in: query, schema: {type: string, format: date}, description: "first day (hall time), inclusive"}
      - {name: to, in: query, schema: {type: string, format: date}, description: "last day (hall time), inclusive"}
      - {name: before, in: query, schema: {type: integer, minimum: 1},
         description: "only entries older than this id (the next page: the last id of this one)"}"""


async def _service(request: Request):
    user = await require_role(request, "manager", "admin")
    return user, runtime(request).audit_log


async def audit_entries(request: Request):
    _, svc = await _service(request)
    f = AuditFilter.from_query(request.query_params, svc.tz)
    return JSON({"entries": await svc.entries(f), "actions": await svc.actions()})


audit_entries.__doc__ = """The audit log, newest first (manager, admin).
    ---
    summary: Read the audit log (manager, admin)
    description: >
      Every staff action and security event: sign-in and sign-out of accounts and windows,
      failed logins, away and back, post changes, case actions, rectification steps, report
      downloads and exports, refused requests (403). Answers {"entries": [{id, at (ISO, hall
      time), actor, action, data}], "actions": [every action recorded]}.""" + _FILTERS + """
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
    responses:
      200: {description: "{entries, actions}"}
      401: {description: not signed in}
      403: {description: not a manager or admin}
      422: {description: a bad filter}
    """


async def audit_csv(request: Request):
    user, svc = await _service(request)
    f = AuditFilter.from_query(request.query_params, svc.tz, max_limit=MAX_EXPORT)
    if request.query_params.get("limit") in (None, ""):
        f.limit = MAX_EXPORT
    data = await svc.csv(f)
    await runtime(request).audit(user.username, "audit_export", filters={
        k: v for k, v in request.query_params.items() if k in ("actor", "action", "from", "to", "before", "limit")})
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="onewindow-audit.csv"'})


audit_csv.__doc__ = """The audit log as CSV (UTF-8 with BOM), with the same filters (manager, admin).
    ---
    summary: Export the audit log as CSV (manager, admin)
    description: >
      Columns id, at, actor, action, data (JSON), prev_hash, hash; newest first; at most
      100,000 rows. The export itself is audited.""" + _FILTERS + """
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 100000, default: 100000}}
    responses:
      200: {description: text/csv}
      401: {description: not signed in}
      403: {description: not a manager or admin}
      422: {description: a bad filter}
    """


async def audit_verify(request: Request):
    """Check the audit log's hash chain (manager, admin).
    ---
    summary: Verify the audit log's hash chain (manager, admin)
    description: >
      Walks the chain as `onewindow audit verify` does. Answers {"ok", "rows", "head": {id, hash},
      "problem": null or {id, kind: edited|inserted|deleted, message}}: the first bad row.
    responses:
      200: {description: "{ok, rows, head, problem}"}
      401: {description: not signed in}
      403: {description: not a manager or admin}
    """
    _, svc = await _service(request)
    return JSON(await svc.verify())


routes = [
    Route("/api/v1/audit", audit_entries, methods=["GET"]),
    Route("/api/v1/audit/export.csv", audit_csv, methods=["GET"]),
    Route("/api/v1/audit/verify", audit_verify, methods=["GET"]),
]


async def record_forbidden(request: Request, exc: Exception) -> None:
    """A refused request (403) in the audit log: who (when known), method, path, why. Never fails
    the answer: a database that cannot take the row is logged."""
    try:
        user = await current_user(request, required=False)
    except DomainError:
        user = None
    try:
        await runtime(request).audit(user.username if user else None, "forbidden", method=request.method,
                                     path=request.url.path[:200], reason=str(getattr(exc, "message", exc))[:200])
    except Exception:
        log.exception("could not audit a refused request to %s", request.url.path)
