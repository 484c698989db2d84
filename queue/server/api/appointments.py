"""Appointments (issue 16): free slots, booking, the booking's own page (cancel,
reschedule with its token), checking in at a paired kiosk, and the staff's view."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onewindow.notify.phones import InvalidPhone, normalize_phone
from onewindow.server.api.common import JSON, body, current_user, path_int, require_role, runtime
from onewindow.server.api.kiosk import public_base
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Forbidden, Invalid, Unauthorized
from onewindow.server.services import kiosk
from onewindow.server.services.appointments import AppointmentService
from onewindow.server.services.printing import NOT_PRINTED
from onewindow.tickets import times


class GreenChannelBody(BaseModel):
    """A booking marked key project (green channel, 004): the case number, or the project's name."""

    case_number: str = Field(default="", max_length=40)
    project: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _one(self) -> GreenChannelBody:
        if not self.case_number.strip() and not self.project.strip():
            raise ValueError("请填写办件号或项目名称 / give the case number or the project's name")
        return self


class BookBody(BaseModel):
    category: str = Field(min_length=1, max_length=40)
    start: datetime  # ISO 8601, as the slots list gives it (a time without offset: the hall's)
    phone: str = Field(min_length=1, max_length=40)
    id_number: str | None = Field(default=None, max_length=40)
    lang: Literal["zh", "en"] = "zh"
    key_project: GreenChannelBody | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str) -> str:
        try:
            return normalize_phone(v)
        except InvalidPhone as exc:
            raise ValueError(str(exc)) from None


class RescheduleBody(BaseModel):
    start: datetime


class CheckInBody(BaseModel):
    code: str | None = Field(default=None, min_length=1, max_length=40)
    id_number: str | None = Field(default=None, min_length=1, max_length=40)  # the kiosk's ID card reader
    lang: Literal["zh", "en"] = "zh"

    @model_validator(mode="after")
    def _one(self) -> CheckInBody:
        if (self.code is None) == (self.id_number is None):
            raise ValueError("give exactly one of code or id_number")
        return self


def _service(request: Request) -> AppointmentService:
    svc = runtime(request).appointments
    assert svc is not None  # made at start
    return svc


def _aware(start: datetime, tz) -> datetime:
    return start if start.tzinfo is not None else start.replace(tzinfo=tz)


@reads(query={"category": {"type": "string", "required": True}, "date": {"type": "string", "format": "date",
                                                                        "required": True}})
async def list_slots(request: Request):
    """A category's appointment slots on a day (public): [{start, end, capacity, left}]; none on a closed
    day, outside the booking horizon, or for a past time."""
    svc = _service(request)
    try:
        day = date.fromisoformat(request.query_params.get("date", ""))
    except ValueError:
        raise Invalid("date: give a date as YYYY-MM-DD", "bad_date", field="date") from None
    return JSON(await svc.slots(request.path_params["hall"], request.query_params.get("category", ""), day))


async def booking_info(request: Request):
    """What the booking page needs (public): the categories taking appointments, each with its slot
    length, how far ahead, whether the ID number is asked; the check-in window."""
    rt, svc = runtime(request), _service(request)
    h = svc.halls_or_404(request.path_params["hall"]).hall
    today = datetime.fromtimestamp(rt.clock(), h.tz).date()
    return JSON({
        "hall": {"id": h.id, "name": h.name, "name_en": h.name_en, "timezone": h.timezone},
        "today": today.isoformat(),
        "check_in_before_min": h.appointments.check_in_before_min,
        "check_in_after_min": h.appointments.check_in_after_min,
        "categories": [{"code": c.code, "name": c.name, "name_en": c.name_en, "icon": c.icon,
                        "slot_min": c.appointments.slot_min, "ahead_days": c.appointments.ahead_days,
                        "require_id": c.appointments.require_id, "one_per_person": c.appointments.one_per_person,
                        "key_project": c.appointments.key_project}
                       for c in h.categories if c.appointments is not None],
    })


