"""Cases, the working-day calendar and supervision alerts over HTTP.

`GET /api/v1/calendar/deadline` is part of the stable contract (v1): its
answer is exactly `{"deadline", "provisional"}`.
"""
from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Route

from onewindow.promises import UNITS, ScheduleError, parse_schedule, schedule_from_mapping
from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.limits import parse_json
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Invalid, TooLarge
from onewindow.server.store.cases import STATUSES
from onewindow.server.store.coverage import COVERAGE, ROTA_GAP
from onewindow.server.store.printers import PRINTER

STAFF = ("clerk", "manager", "admin", "reviewer")  # a reviewer reads the cases it signs off
CARDS = ("green", "yellow", "red")
ALERT_KINDS = ("yellow", "red", "statutory", "suspension_overrun", "step_overrun", "refusal_without_reason",
               "wait_promise", "calendar_missing", "rating_overdue", COVERAGE, ROTA_GAP, PRINTER,
               "complaint", "complaint_escalated", "key_step_overrun", "key_fee_over_cap")
# A "+" in a query string arrives as a space when the client did not encode it.
_LOST_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}T[\d:.]+) (\d{2}(?::?\d{2})?)$")


class SuspendBody(BaseModel):
    reason: Literal["correction", "expert_review", "hearing", "public_notice"]
    notice: str = Field(min_length=1, max_length=2000, pattern=r"\S")  # the written notice to the applicant
    # What is missing, as the one-time notice lists it: the applicant's page and message show it.
    # Each a checklist item or free text (一次性告知: every defect at once, issue 15 point 11).
    missing: list[Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]] = Field(
        default_factory=list, max_length=50)


class VisitBody(BaseModel):
    note: str = Field(default="", max_length=200)  # what the applicant came for (最多跑一次)


class CompleteCaseBody(BaseModel):
    note: str = Field(default="", max_length=500)
    # How the result reaches the applicant: collected at a window (the case's, or `window`), by post, online.
    delivery: Literal["collect", "post", "online"] = "collect"
    window: str | None = Field(default=None, min_length=1, max_length=32)


class WithdrawBody(BaseModel):
    # Optional here so that a refusal without a reason is flagged, not just bounced.
    reason: str = Field(default="", max_length=500)


# A year's schedule as JSON (schedule_from_mapping checks it; TOML is accepted too).
CALENDAR_YEAR = {
    "type": "object", "required": ["year"],
    "properties": {
        "year": {"type": "integer"},
        "holidays": {"type": "array", "items": {"type": "string"}, "description": "days or ranges a..b"},
        "workdays": {"type": "array", "items": {"type": "string"}, "description": "weekend days worked"},
        "source": {"type": "string"},
    },
}


def _invalid(field: str, message: str) -> Invalid:
    return Invalid(f"{field}: {message}", "invalid", field=field)


def parse_start(raw: str, tz: tzinfo) -> datetime:
    """ISO 8601; a time without an offset is the hall's local time."""
    text = raw.strip()
    lost = _LOST_PLUS.match(text)
    if lost:
        text = f"{lost.group(1)}+{lost.group(2)}"
    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise _invalid("start", f"{raw!r} is not an ISO 8601 time (e.g. 2026-09-28T10:00+08:00)") from None
    return start if start.tzinfo is not None else start.replace(tzinfo=tz)


