"""Complaints and reports (投诉举报) and the 12369 flow over HTTP (services/complaints.py).

Intake at a window (a signed-in clerk) or from outside the hall: the 12369
platform, a grid supervisors' app or the letters office post with a staff
account's token or as a paired device of kind "system" (`X-Device-Token`).
"""
from __future__ import annotations

import re
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator
from starlette.requests import Request
from starlette.routing import Route

from onewindow.complaints import CALLBACK_OUTCOMES, STATUSES, STEPS
from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Forbidden, Invalid

STAFF = ("clerk", "manager", "admin")
PHONE = r"^\+?[0-9][0-9 \-]{5,19}$"


class ComplaintBody(BaseModel):
    source: Literal["window", "hotline", "grid", "letter", "online"] = "window"
    type: str = Field(min_length=1, max_length=64)  # "air" or "air.cooking_fumes": GET .../complaint-types
    content: str = Field(min_length=1, max_length=2000, pattern=r"\S")
    place: str = Field(min_length=1, max_length=200, pattern=r"\S")
    name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=20)
    anonymous: bool = False
    urgent: bool = False
    # When the complaint was received (a call, a letter): the entry clock runs from it; default now.
    received_at: AwareDatetime | None = None
    external_ref: str | None = Field(default=None, min_length=1, max_length=64)  # the platform's id: idempotent
    window: str | None = Field(default=None, min_length=1, max_length=32)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        if v.strip() and not re.fullmatch(PHONE, v.strip()):
            raise ValueError("not a phone number")
        return v


class ComplaintStepBody(BaseModel):
    step: Literal["contact", "file", "dispatch", "feedback", "verify", "evaluate", "escalate"]
    # contact: reached | unreachable; verify: rectified | not_rectified; evaluate: good | fair | poor
    outcome: str = Field(default="", max_length=16)
    note: str = Field(default="", max_length=1000)
    department: str | None = Field(default=None, max_length=32)  # dispatch: to whom, by their duties
    result: str = Field(default="", max_length=2000)  # feedback: the department's result


class ComplaintCallbackBody(BaseModel):
    outcome: Literal["satisfied", "unsatisfied", "unreachable"]
    note: str = Field(default="", max_length=1000)


assert ComplaintStepBody.model_fields["step"].annotation.__args__ == STEPS  # type: ignore[union-attr]
assert ComplaintCallbackBody.model_fields["outcome"].annotation.__args__ == CALLBACK_OUTCOMES  # type: ignore[union-attr]


async def _caller(request: Request, hall: str) -> tuple[str, bool]:
    """(actor, is a system): a paired system device of `hall` (X-Device-Token), else signed-in staff."""
    rt = runtime(request)
    device = await rt.devices.identify(request.headers.get("x-device-token"))
    if device is not None:
        if device.kind != "system" or device.hall != hall:
            raise Forbidden("only a paired system of this hall may do this", "not_a_system")
        return f"device:{device.id}:{device.name}"[:64], True
    user = await require_role(request, *STAFF)
    return user.username, False


async def complaint_types(request: Request):
    """The hall's complaint types (groups and kinds), sources, departments and clock limits (public)."""
    return JSON(runtime(request).complaints.types(request.path_params["hall"]))


@reads(ComplaintBody)
async def intake(request: Request):
    """A complaint comes in: at a window (staff) or from the 12369 platform, grid supervisors, letters
    (staff, or a paired device of kind "system" with `X-Device-Token`).
    ---
    summary: Take in a complaint (投诉举报)
    responses:
      201: {description: "the complaint, its clocks (entry, contact, forward) and steps"}
      200: {description: "an external_ref seen before: the complaint it made, unchanged"}
      401: {description: "neither a staff token nor a paired system device"}
      403: {description: "a paired device that is not a system, or of another hall"}
      422: {description: "a bad field (unknown type, window, a time in the future), named in {error, field}"}
    """
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    actor, system = await _caller(request, svc.hall.id)
    data = await body(request, ComplaintBody)
    out, created = await rt.complaints.intake(svc.hall.id, actor, data, system=system)
    return JSON(out, status_code=201 if created else 200)