@reads(BookBody)
async def book(request: Request):
    """Book a slot (public; limited per client and category like remote tickets).
    ---
    responses:
      201: {description: "{id, code, start, token, end, category, state}: the token opens the booking (cancel,
        reschedule); the code is typed or scanned at the kiosk. Marked key_project {case_number?, project?} (a
        category with green channel): also key_project {case_number, project, liaison_name}, the liaison it
        reached (the case's key-project card's, else the hall's green_channel_liaison), told through the outbox"}
      409: {description: "slot_full (with nearest: free slots near it), one_per_person, booking_blocked (with
        until), slot_past"}
      422: {description: "unknown category, no appointments, no such slot, outside the horizon, a bad phone,
        id_required, bad_id_number, no_key_project (no green channel for this category), unknown_case"}
      429: {description: "too many bookings from this client or for this category; Retry-After"}
    """
    svc = _service(request)
    data = await body(request, BookBody)
    hall = svc.halls_or_404(request.path_params["hall"]).hall
    out = await svc.book(hall.id, data.category, _aware(data.start, hall.tz), data.phone, data.id_number, data.lang,
                         request.client.host if request.client else "",
                         data.key_project.model_dump() if data.key_project is not None else None)
    return JSON(out, status_code=201)


@reads(query={"token": {"type": "string", "required": True, "description": "the booking's token"}})
async def show(request: Request):
    """A booking, for its holder (the token): what, when, its state."""
    svc = _service(request)
    return JSON(await svc.show(path_int(request, "id"), request.query_params.get("token", "")))


@reads(query={"token": {"type": "string", "required": True, "description": "the booking's token"}})
async def cancel(request: Request):
    """Cancel a booking with its token: the seat is free again, and the one-per-person claim."""
    svc = _service(request)
    return JSON(await svc.cancel(path_int(request, "id"), request.query_params.get("token", "")))


@reads(RescheduleBody, query={"token": {"type": "string", "required": True, "description": "the booking's token"}})
async def reschedule(request: Request):
    """Move a booking to another slot of its category (409 slot_full with the nearest free ones)."""
    svc = _service(request)
    aid = path_int(request, "id")  # an id out of range is 404 whatever the body
    data = await body(request, RescheduleBody)
    token = request.query_params.get("token", "")
    a = await svc.show(aid, token)
    tz = svc.halls_or_404(a["hall"]).tz
    return JSON(await svc.reschedule(aid, token, _aware(data.start, tz)))


@reads(query={"token": {"type": "string", "required": True, "description": "the booking's token"}})
async def qr(request: Request):
    """The booking's confirmation code as a QR code (SVG): a scanner at the kiosk types it."""
    svc = _service(request)
    a = await svc.show(path_int(request, "id"), request.query_params.get("token", ""))
    svg = await asyncio.to_thread(kiosk.qr_svg, a["code"])
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=86400"})


@reads(CheckInBody)
async def check_in(request: Request):
    """Check in at a paired kiosk (X-Device-Token) with the booking's code or the ID card.
    ---
    responses:
      201: {description: "the same body as a ticket (POST /halls/{hall}/tickets), with appointment: {id, code,
        start, state: checked_in | late, on_time, key_project}; a key project's booking: priority_kind
        green_channel (late: a priority ticket where the category offers one)"}
      401: {description: "no paired kiosk (device_required) or a revoked one"}
      403: {description: "a device that is not a kiosk of this hall"}
      404: {description: "no booking with this code (or today for this ID card)"}
      409: {description: "too_early (with come_at), appointment_closed (cancelled, used or missed)"}
    """
    rt, svc = runtime(request), _service(request)
    hall_svc = rt.hall(request.path_params["hall"])
    device = await rt.devices.identify(request.headers.get("x-device-token"))
    if device is None:
        raise Unauthorized("只有已配对的取号机可以签到 / check in at the hall's kiosk", "device_required")
    if device.kind != "kiosk" or device.hall != hall_svc.hall.id:
        raise Forbidden("此设备不是本大厅的取号机 / this device is not a kiosk of this hall", "wrong_device")
    data = await body(request, CheckInBody)
    t, appt = await svc.check_in(hall_svc.hall.id, data.code, data.id_number, data.lang, device.id)
    slot = rt.printing.for_kiosk(hall_svc.hall, device.kiosk) if device.kiosk else None
    windows = kiosk.serving_windows(hall_svc.hall, hall_svc.view.windows, t["category"])
    url = kiosk.track_url(public_base(request), hall_svc.hall.id, t["id"], t["track_token"])
    printed = dict(NOT_PRINTED) if slot is None else await rt.printing.print_slip(
        slot, kiosk.ticket_slip(hall_svc.hall, t, slot.notice, url, windows))
    on_time = appt["state"] == "checked_in"
    return JSON({
        "id": t["id"], "number": t["number"], "category": t["category"],
        "issued_at": times.iso(t["issued_at"], hall_svc.tz), "ahead": t["ahead"],
        "estimated_wait_s": t["estimated_wait_s"], "track_token": t["track_token"],
        "estimated_wait_min": t["estimated_wait_min"], "wait_text": t["wait_text"],
        "serving_now": t["serving_now"], "resumes_at": t["resumes_at"],
        "priority": "appointment" if on_time else "priority" if t["priority"] == 1 else "normal",
        "priority_kind": "green_channel" if appt["key_project"] else None, "windows": windows,
        "track_url": url, "print": printed, "channel": "kiosk", "notify": False,
        "appointment": {**appt, "on_time": on_time},
    }, status_code=201)


