"""Ratings (好差评): the window's pad and the ticket's QR page rate; managers
follow the rectification tasks that bad ratings open."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Route

from onewindow.ratings import LEVELS, OUTCOMES, STEP_NAMES, STEPS
from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Forbidden, Unauthorized
from onewindow.server.services.ratings import reasons_public


class RatingBody(BaseModel):
    level: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list, max_length=8)
    comment: str = Field(default="", max_length=500)
    channel: Literal["pad", "qr"] | None = None  # None: "qr" with the ticket's token, else "pad"
    token: str | None = Field(default=None, max_length=128)  # the ticket's track token (QR)


class AdvanceBody(BaseModel):
    step: Literal["verify", "rectify", "feedback", "callback"]
    note: str = Field(default="", max_length=1000)
    outcome: str = Field(default="", max_length=20)


async def scheme(request: Request):
    """The rating levels, the reasons offered for bad ones, and the task's steps (public: the pad)."""
    return JSON({
        "levels": [{"level": lv.code, "name": lv.name, "name_en": lv.name_en, "bad": lv.bad} for lv in LEVELS],
        "reasons": reasons_public(),
        "steps": [{"step": s, "name": STEP_NAMES[s][0], "name_en": STEP_NAMES[s][1], "outcomes": list(OUTCOMES[s])}
                  for s in STEPS],
    })


@reads(RatingBody, query={"token": {"type": "string", "description": "the ticket's track token (its QR code)"}})
async def rate_ticket(request: Request):
    """Rate a completed ticket, once.
    ---
    summary: Rate a completed ticket (好差评), once per ticket
    description: >
      From the window's paired pad (channel "pad", with its X-Device-Token: only the ticket most recently completed
      at that window, within the hall's pad period) or from the ticket's QR page
      (channel "qr" with the ticket's track token; a call with the token and without a pad's X-Device-Token
      is the QR page whatever its channel says). Levels 5 非常满意 .. 1 非常不满意;
      a bad rating (1-2) opens a rectification task.
    responses:
      201: {description: "{id, ticket, level, channel, at, task: {id, due_at} | null}"}
      401: {description: "channel pad without a paired pad's X-Device-Token, or a revoked one"}
      403: {description: "channel pad from a device that is not a rating pad of the ticket's hall"}
      404: {description: "no such ticket, or a wrong token"}
      409: {description: "already rated, or not rateable through this channel"}
      422: {description: "a bad level or reason"}
    """
    rt = runtime(request)
    tid = path_int(request, "id")
    svc, _ = await rt.ticket(tid)
    data = await body(request, RatingBody)
    token = data.token or request.query_params.get("token")
    device_token = request.headers.get("x-device-token")
    channel = data.channel or ("qr" if token else "pad")
    if channel == "pad" and token and not device_token:  # the ticket's token and no pad: the phone
        channel = "qr"
    if channel == "pad":  # only a paired pad of the ticket's hall rates as the window's pad
        device = await rt.devices.identify(device_token)
        if device is None:
            raise Unauthorized("评价器未配对 / a rating pad must be paired first", "device_required")
        if device.kind != "pad" or device.hall != svc.hall.id:
            raise Forbidden("此设备不是本大厅的评价器 / this device is not a rating pad of this hall", "wrong_device")
    out = await rt.rating(svc.hall.id).rate(tid, data.level, data.reasons, data.comment, channel, token)
    return JSON(out, status_code=201)


@reads(query={"all": {"type": "string", "description": "1: closed tasks too"}})
async def list_tasks(request: Request):
    """Rectification tasks of a hall (manager): open ones, or all with ?all=1."""
    await require_role(request, "manager", "admin")
    rs = runtime(request).rating(request.path_params["hall"])
    return JSON(await rs.tasks(open_only=request.query_params.get("all") not in ("1", "true", "yes")))


async def get_task(request: Request):
    """One rectification task with its steps (manager)."""
    await require_role(request, "manager", "admin")
    rs = runtime(request).rating(request.path_params["hall"])
    return JSON(await rs.task(path_int(request, "id")))


@reads(AdvanceBody)
async def advance_task(request: Request):
    """Do a rectification task's next step: verify → rectify → feedback → callback (manager).
    ---
    summary: Advance a rectification task by its next step
    responses:
      200: {description: "the task"}
      404: {description: "no such task in this hall"}
      409: {description: "not the next step, or the task is closed"}
    """
    user = await require_role(request, "manager", "admin")
    rs = runtime(request).rating(request.path_params["hall"])
    data = await body(request, AdvanceBody)
    return JSON(await rs.advance(user, path_int(request, "id"), data.step, data.note, data.outcome))


routes = [
    Route("/api/v1/rating-scheme", scheme, methods=["GET"]),
    Route("/api/v1/tickets/{id}/rating", rate_ticket, methods=["POST"]),
    Route("/api/v1/halls/{hall}/rating-tasks", list_tasks, methods=["GET"]),
    Route("/api/v1/halls/{hall}/rating-tasks/{id}", get_task, methods=["GET"]),
    Route("/api/v1/halls/{hall}/rating-tasks/{id}/advance", advance_task, methods=["POST"]),
]