def _param(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if value is None or not value.strip():
        raise _invalid(name, "is required")
    return value


def _list_param(request: Request, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
    raw = request.query_params.get(name, "")
    values = tuple(v.strip() for v in raw.split(",") if v.strip())
    for v in values:
        if v not in allowed:
            raise _invalid(name, f"{v!r} is not one of {', '.join(allowed)}")
    return values


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw.strip()) or not low <= int(raw) <= high:
        raise _invalid(name, f"{raw!r} is not a whole number from {low} to {high}")
    return int(raw)


# ----- the calendar --------------------------------------------------------------------------


async def calendar_deadline(request: Request):
    """The deadline of a promise by the hall's working-day calendar (public).
    ---
    summary: Deadline of a time limit from a start time
    parameters:
      - {name: start, in: query, required: true, schema: {type: string},
         description: "ISO 8601, e.g. 2026-09-28T10:00+08:00"}
      - {name: amount, in: query, required: true, schema: {type: integer, minimum: 0}}
      - {name: unit, in: query, required: true, schema: {type: string, enum: [working_days, calendar_days, hours]}}
      - {name: hall, in: query, required: false, schema: {type: string},
         description: "whose time zone (default: the first hall)"}
    responses:
      200: {description: "{deadline, provisional}: the end of the last day (23:59:59) for day units;
        provisional when a year on the way has no loaded schedule"}
      422: {description: "a missing or bad parameter, named in {error, field}"}
    """
    cases = runtime(request).cases
    tz = cases.zone(request.query_params.get("hall") or None)
    start = parse_start(_param(request, "start"), tz)
    raw_amount = _param(request, "amount").strip()
    if not re.fullmatch(r"\d{1,9}", raw_amount):
        raise _invalid("amount", f"{raw_amount!r} is not a whole number >= 0")
    unit = _param(request, "unit").strip()
    if unit not in UNITS:
        raise _invalid("unit", f"{unit!r} is not one of {', '.join(UNITS)}")
    try:
        d = cases.deadline(start, int(raw_amount), unit, tz)
    except ValueError as exc:
        raise _invalid("amount", str(exc)) from None
    return JSON({"deadline": d.at.isoformat(timespec="seconds"), "provisional": d.provisional})


async def calendar_years(request: Request):
    """Years with an official holiday schedule: seeded from chinese_calendar or loaded by an admin (public)."""
    return JSON(await runtime(request).cases.years())


@reads(CALENDAR_YEAR, query={"source": {"type": "string", "description": "where the schedule comes from"}})
async def load_calendar_year(request: Request):
    """Load (or replace) a year's State Council holiday schedule (admin).
    ---
    summary: Load a year's holiday schedule; provisional deadlines are recomputed
    description: >
      Body: JSON {"year": 2027, "holidays": ["2027-01-01", "2027-10-01..2027-10-07"],
      "workdays": ["2027-09-26"], "source"?: "国办发明电〔2026〕N号"}, or the same as TOML
      (Content-Type: application/toml). `source` may also be a query parameter.
    responses:
      201: {description: "{year, source, loaded_by, loaded_at, holidays, workdays, recomputed, alerts_resolved}"}
      403: {description: not an admin}
      422: {description: "the schedule is invalid: {error, field}"}
    """
    admin = await require_role(request, "admin")
    rt = runtime(request)
    raw = await _raw_body(request, rt.settings.max_body_bytes)
    source = request.query_params.get("source", "").strip()
    try:
        if "toml" in request.headers.get("content-type", ""):
            schedule = parse_schedule(raw, fmt="toml", source=source or f"API ({admin.username})")
        else:
            data = parse_json(raw or b"null")  # 400 not JSON or too deep, 422 a NUL in a string
            if isinstance(data, dict) and "source" in data:
                data = dict(data)
                given = data.pop("source")
                if not isinstance(given, str):
                    raise _invalid("source", "is not text")
                source = source or given.strip()
            schedule = schedule_from_mapping(data, source=source or f"API ({admin.username})")
    except ScheduleError as exc:
        raise Invalid(str(exc), "invalid", field=exc.field) from None
    return JSON(await rt.cases.load_year(admin.username, schedule), status_code=201)


async def _raw_body(request: Request, limit: int) -> bytes:
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise TooLarge(f"body larger than {limit} bytes")
    return bytes(raw)


# ----- cases ---------------------------------------------------------------------------------


async def hall_cases(request: Request):
    """A hall's cases, soonest deadline first; applicants masked (clerk, manager, admin).
    ---
    summary: List a hall's cases
    parameters:
      - {name: status, in: query, schema: {type: string},
         description: "comma list of accepted, suspended, completed, withdrawn"}
      - {name: card, in: query, schema: {type: string}, description: "comma list of green, yellow, red"}
      - {name: limit, in: query, schema: {type: integer, default: 200, maximum: 1000}}
      - {name: offset, in: query, schema: {type: integer, default: 0}}
    responses:
      200: {description: the cases}
    """
    await require_role(request, *STAFF)
    rt = runtime(request)
    hall = rt.hall(request.path_params["hall"]).hall.id
    statuses = _list_param(request, "status", STATUSES) or STATUSES
    cards = _list_param(request, "card", CARDS)
    return JSON(await rt.cases.list_cases(hall, statuses, cards, _int_param(request, "limit", 200, 1, 1000),
                                          _int_param(request, "offset", 0, 0, 10**9)))


async def get_case(request: Request):
    """A case with its suspensions and full history; the applicant masked (clerk, manager, admin)."""
    await require_role(request, *STAFF)
    return JSON(await runtime(request).cases.case(path_int(request, "id")))


def case_action(action: str):
    async def endpoint(request: Request):
        user = await require_role(request, *STAFF)
        cases = runtime(request).cases
        case_id = path_int(request, "id")
        await cases.authorize(user, case_id)  # its accepting clerk, a post holder of its window, a manager
        if action == "suspend":
            data = await body(request, SuspendBody)
            return JSON(await cases.suspend(user.username, case_id, data.reason, data.notice.strip(),
                                            [m[:200] for m in data.missing]))
        if action == "resume":
            return JSON(await cases.resume(user.username, case_id))
        if action == "visit":
            visit = await body(request, VisitBody)
            return JSON(await cases.visit(user.username, case_id, visit.note.strip()))
        if action == "complete":
            done = await body(request, CompleteCaseBody)
            if done.window is not None:
                case = await cases.case(case_id)
                cases.zone(case["hall"])  # 404 for a hall not served here
                if cases.halls[case["hall"]].hall.window(done.window) is None:
                    raise Invalid(f"unknown window {done.window!r}", "unknown_window", field="window")
            return JSON(await cases.complete(user.username, case_id, done.note.strip(), done.delivery, done.window))
        withdraw = await body(request, WithdrawBody)
        return JSON(await cases.withdraw(user.username, case_id, withdraw.reason))

    endpoint.__name__ = f"case_{action}"
    endpoint.__doc__ = {
        "suspend": "Stop a case's clock: {reason: correction|expert_review|hearing|public_notice, notice}.",
        "resume": "Restart a case's clock; the deadline moves by the working days it stood still.",
        "complete": "Complete (办结) a case; the completion ticker shows it, the applicant masked.",
        "withdraw": "Withdraw or refuse a case: {reason} is required; a refusal without one is flagged (422).",
        "visit": "Record another visit of the applicant for this open case {note?} (最多跑一次: one is the goal).",
    }[action]
    bodies: dict[str, type[BaseModel]] = {"suspend": SuspendBody, "complete": CompleteCaseBody,
                                          "withdraw": WithdrawBody, "visit": VisitBody}
    return reads(bodies.get(action))(endpoint)


# ----- alerts --------------------------------------------------------------------------------


async def hall_alerts(request: Request):
    """Supervision alerts of a hall, newest first: open ones, or all with ?all=1 (clerk, manager, admin).
    ---
    summary: Electronic supervision alerts
    parameters:
      - {name: all, in: query, schema: {type: string}, description: "1: resolved ones too"}
      - {name: kind, in: query, schema: {type: string},
         description: "comma list of yellow, red, statutory, suspension_overrun, step_overrun, refusal_without_reason,
           wait_promise, calendar_missing, rating_overdue, coverage, rota_gap, printer"}
      - {name: limit, in: query, schema: {type: integer, default: 200, maximum: 1000}}
    responses:
      200: {description: "[{id, kind, level, message, categories, case_id, ticket_id, at, resolved_at, resolved_by}]"}
    """
    await require_role(request, *STAFF)
    rt = runtime(request)
    hall = rt.hall(request.path_params["hall"]).hall.id
    include = request.query_params.get("all", "") in ("1", "true", "yes")
    return JSON(await rt.cases.alerts(hall, include, _list_param(request, "kind", ALERT_KINDS),
                                      _int_param(request, "limit", 200, 1, 1000)))


async def resolve_alert(request: Request):
    """Mark an alert as dealt with (manager, admin)."""
    user = await require_role(request, "manager", "admin")
    return JSON(await runtime(request).cases.resolve_alert(user.username, path_int(request, "id")))


routes = [
    Route("/api/v1/calendar/deadline", calendar_deadline, methods=["GET"]),
    Route("/api/v1/calendar/years", calendar_years, methods=["GET"]),
    Route("/api/v1/calendar/years", load_calendar_year, methods=["POST"]),
    Route("/api/v1/halls/{hall}/cases", hall_cases, methods=["GET"]),
    Route("/api/v1/cases/{id}", get_case, methods=["GET"]),
    *[Route(f"/api/v1/cases/{{id}}/{a}", case_action(a), methods=["POST"])
      for a in ("suspend", "resume", "complete", "withdraw", "visit")],
    Route("/api/v1/halls/{hall}/alerts", hall_alerts, methods=["GET"]),
    Route("/api/v1/alerts/{id}/resolve", resolve_alert, methods=["POST"]),
]
