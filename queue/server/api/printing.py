"""Printing at a window (the case receipt, the one-time notice) and the printers' state (staff)."""
from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.kiosk import public_base
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Forbidden, Invalid
from onewindow.server.services import access, receipts
from onewindow.server.store import accounts
from onewindow.server.store import windows as wstore

STAFF = ("clerk", "manager", "admin")


class ReceiptBody(BaseModel):
    window: str | None = Field(default=None, min_length=1, max_length=32)  # default: the case's window


class NoticeBody(BaseModel):
    item: str = Field(min_length=1, max_length=40)
    missing: list[str] = Field(min_length=1, max_length=50)
    window: str | None = Field(default=None, min_length=1, max_length=32)  # default: the ticket's window


async def _display_name(rt, username: str | None) -> str:
    if not username:
        return ""
    row = await rt.db.read(accounts.user_by_name, username)
    return (row["display_name"] if row else "") or username


def _window(svc, window: str | None) -> str | None:
    if window is not None and svc.hall.window(window) is None:
        raise Invalid(f"unknown window {window!r}", "unknown_window", field="window")
    return window


async def _may_print_at(svc, user, window: str | None) -> None:
    """Another window's printer (named in the body) only for who may use that window (access.may_view_window)."""
    if window is None:
        return
    states = await svc.db.read(wstore.states, svc.hall.id)
    if not access.may_view_window(user.username, user.is_manager, window, states):
        raise Forbidden(f"not your window's printer: {window}", "not_your_window")


@reads(ReceiptBody)
async def print_receipt(request: Request):
    """Print a case's receipt 《接收单》 at the window's printer: {print: {status, reason}} (staff)."""
    user = await require_role(request, *STAFF)
    rt = runtime(request)
    data = await body(request, ReceiptBody)
    await rt.cases.authorize(user, path_int(request, "id"))  # 403 unless the case is the user's to handle
    case = await rt.cases.case(path_int(request, "id"))
    svc = rt.hall(case["hall"])
    window = _window(svc, data.window) or case["window"]
    await _may_print_at(svc, user, data.window)
    track = await rt.tracking.link(case["id"], public_base(request)) if rt.tracking is not None else None
    slip = receipts.case_receipt(svc.hall, case, await _display_name(rt, case["clerk"]), track)
    result = await rt.printing.print_slip(rt.printing.for_window(svc.hall, window), slip)
    await rt.audit(user.username, "print_receipt", case=case["number"], window=window, status=result["status"])
    return JSON({"case": case["number"], "window": window, "print": result})


@reads(NoticeBody)
async def print_notice(request: Request):
    """Print the one-time notification 《一次性告知单》 of a ticket's missing materials (staff).
    ---
    summary: Print a one-time notice of missing materials
    description: 'Body: {"item", "missing": [materials from the item''s checklist], "window"?}'
    responses:
      200: {description: "{ticket, window, missing, print: {status: printed|queued|failed|none, reason}}"}
      422: {description: "unknown item or window, or a material not on the checklist"}
    """
    user = await require_role(request, *STAFF)
    rt = runtime(request)
    data = await body(request, NoticeBody)
    svc, t = await rt.ticket(path_int(request, "id"))
    states = await rt.db.read(wstore.states, svc.hall.id)
    if not access.may_handle_ticket(user.username, user.is_manager, t["clerk"], t["window_id"], states):
        raise Forbidden("only the clerk serving this ticket, a post holder of its window or a manager may "
                        "print its notice", "not_your_ticket")
    item = svc.hall.item(data.item)
    if item is None:
        raise Invalid(f"unknown business item {data.item!r}", "unknown_item", field="item")
    missing = receipts.checked_missing(item, data.missing)
    window = _window(svc, data.window) or t["window_id"]
    await _may_print_at(svc, user, data.window)
    slip = receipts.missing_notice(svc.hall, item, missing, window, user.display_name or user.username, rt.clock())
    result = await rt.printing.print_slip(rt.printing.for_window(svc.hall, window), slip)
    await rt.audit(user.username, "print_notice", ticket=t["number"], item=item.code, missing=missing,
                   status=result["status"])
    return JSON({"ticket": t["number"], "window": window, "missing": missing, "print": result})


async def hall_printers(request: Request):
    """The hall's printers: state (ok, paper_near_end, paper_out, offline, unknown), slips printed and failed
    (staff)."""
    await require_role(request, *STAFF)
    rt = runtime(request)
    return JSON(rt.printing.printers(rt.hall(request.path_params["hall"]).hall.id))


routes = [
    Route("/api/v1/cases/{id}/receipt/print", print_receipt, methods=["POST"]),
    Route("/api/v1/tickets/{id}/notice/print", print_notice, methods=["POST"]),
    Route("/api/v1/halls/{hall}/printers", hall_printers, methods=["GET"]),
]