@reads(query={"status": {"type": "string", "description": "comma-separated statuses"},
              "limit": {"type": "integer"}, "offset": {"type": "integer"}})
async def hall_complaints(request: Request):
    """A hall's complaints, newest first; names and phones masked (staff)."""
    await require_role(request, *STAFF)
    rt = runtime(request)
    raw = request.query_params.get("status", "")
    statuses = tuple(s.strip() for s in raw.split(",") if s.strip())
    for s in statuses:
        if s not in STATUSES:
            raise Invalid(f"status: {s!r} is not one of {', '.join(STATUSES)}", "invalid", field="status")
    limit, offset = (_int(request, "limit", 100, 1, 500), _int(request, "offset", 0, 0, 10**9))
    return JSON(await rt.complaints.listing(request.path_params["hall"], statuses, limit, offset))


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,10}", raw.strip()) or not low <= int(raw) <= high:
        raise Invalid(f"{name}: {raw!r} is not a whole number from {low} to {high}", "invalid", field=name)
    return int(raw)


async def get_complaint(request: Request):
    """One complaint with its clocks (each milestone's limit, due time, state), steps and callbacks (staff,
    or the paired system of its hall: the 12369 platform follows the complaints it posted)."""
    rt = runtime(request)
    cid = path_int(request, "id")
    device = await rt.devices.identify(request.headers.get("x-device-token"))  # 401: unknown or revoked
    if device is not None:
        if device.kind != "system":
            raise Forbidden("only a paired system may follow complaints", "not_a_system")
        out = await rt.complaints.get(cid)
        await _caller(request, out["hall"])  # 403 for another hall's system
        return JSON(out)
    await require_role(request, *STAFF)
    return JSON(await rt.complaints.get(cid))


@reads(ComplaintStepBody)
async def complaint_step(request: Request):
    """A step of the flow: contact, file (立案), dispatch, feedback, verify (核实结项), evaluate, escalate.
    ---
    summary: Take a step of the complaint's flow
    responses:
      200: {description: the complaint after the step}
      403: {description: "evaluate: managers only"}
      409: {description: "a step its status does not allow (code bad_step), or already done"}
      422: {description: "a bad field, e.g. a department not responsible for the type (wrong_department)"}
    """
    user = await require_role(request, *STAFF)
    cid = path_int(request, "id")  # an id out of range is 404 whatever the body
    data = await body(request, ComplaintStepBody)
    return JSON(await runtime(request).complaints.step(user, cid, data))


@reads(ComplaintCallbackBody)
async def complaint_callback(request: Request):
    """Record a callback (回访) to the complainant: satisfied, unsatisfied or unreachable (staff).
    ---
    summary: Record a callback
    responses:
      200: {description: the complaint with its callbacks}
      409: {description: "not closed yet, anonymous or without a phone (code no_callback)"}
    """
    user = await require_role(request, *STAFF)
    cid = path_int(request, "id")  # an id out of range is 404 whatever the body
    data = await body(request, ComplaintCallbackBody)
    return JSON(await runtime(request).complaints.callback(user.username, cid, data.outcome,
                                                           data.note))


async def complaint_contact(request: Request):
    """The complainant's name and phone in full, to call them back (staff; every read is audited)."""
    user = await require_role(request, *STAFF)
    return JSON(await runtime(request).complaints.contact(user.username, path_int(request, "id")))


routes = [
    Route("/api/v1/halls/{hall}/complaint-types", complaint_types, methods=["GET"]),
    Route("/api/v1/halls/{hall}/complaints", intake, methods=["POST"]),
    Route("/api/v1/halls/{hall}/complaints", hall_complaints, methods=["GET"]),
    Route("/api/v1/complaints/{id}", get_complaint, methods=["GET"]),
    Route("/api/v1/complaints/{id}/steps", complaint_step, methods=["POST"]),
    Route("/api/v1/complaints/{id}/callbacks", complaint_callback, methods=["POST"]),
    Route("/api/v1/complaints/{id}/contact", complaint_contact, methods=["GET"]),
]
