"""Every /windows/ route, and what a clerk's console reads: a window's own
actions (sign-in, sign-out, next, call a number, away with a whereabouts
notice, back), the coverage check before an away or a sign-out, A/B post
changes, the lunch rota, the live coverage, the console itself, the rating
pad's last completed ticket, and today's tickets by number."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, current_user, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Forbidden, Invalid, NotFound
from onewindow.server.services import access, console
from onewindow.server.services.console import clerk_ticket
from onewindow.server.services.coverage import change_for, rota_report, violations
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import tickets as tstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.rows import TicketRow
from onewindow.tickets import times

_USER = r"^[a-z][a-z0-9_.-]{1,63}$"


class AwayBody(BaseModel):
    """去向留言: where, why, until when, whom to see instead."""

    reason: Literal["meeting", "lunch", "back_office", "leave", "other"]
    back_at: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    see_instead: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=200)


class CallBody(BaseModel):
    number: str = Field(pattern=r"^\s*[A-Za-z]{1,2}\d{1,5}\s*$")


class CheckBody(BaseModel):
    action: Literal["away", "sign-out", "sign-in", "posts"]
    a_clerk: str | None = Field(default=None, pattern=_USER)  # for "posts"
    b_clerk: str | None = Field(default=None, pattern=_USER)


class PostsBody(BaseModel):
    a_clerk: str | None = Field(default=None, pattern=_USER)
    b_clerk: str | None = Field(default=None, pattern=_USER)
    dry_run: bool = False

    @model_validator(mode="after")
    def _distinct(self) -> PostsBody:
        if self.a_clerk is not None and self.a_clerk == self.b_clerk:
            raise ValueError("the A and B posts must be held by different clerks")
        return self


def _svc(request: Request) -> HallService:
    return runtime(request).hall(request.path_params["hall"])


def _window_of(svc: HallService, request: Request) -> str:
    return svc.window_or_404(request.path_params["window"]).id


def _violations_public(svc: HallService, found) -> list[dict]:
    out = []
    for v in found:
        cat = svc.hall.category(v.category)
        out.append({"category": v.category, "name": cat.name if cat else v.category,
                    "name_en": cat.name_en if cat else v.category, "waiting": v.waiting,
                    "could_cover": list(v.could_cover)})
    return out


@reads(CheckBody)
async def check_window(request: Request):
    """Warn before confirming: the categories an action at this window would leave uncovered.
    ---
    summary: Which waiting categories an away, sign-out, sign-in or post change would leave uncovered
    description: >
      Body {"action": "away"|"sign-out"|"sign-in"|"posts", "a_clerk"?, "b_clerk"?}. Answers
      {"violations": [{category, name, name_en, waiting, could_cover}], "uncovered": [...]}:
      the categories with people waiting that the change would newly leave without a staffed
      window (none outside opening hours), and those uncovered already. Nothing changes.
    responses:
      200: {description: "{violations, uncovered}"}
      401: {description: not signed in}
    """
    user = await current_user(request)
    svc = _svc(request)
    window = _window_of(svc, request)
    data = await body(request, CheckBody)
    states = await svc.db.read(wstore.states, svc.hall.id)
    change = change_for(data.action, window, states, user.username, data.a_clerk, data.b_clerk)
    found = violations(svc, states, change, svc.clock())
    return JSON({"violations": _violations_public(svc, found),
                 "uncovered": runtime(request).coverage.current(svc.hall.id)["uncovered"]})


@reads(PostsBody)
async def set_posts(request: Request):
    """Change a window's A/B posts during the day (manager; audited).
    ---
    summary: Change a window's A and B posts (manager, admin)
    description: >
      Body {"a_clerk", "b_clerk", "dry_run"?}. Either may be null (no post). Answers the window
      and the categories the change leaves uncovered; with dry_run only the latter, nothing changes.
    responses:
      200: {description: "{window, violations}"}
      403: {description: not a manager}
      422: {description: unknown clerk or the same clerk on both posts}
    """
    user = await require_role(request, "manager", "admin")
    svc = _svc(request)
    window = _window_of(svc, request)
    data = await body(request, PostsBody)
    for name in (data.a_clerk, data.b_clerk):
        if name is not None and await svc.db.read(accounts.user_by_name, name) is None:
            raise Invalid(f"unknown clerk {name!r}", "unknown_user")
    states = await svc.db.read(wstore.states, svc.hall.id)
    change = change_for("posts", window, states, user.username, data.a_clerk, data.b_clerk)
    found = _violations_public(svc, violations(svc, states, change, svc.clock()))
    if data.dry_run:
        return JSON({"window": None, "violations": found})
    return JSON({"window": await svc.set_posts(user, window, data.a_clerk, data.b_clerk), "violations": found})


async def get_rota(request: Request):
    """The lunchtime rota (午间轮岗值班) from configuration, with its gaps against the coverage invariant."""
    await current_user(request)
    return JSON(rota_report(_svc(request).hall))


async def get_coverage(request: Request):
    """The hall's coverage now: uncovered categories, who could cover, which B covers which window."""
    await current_user(request)
    return JSON(runtime(request).coverage.current(_svc(request).hall.id))


async def me(request: Request):
    """The signed-in clerk at this hall: the windows where they hold a post (A/B), where they are signed in."""
    user = await current_user(request)
    return JSON(await console.posts_of(_svc(request), user))