async def ticket_appointment(request: Request):
    """The appointment a ticket checked in for (staff: the console), or null."""
    await current_user(request)
    svc = _service(request)
    return JSON(await svc.of_ticket(path_int(request, "id")))


@reads(query={"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}})
async def summary(request: Request):
    """Per category: bookings, check-ins (on time, late), no-shows, cancellations over from..to (default
    today) (managers); `flagged`: bookings whose slot disappeared (a holiday loaded, hours changed), still
    to be moved or cancelled (their applicants were sent a message)."""
    await require_role(request, "manager", "admin")
    rt, svc = runtime(request), _service(request)
    h = svc.halls_or_404(request.path_params["hall"]).hall
    today = datetime.fromtimestamp(rt.clock(), h.tz).date().isoformat()
    first = request.query_params.get("from") or today
    last = request.query_params.get("to") or first
    for v, name in ((first, "from"), (last, "to")):
        try:
            date.fromisoformat(v)
        except ValueError:
            raise Invalid(f"{name}: give a date as YYYY-MM-DD", "bad_date", field=name) from None
    return JSON({"from": first, "to": last, "categories": await svc.summary(h.id, first, last),
                 "flagged": await svc.flagged(h.id)})


@reads(query={"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}})
async def green_channel(request: Request):
    """Key-project bookings (green channel by appointment, 004) over from..to (default: today and the next
    90 days; `from` alone: that day): a liaison's
    own; a manager's, admin's or the bureau's: all. Each with its case number or project, slot, state, the liaison, the
    applicant's phone masked, and the ticket's number once checked in."""
    user = await current_user(request)
    rt, svc = runtime(request), _service(request)
    h = svc.halls_or_404(request.path_params["hall"]).hall
    today = datetime.fromtimestamp(rt.clock(), h.tz).date()
    first = request.query_params.get("from") or today.isoformat()
    last = request.query_params.get("to") or (first if request.query_params.get("from")
                                              else (today + timedelta(days=90)).isoformat())
    for v, name in ((first, "from"), (last, "to")):
        try:
            date.fromisoformat(v)
        except ValueError:
            raise Invalid(f"{name}: give a date as YYYY-MM-DD", "bad_date", field=name) from None
    everyone = user.role in ("manager", "admin", "bureau_manager")
    return JSON(await svc.green_channel(h.id, first, last, None if everyone else user.username))


routes = [
    Route("/api/v1/halls/{hall}/slots", list_slots, methods=["GET"]),
    Route("/api/v1/halls/{hall}/booking", booking_info, methods=["GET"]),
    Route("/api/v1/halls/{hall}/appointments", book, methods=["POST"]),
    Route("/api/v1/halls/{hall}/appointments/summary", summary, methods=["GET"]),
    Route("/api/v1/halls/{hall}/appointments/green-channel", green_channel, methods=["GET"]),
    Route("/api/v1/halls/{hall}/check-in", check_in, methods=["POST"]),
    Route("/api/v1/appointments/{id}", show, methods=["GET"]),
    Route("/api/v1/appointments/{id}", cancel, methods=["DELETE"]),
    Route("/api/v1/appointments/{id}/reschedule", reschedule, methods=["POST"]),
    Route("/api/v1/appointments/{id}/qr.svg", qr, methods=["GET"]),
    Route("/api/v1/tickets/{id}/appointment", ticket_appointment, methods=["GET"]),
]
