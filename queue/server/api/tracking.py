"""The applicant's side of a case (issue 14), public with the case's own token: its progress
(stable v1), its live updates, and its rating. A wrong token answers as an unknown case: 404."""
from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from onewindow.server.api.common import JSON, body, path_int, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.api.ws import cross_site, follow
from onewindow.server.errors import DomainError, NotFound
from onewindow.server.services.tracking import PROGRESS_EVENT

TOKEN = {"token": {"type": "string", "description": "the case's track token (its receipt's QR code and link)"}}


class CaseRatingBody(BaseModel):
    level: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list, max_length=8)
    comment: str = Field(default="", max_length=500)
    token: str | None = Field(default=None, max_length=128)  # or ?token=


def _tracking(conn):
    rt = runtime(conn)
    if rt.tracking is None:  # pragma: no cover - the runtime makes it at start
        raise NotFound("no such case")
    return rt.tracking


@reads(query=TOKEN)
async def case_progress(request: Request):
    """A case's progress for its applicant (public, with the case's token; stable v1).
    ---
    summary: A case's progress (the applicant's tracking page)
    responses:
      200: {description: "{number, item, status, accepted_at, deadline, provisional, statutory_deadline,
        steps: [{kind, at, ...}], missing: [...], applicant (masked), window, result, rating, rateable, ...}"}
      404: {description: "no such case, or a wrong token (the same answer)"}
    """
    case_id = path_int(request, "id")
    return JSON(await _tracking(request).progress(case_id, request.query_params.get("token", "")))


@reads(CaseRatingBody, query=TOKEN)
async def rate_case(request: Request):
    """Rate a completed case from its tracking page, once (public, with the case's token).
    ---
    summary: Rate a case's result (好差评 of the case)
    responses:
      201: {description: "{id, case, level, level_name, at, task: {id, due_at} | null}: a bad rating opens
        a 48-hour rectification task"}
      404: {description: "no such case, or a wrong token"}
      409: {description: "already rated (already_rated), or not completed yet (not_rateable)"}
      422: {description: "a bad level or reason"}
    """
    rt = runtime(request)
    case_id = path_int(request, "id")
    data = await body(request, CaseRatingBody)
    token = data.token or request.query_params.get("token", "")
    tracking = _tracking(request)
    case = await tracking.progress(case_id, token, count=False)  # 404 first: a wrong token learns nothing more
    ratings = rt.rating(case["hall"]["id"])
    out = await tracking.rate(case_id, token, data.level, data.reasons, data.comment, ratings)
    return JSON(out, status_code=201)


async def case_socket(ws: WebSocket):
    """The applicant's tracking page: the case's progress, again whenever it changed."""
    rt = runtime(ws)
    if cross_site(ws):
        await ws.close(code=4403)
        return
    token = ws.query_params.get("token", "")
    try:
        cid = path_int(ws, "id")
        state = await _tracking(ws).progress(cid, token, count=False)
    except (ValueError, DomainError):
        await ws.close(code=4404)
        return
    await ws.accept()
    hall = state["hall"]["id"]
    sub, _ = rt.hub.subscribe(hall, lambda e: e.type == PROGRESS_EVENT and e.data.get("case_id") == cid)
    await follow(ws, sub, "case", state, lambda: _tracking(ws).progress(cid, token, count=False))


routes = [
    Route("/api/v1/cases/{id}/progress", case_progress, methods=["GET"]),
    Route("/api/v1/cases/{id}/rating", rate_case, methods=["POST"]),
    WebSocketRoute("/ws/cases/{id}", case_socket),
]