async def console_view(request: Request):
    """What a clerk's console shows for the window they are signed in at.
    ---
    summary: A clerk's console figures for a window
    description: >
      acting_window (where `next` calls: the covered window for a takeover B), the
      clerk's profile (categories served in order, windows covered), the waiting count
      and longest wait per category served, the current visitor, the clerk's day
      (served, mean service time, ratings) and the hall's uncovered categories.
    responses:
      200: {description: the console state}
      401: {description: not signed in}
    """
    user = await current_user(request)
    svc = _svc(request)
    window = _window_of(svc, request)
    states = await svc.db.read(wstore.states, svc.hall.id)
    if not access.may_view_window(user.username, user.is_manager, window, states):  # issue 13, point 4
        raise Forbidden("only a post holder of this window, the clerk signed in there or a manager may see "
                        "its console", "not_your_window")
    return JSON(await console.view(svc, runtime(request).coverage, user, window))


async def last_completed(request: Request):
    """For a window's rating pad: the ticket just completed there (number only) and whether it is rated."""
    rs = runtime(request).rating(request.path_params["hall"])
    return JSON(await rs.last_completed(request.path_params["window"]))


async def _by_number(request: Request) -> tuple[HallService, TicketRow]:
    svc = _svc(request)
    number = request.path_params["number"].strip().upper()
    day = times.service_day(svc.clock(), svc.tz)
    return svc, await svc.db.read(tstore.by_number, svc.hall.id, day, number)


async def ticket_by_number(request: Request):
    """Today's ticket with this number, as a clerk sees it (staff)."""
    await current_user(request)
    svc, t = await _by_number(request)
    return JSON(clerk_ticket(svc, t))


async def reactivate_by_number(request: Request):
    """A late visitor (no-show) by today's number goes back to waiting (staff; the hall's late_arrival rule)."""
    user = await current_user(request)
    svc, t = await _by_number(request)
    return JSON(clerk_ticket(svc, await svc.ticket_action(user, t, "reactivate")))


# ----- a window's own actions ------------------------------------------------------

async def _window_call(request: Request, action: str):
    svc = runtime(request).hall(request.path_params["hall"])
    user = await current_user(request)
    window = request.path_params["window"]
    if action == "sign-in":
        return JSON(await svc.sign_in(user, window))
    if action == "sign-out":
        return JSON(await svc.sign_out(user, window))
    if action == "next":
        t = await svc.next(user, window)
        return Response(status_code=204) if t is None else JSON(clerk_ticket(svc, t))
    if action == "away":
        data = await body(request, AwayBody)
        notice = data.model_dump()
        if data.see_instead and svc.hall.window(data.see_instead) is None:  # not a window: a colleague?
            who = await svc.db.read(accounts.user_by_name, data.see_instead)
            if who is None or not who["active"]:
                raise Invalid(f"unknown window or colleague {data.see_instead!r}", "unknown_window")
            notice["see_instead_name"] = who["display_name"] or who["username"]  # what screens show
        return JSON(await svc.set_away(user, window, notice))
    if action == "back":
        return JSON(await svc.set_away(user, window, None))
    if action == "call":
        call = await body(request, CallBody)
        return JSON(clerk_ticket(svc, await svc.call_number(user, window, call.number)))
    raise NotFound("unknown action")  # pragma: no cover - routes name the actions


def window_action(action: str):
    async def endpoint(request: Request):
        return await _window_call(request, action)

    endpoint.__name__ = f"window_{action.replace('-', '_')}"
    endpoint.__doc__ = {
        "sign-in": "Sign in at a window (a clerk holding a post there, or a manager).",
        "sign-out": "Sign out of a window.",
        "next": "Call the next ticket this window serves: 200 the ticket, 204 when none waits.",
        "call": "Call a specific waiting ticket by its number.",
        "away": "Step away with a whereabouts notice (shown on the call screen).",
        "back": "Back at the window: the notice is taken down.",
    }[action]
    bodies: dict[str, type[BaseModel]] = {"away": AwayBody, "call": CallBody}
    return reads(bodies.get(action))(endpoint)


# The clerks' busiest first: the router tries routes in order (app.py lists these early).
routes = [
    *[Route(f"/api/v1/halls/{{hall}}/windows/{{window}}/{a}", window_action(a), methods=["POST"])
      for a in ("next", "sign-in", "sign-out", "call", "away", "back")],
    Route("/api/v1/halls/{hall}/windows/{window}/check", check_window, methods=["POST"]),
    Route("/api/v1/halls/{hall}/windows/{window}/posts", set_posts, methods=["PUT"]),
    Route("/api/v1/halls/{hall}/windows/{window}/console", console_view, methods=["GET"]),
    Route("/api/v1/halls/{hall}/windows/{window}/last-completed", last_completed, methods=["GET"]),
    Route("/api/v1/halls/{hall}/rota", get_rota, methods=["GET"]),
    Route("/api/v1/halls/{hall}/coverage", get_coverage, methods=["GET"]),
    Route("/api/v1/halls/{hall}/me", me, methods=["GET"]),
    Route("/api/v1/halls/{hall}/tickets/by-number/{number}", ticket_by_number, methods=["GET"]),
    Route("/api/v1/halls/{hall}/tickets/by-number/{number}/reactivate", reactivate_by_number, methods=["POST"]),
]
