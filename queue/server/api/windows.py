"""Windows and their A/B posts: the coverage check before an away or a
sign-out, post changes, the lunch rota, the live coverage, and what a clerk's
console reads (its window, its queue, the clerk's day; tickets by number)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, current_user, require_role, runtime
from onewindow.server.api.tickets import clerk_ticket
from onewindow.server.errors import Invalid, NotFound
from onewindow.server.services import access
from onewindow.server.services.coverage import change_for, rota_report, violations
from onewindow.server.services.halls import HallService
from onewindow.server.store import accounts
from onewindow.server.store import clerks as clerk_store
from onewindow.server.store import tickets as tstore
from onewindow.server.store import windows as wstore
from onewindow.tickets import times

_USER = r"^[a-z][a-z0-9_.-]{1,63}$"


class CheckBody(BaseModel):
    action: Literal["away", "sign-out", "sign-in", "posts"]
    a_clerk: str | None = Field(default=None, pattern=_USER)  # for "posts"
    b_clerk: str | None = Field(default=None, pattern=_USER)


class PostsBody(BaseModel):
    a_clerk: str | None = Field(default=None, pattern=_USER)
    b_clerk: str | None = Field(default=None, pattern=_USER)
    dry_run: bool = False

    @model_validator(mode="after")
    def _distinct(self) -> "PostsBody":
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
    svc = _svc(request)
    states = await svc.db.read(wstore.states, svc.hall.id)
    posts = []
    for w in svc.hall.windows:
        st = states.get(w.id)
        if st is None:
            continue
        post = "A" if st["a_clerk"] == user.username else "B" if st["b_clerk"] == user.username else None
        if post or user.is_manager or not (st["a_clerk"] or st["b_clerk"]):
            posts.append({"window": w.id, "name": w.name, "name_en": w.name_en, "post": post,
                          "a_clerk": st["a_clerk"], "b_clerk": st["b_clerk"], "signed_in": st["clerk"]})
    here = next((s for s in states.values() if s["clerk"] == user.username), None)
    return JSON({"username": user.username, "display_name": user.display_name, "role": user.role,
                 "signed_in_at": here["window"] if here else None, "away": here["away"] if here else None,
                 "posts": posts})


async def console(request: Request):
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
    rt = runtime(request)
    now = svc.clock()
    states = await svc.db.read(wstore.states, svc.hall.id)
    mode = svc.hall.queue.coverage_mode
    profile = access.coverage(svc.own, states, mode).profiles.get(user.username)
    mine = states[window]["clerk"] == user.username
    acting = profile.window if (profile is not None and mine) else window
    serves = access.next_categories(acting, svc.own, states, mode, user.username)
    oldest = await svc.db.read(clerk_store.oldest_waiting, svc.hall.id)
    current = None
    if states[acting]["current_ticket"]:
        try:
            current = clerk_ticket(svc, await svc.db.read(tstore.get, states[acting]["current_ticket"]))
        except NotFound:
            current = None
    waiting = []
    for code in serves:
        c = svc.hall.category(code)
        waiting.append({"code": code, "name": c.name, "name_en": c.name_en, "prefix": c.prefix,
                        "waiting": svc.view.waiting.get(code, 0),
                        "longest_wait_s": int(now - oldest[code]) if code in oldest else 0})
    cov = rt.coverage.current(svc.hall.id)
    stats = await svc.db.read(clerk_store.day_stats, svc.hall.id, user.username, svc._day_start(now))
    names = await svc._display_names({s["clerk"] for s in states.values() if s["clerk"]})
    return JSON({
        "window": svc.window_public(states[window], names),
        "acting_window": acting,
        "acting": svc.window_public(states[acting], names),
        "may_act": access.may_act(user.username, user.is_manager, acting, states),
        "mode": mode,
        "profile": {"window": profile.window, "categories": list(profile.categories), "covers": list(profile.covers)}
        if profile else None,
        "covered_by": cov["covering"].get(window),
        "waiting": waiting,
        "longest_wait_s": max((w["longest_wait_s"] for w in waiting if w["waiting"]), default=0),
        "current": current,
        "stats": stats,
        "coverage": {"uncovered": cov["uncovered"], "could_cover": cov["could_cover"],
                     "waiting": {c: svc.view.waiting.get(c, 0) for c in cov["uncovered"]},
                     "mine": [c for c, who in cov["could_cover"].items() if user.username in who]},
        "at": times.iso(now, svc.tz),
    })


async def _by_number(request: Request) -> tuple[HallService, dict]:
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


routes = [
    Route("/api/v1/halls/{hall}/windows/{window}/check", check_window, methods=["POST"]),
    Route("/api/v1/halls/{hall}/windows/{window}/posts", set_posts, methods=["PUT"]),
    Route("/api/v1/halls/{hall}/windows/{window}/console", console, methods=["GET"]),
    Route("/api/v1/halls/{hall}/rota", get_rota, methods=["GET"]),
    Route("/api/v1/halls/{hall}/coverage", get_coverage, methods=["GET"]),
    Route("/api/v1/halls/{hall}/me", me, methods=["GET"]),
    Route("/api/v1/halls/{hall}/tickets/by-number/{number}", ticket_by_number, methods=["GET"]),
    Route("/api/v1/halls/{hall}/tickets/by-number/{number}/reactivate", reactivate_by_number, methods=["POST"]),
]
