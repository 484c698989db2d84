"""Second-person sign-off (一审一核) and key-project tracking cards (重点项目服务跟踪卡), issue 15
points 5 and 6, over HTTP (services/casework.py)."""
from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.cases import parse_start
from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Invalid
from onewindow.server.services.casework import REVIEWERS

READERS = ("clerk", "manager", "admin", "reviewer")


class SignOffBody(BaseModel):
    decision: Literal["approve", "return"]
    reason: str = Field(default="", max_length=500)  # required for a return


class KeyProjectBody(BaseModel):
    liaison: str = Field(min_length=1, max_length=64)  # a staff account's username (掛钩服务人员)
    phone: str = Field(default="", max_length=32, pattern=r"^[0-9+\- ]*$")  # the liaison's work phone


class KeyStepBody(BaseModel):
    step: Literal["report", "assessment", "approval"]
    event: Literal["start", "end", "fee", "satisfaction"]
    at: str | None = Field(default=None, max_length=40)  # start/end: ISO 8601, default now
    amount: float | None = Field(default=None, ge=0, le=1e9)  # fee, yuan
    level: int | None = Field(default=None, ge=1, le=5)  # satisfaction: 5 very satisfied .. 1 very dissatisfied

    @field_validator("amount")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a number")
        return v


@reads(SignOffBody)
async def review_case(request: Request):
    """Sign a case off or return it (一审一核): {decision: approve|return, reason (required to return)}.
    ---
    summary: The reviewer's sign-off of a case whose item needs one (reviewer, manager)
    responses:
      200: {description: "the case; its history ends with the review_approved or review_returned event"}
      403: {description: "not a reviewer; or code same_person: the reviewer accepted or handled the case"}
      409: {description: "review_not_required, already_signed_off, bad_state"}
      422: {description: "reason_required"}
    """
    user = await require_role(request, *REVIEWERS)
    case_id = path_int(request, "id")  # an id out of range is 404 whatever the body, as on the other routes
    data = await body(request, SignOffBody)
    return JSON(await runtime(request).casework.review(user, case_id, data.decision, data.reason))


async def key_project_card(request: Request):
    """A key project's tracking card (重点项目服务跟踪卡) (clerk, manager, admin, reviewer).
    ---
    summary: The key-project tracking card of a case
    responses:
      200: {description: "{number, item_name, project, applicant (masked), liaison {username, name, phone},
        review {required, state}, steps [{step, name, days, due, started_at, ended_at, took_s, overrun, fee,
        fee_cap, over_cap, satisfaction, satisfaction_name}]}"}
      409: {description: "not_key_project"}
    """
    await require_role(request, *READERS)
    return JSON(await runtime(request).casework.card(path_int(request, "id")))


@reads(KeyProjectBody)
async def mark_key_project(request: Request):
    """Mark a case key project with its liaison (manager, admin): {liaison, phone?}.
    ---
    summary: Mark a case key project; the item's key_steps give the card's steps
    responses:
      201: {description: the card}
      409: {description: "no_key_steps, already_key_project, bad_state"}
      422: {description: "unknown_liaison"}
    """
    user = await require_role(request, "manager", "admin")
    case_id = path_int(request, "id")  # an id out of range is 404 whatever the body
    data = await body(request, KeyProjectBody)
    card = await runtime(request).casework.mark(user, case_id, data.liaison.strip(),
                                                data.phone.strip())
    return JSON(card, status_code=201)


@reads(KeyStepBody)
async def key_project_step(request: Request):
    """Record a key-project step: {step, event: start|end (at?), fee (amount), satisfaction (level 1..5)}.
    ---
    summary: A key project's step started or ended, its fee, its satisfaction (the liaison, the case's clerk or
      window, a manager)
    responses:
      200: {description: "the card; a fee over its cap is kept and flagged (over_cap, a key_fee_over_cap alert)"}
      403: {description: "not the liaison, the case's clerk or window, or a manager"}
      409: {description: "not_key_project, bad_step_state"}
      422: {description: "a bad body: amount for a fee, level for a satisfaction"}
    """
    user = await require_role(request, "clerk", "manager", "admin", "reviewer")
    rt = runtime(request)
    case_id = path_int(request, "id")
    data = await body(request, KeyStepBody)
    if data.event == "fee" and data.amount is None:
        raise Invalid("amount: a fee needs its amount (yuan)", "invalid", field="amount")
    if data.event == "satisfaction" and data.level is None:
        raise Invalid("level: a satisfaction needs its level (1..5)", "invalid", field="level")
    await rt.casework.may_record(user, case_id)
    at = None
    if data.at is not None and data.event in ("start", "end"):
        case = await rt.cases.case(case_id)
        at = parse_start(data.at, rt.cases.zone(case["hall"]))
    return JSON(await rt.casework.record(user, case_id, data.step, data.event, at, data.amount, data.level))


routes = [
    Route("/api/v1/cases/{id}/review", review_case, methods=["POST"]),
    Route("/api/v1/cases/{id}/key-project", key_project_card, methods=["GET"]),
    Route("/api/v1/cases/{id}/key-project", mark_key_project, methods=["POST"]),
    Route("/api/v1/cases/{id}/key-project/steps", key_project_step, methods=["POST"]),
]
