"""Halls and tickets: the public side (kiosk, phone) and the clerk's actions on a ticket.
A window's own actions (sign-in, next, away, ...) are in windows.py."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator
from starlette.requests import Request
from starlette.routing import Route

from onewindow.notify.phones import InvalidPhone, normalize_phone
from onewindow.server.api.common import JSON, body, current_user, path_int, runtime
from onewindow.server.api.kiosk import public_base
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Forbidden, Invalid
from onewindow.server.services import kiosk
from onewindow.server.services.console import clerk_ticket
from onewindow.server.services.printing import NOT_PRINTED
from onewindow.tickets import times


def _phone(value: str | None) -> str | None:
    """A mobile number for messages, normalized; a malformed one is a 422 naming the field."""
    if value is None or not value.strip():
        return None
    try:
        return normalize_phone(value)
    except InvalidPhone as exc:
        raise ValueError(str(exc)) from None


class IssueBody(BaseModel):
    category: str = Field(min_length=1, max_length=40)
    priority: Literal["normal", "priority"] = "normal"
    lang: Literal["zh", "en"] = "zh"
    kiosk: str | None = Field(default=None, min_length=1, max_length=32)  # or ?kiosk=: which printer
    # Why the visitor goes first (the kiosk's choices): kept in the ticket's "issued" event.
    priority_kind: Literal["elderly", "disabled", "green_channel"] | None = None
    # Queue messages (issue 14): an optional mobile number, and the holder's opt-in to be told.
    phone: str | None = Field(default=None, max_length=40)
    notify: bool = False
    # One ticket per person (issue 16): the ID card read at the kiosk, in a category that asks it.
    id_number: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _kind(self) -> IssueBody:
        if self.priority_kind is not None and self.priority != "priority":
            raise ValueError("priority_kind goes with priority \"priority\"")
        return self

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return _phone(v)


class TransferBody(BaseModel):
    category: str | None = Field(default=None, min_length=1, max_length=40)
    window: str | None = Field(default=None, min_length=1, max_length=32)
    note: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _one(self) -> TransferBody:
        if (self.category is None) == (self.window is None):
            raise ValueError("give exactly one of category or window")
        return self


class NoteBody(BaseModel):
    note: str = Field(default="", max_length=500)


class CaseBody(BaseModel):
    item: str = Field(min_length=1, max_length=40)
    applicant_name: str = Field(default="", max_length=100)
    notify: bool = False  # the applicant agreed to messages about the case (issue 14); read by the phone's check
    applicant_phone: str = Field(default="", max_length=40, validate_default=True)
    project: str = Field(default="", max_length=200)

    @field_validator("applicant_phone")
    @classmethod
    def _notify(cls, v: str, info: ValidationInfo) -> str:
        """Messages need a mobile number: a malformed or missing one is a 422 on case.applicant_phone
        (the console marks that field)."""
        if info.data.get("notify"):
            v = _phone(v) or ""
            if not v:
                raise ValueError("messages need the applicant's mobile number")
        return v


class CompleteBody(BaseModel):
    outcome: Literal["done", "accepted", "notified", "consulted"] = "done"
    case: CaseBody | None = None
    missing: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _case(self) -> CompleteBody:
        if self.outcome == "accepted" and self.case is None:
            raise ValueError("an accepted outcome needs a case with its item")
        return self


async def list_halls(request: Request):
    """The halls this server serves."""
    rt = runtime(request)
    return JSON([{"id": s.hall.id, "name": s.hall.name, "name_en": s.hall.name_en} for s in rt.halls.values()])


async def get_hall(request: Request):
    """A hall: its categories with waiting counts and estimates, its windows and their status."""
    svc = runtime(request).hall(request.path_params["hall"])
    return JSON(await svc.hall_public())


@reads(IssueBody, query={"kiosk": {"type": "string", "description": "which kiosk (its printer)"}})
async def issue_ticket(request: Request):
    """Take a ticket (public: the kiosk and the phone).
    ---
    summary: Issue a numbered ticket for a category
    responses:
      201: {description: "{id, number, category, issued_at, ahead, estimated_wait_s, estimated_wait_min,
        wait_text: {zh, en}, serving_now, resumes_at (when no window serves now), track_token, priority,
        windows: [{id, name, name_en}], track_url, print: {status: printed|queued|failed|none, reason},
        channel: kiosk|remote}"}
      401: {description: "an X-Device-Token that is unknown or revoked (code device_revoked): pair again"}
      403: {description: "a device token that is not a kiosk of this hall"}
      404: {description: unknown hall}
      409: {description: "hall or category closed, the daily cap reached, or (remote) the remote share of it"}
      422: {description: "unknown category or kiosk, or a bad body"}
      429: {description: "a remote ticket (no paired kiosk) over the client's or the category's limit; Retry-After"}
      503: {description: "the kiosk's printer cannot print and its policy is to refuse: nothing issued"}
    """
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    # A paired kiosk (X-Device-Token) issues freely; anything else is a remote ticket, limited.
    device = await rt.devices.identify(request.headers.get("x-device-token"))
    if device is not None and (device.kind != "kiosk" or device.hall != svc.hall.id):
        raise Forbidden("此设备不是本大厅的取号机 / this device is not a kiosk of this hall", "wrong_device")
    data = await body(request, IssueBody)
    # Only a paired kiosk prints: a ticket taken on a phone or by another system has no paper to come out.
    named = ((device.kiosk or data.kiosk or request.query_params.get("kiosk"))
             if device is not None else None)
    slot = rt.printing.for_kiosk(svc.hall, named) if named else None
    cat = svc.hall.category(data.category)
    if cat is None:
        raise Invalid(f"unknown category {data.category!r}", "unknown_category")
    if slot is not None:  # a closed hall or category before an empty printer: the more useful message
        await svc.check_open(cat, rt.clock())
        rt.printing.refuse_if_unavailable(slot)
    if data.priority_kind is not None and data.priority_kind not in svc.hall.kiosk.priority_kinds:
        raise Invalid(f"this hall offers no {data.priority_kind!r} priority", "bad_priority",
                       field="priority_kind")
    phone = {"phone": data.phone, "notify": data.notify} if data.phone else {}
    if data.id_number:  # one ticket per person per day where the category asks it (services/appointments.py)
        phone["claim"] = rt.appointments.ticket_claim(svc, cat, data.id_number)
    if device is not None:
        t = await svc.issue(data.category, data.priority, data.lang, data.priority_kind, "kiosk", device=device.id,
                            **phone)
    else:
        t = await svc.issue(data.category, data.priority, data.lang, data.priority_kind, "remote",
                            client=request.client.host if request.client else "", **phone)
    windows = kiosk.serving_windows(svc.hall, svc.view.windows, cat.code)
    url = kiosk.track_url(public_base(request), svc.hall.id, t["id"], t["track_token"])
    printed = dict(NOT_PRINTED) if slot is None else await rt.printing.print_slip(
        slot, kiosk.ticket_slip(svc.hall, t, slot.notice, url, windows))
    return JSON({
        "id": t["id"], "number": t["number"], "category": t["category"],
        "issued_at": times.iso(t["issued_at"], svc.tz), "ahead": t["ahead"],
        "estimated_wait_s": t["estimated_wait_s"], "track_token": t["track_token"],
        # the same rounding and words as the tile, the slip and the phone (caller/estimate.py)
        "estimated_wait_min": t["estimated_wait_min"], "wait_text": t["wait_text"],
        "serving_now": t["serving_now"], "resumes_at": t["resumes_at"],
        "priority": data.priority, "priority_kind": data.priority_kind, "windows": windows, "track_url": url,
        "print": printed, "channel": "kiosk" if device is not None else "remote",
        "notify": bool(data.phone and data.notify),
    }, status_code=201)


@reads(query={"token": {"type": "string", "description": "the ticket's track token (its QR code)"}})
async def track_ticket(request: Request):
    """A ticket's progress for its holder (token from the ticket's QR code); a wrong token is a 404."""
    rt = runtime(request)
    tid = path_int(request, "id")
    svc, _t = await rt.ticket(tid)
    return JSON(await svc.track(tid, request.query_params.get("token", "")))


# ----- clerk actions on a ticket -----------------------------------------------------

def ticket_action(action: str):
    async def endpoint(request: Request):
        rt = runtime(request)
        user = await current_user(request)
        svc, t = await rt.ticket(path_int(request, "id"))
        kw: dict = {}
        if action == "transfer":
            data = await body(request, TransferBody)
            if data.category and svc.hall.category(data.category) is None:
                raise Invalid(f"unknown category {data.category!r}", "unknown_category")
            if data.window and svc.hall.window(data.window) is None:
                raise Invalid(f"unknown window {data.window!r}", "unknown_window")
            kw = {"category": data.category, "window": data.window, "note": data.note}
        elif action == "park":
            kw = {"note": (await body(request, NoteBody)).note}
        elif action == "complete":
            done = await body(request, CompleteBody)
            kw = {"outcome": done.outcome}
            if done.outcome == "accepted":  # the case opens in the completion's transaction
                assert done.case is not None  # CompleteBody requires it
                if svc.hall.item(done.case.item) is None:
                    raise Invalid(f"unknown business item {done.case.item!r}", "unknown_item")
                kw["also"] = rt.cases.opener(svc, user, done.case, public_base(request))
        out = await svc.ticket_action(user, t, action.replace("-", "_"), **kw)
        answer = clerk_ticket(svc, out)
        if "also" in out:
            answer["case"] = await rt.cases.opened(svc, out["also"])
        return JSON(answer)

    endpoint.__name__ = f"ticket_{action.replace('-', '_')}"
    endpoint.__doc__ = f"Clerk action on a ticket: {action}."
    bodies: dict[str, type[BaseModel]] = {"transfer": TransferBody, "park": NoteBody, "complete": CompleteBody}
    return reads(bodies.get(action))(endpoint)


# Issuing first: the router tries routes in order (app.py lists these and the window actions first).
routes = [
    Route("/api/v1/halls/{hall}/tickets", issue_ticket, methods=["POST"]),
    Route("/api/v1/halls", list_halls, methods=["GET"]),
    Route("/api/v1/halls/{hall}", get_hall, methods=["GET"]),
    Route("/api/v1/tickets/{id}", track_ticket, methods=["GET"]),
    *[Route(f"/api/v1/tickets/{{id}}/{a}", ticket_action(a), methods=["POST"])
      for a in ("recall", "start", "no-show", "complete", "transfer", "park", "resume", "reactivate")],
]
