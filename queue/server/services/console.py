"""What a clerk's console shows: a ticket as a clerk sees it, the windows
where a clerk holds a post, and the console of the window they work at (where
`next` calls, the queue it serves, the current visitor, the clerk's day, the
hall's coverage). Views assembled from the stores and the live state; the
API only serialises them."""
from __future__ import annotations

from typing import Any

from onewindow.appointments.fairness import APPOINTMENT
from onewindow.server.errors import NotFound
from onewindow.server.services import access
from onewindow.server.services.auth import User
from onewindow.server.services.coverage import CoverageWatch
from onewindow.server.services.halls import HallService
from onewindow.server.services.kiosk import PRIORITY_KINDS
from onewindow.server.store import accounts
from onewindow.server.store import appointments as astore
from onewindow.server.store import clerks as clerk_store
from onewindow.server.store import tickets as tstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.crypto import mask_phone
from onewindow.server.store.rows import TicketRow
from onewindow.tickets import times


def clerk_ticket(svc: HallService, t: TicketRow) -> dict:
    """A ticket as a clerk sees it (never the tracking token)."""
    iso = lambda ts: times.iso(ts, svc.tz)  # noqa: E731
    return {
        "id": t["id"], "number": t["number"], "category": t["category"], "status": t["status"],
        "priority": "appointment" if t["priority"] == APPOINTMENT else "priority" if t["priority"] else "normal",
        "issued_at": iso(t["issued_at"]),
        "called_at": iso(t["called_at"]), "started_at": iso(t["started_at"]), "finished_at": iso(t["finished_at"]),
        "window": t["window_id"], "clerk": t["clerk"], "call_count": t["call_count"], "first_clerk": t["first_clerk"],
        "origin_category": t["origin_category"], "target_window": t["target_window"], "note": t["note"],
        "wait_s": t["wait_s"], "walk_s": t["walk_s"], "service_s": t["service_s"],
        # the holder's phone for queue messages (issue 14): masked, as everywhere staff see it
        "phone": mask_phone(svc.box.decrypt(t["phone_enc"])) if t.get("phone_enc") and svc.box else None,
    }


def _names(people: dict[str, dict], *usernames: str | None) -> dict[str, str]:
    """Staff see people's names (张伟), not login ids: {username: display name} of those given."""
    out = {}
    for u in usernames:
        if u:
            p = people.get(u)
            out[u] = (p["display_name"] if p else None) or u
    return out


async def _people(svc: HallService) -> dict[str, dict]:
    return {u["username"]: u for u in await svc.db.read(accounts.users)}


def colleagues(svc: HallService, states: dict, people: dict[str, dict], username: str) -> list[dict]:
    """Whom an away notice may name instead (去向留言 "see instead"): the other active holders of
    the hall's A/B posts, in window order, with where they are signed in now."""
    here = {st["clerk"]: (w, bool(st["away"])) for w, st in states.items() if st["clerk"]}
    holders = dict.fromkeys(c for w in svc.hall.windows if (st := states.get(w.id))
                            for c in (st["a_clerk"], st["b_clerk"]) if c and c != username)
    out = []
    for c in holders:
        p = people.get(c)
        if p is None or not p["active"]:
            continue
        at, away = here.get(c, (None, False))
        out.append({"username": c, "name": p["display_name"] or c, "signed_in_at": at, "away": away})
    return out


async def posts_of(svc: HallService, user: User) -> dict:
    """The windows where `user` holds a post (A/B), and where they are signed in."""
    states = await svc.db.read(wstore.states, svc.hall.id)
    people = await _people(svc)
    posts = []
    for w in svc.hall.windows:
        st = states.get(w.id)
        if st is None:
            continue
        post = "A" if st["a_clerk"] == user.username else "B" if st["b_clerk"] == user.username else None
        if post or user.is_manager or not (st["a_clerk"] or st["b_clerk"]):
            posts.append({"window": w.id, "name": w.name, "name_en": w.name_en, "post": post,
                          "a_clerk": st["a_clerk"], "b_clerk": st["b_clerk"], "signed_in": st["clerk"],
                          "signed_in_name": _names(people, st["clerk"]).get(st["clerk"] or "")})
    here = next((s for s in states.values() if s["clerk"] == user.username), None)
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "signed_in_at": here["window_id"] if here else None, "away": here["away"] if here else None,
            "posts": posts}


async def view(svc: HallService, coverage: CoverageWatch, user: User, window: str) -> dict:
    """The console of `window` for `user`: where their `next` calls (the covered
    window for a takeover B), their profile, the waiting count and longest wait
    per category served, the current visitor, their day, the hall's coverage."""
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
    if current is not None and current["priority"] in ("priority", "appointment"):
        # why (elderly, disabled, green channel: a key project's booking too): recorded with the ticket's issue
        kind = await svc.db.read(tstore.priority_kind, current["id"])
        zh, en = PRIORITY_KINDS.get(kind, (None, None)) if kind else (None, None)
        current["priority_kind"] = kind if zh else None
        current["priority_reason"] = {"name": zh, "name_en": en} if zh else None
    if current is not None:  # the visitor's appointment and whether they checked in on time (issue 16)
        appt = await svc.db.read(astore.of_ticket, current["id"])
        current["appointment"] = None if appt is None else {
            "code": appt["code"], "start": times.iso(appt["start"], svc.tz),
            "checked_in_at": times.iso(appt["checked_in_at"], svc.tz), "on_time": appt["state"] == "checked_in"}
    waiting: list[dict[str, Any]] = []
    for code in serves:
        c = svc.hall.category(code)
        assert c is not None  # the windows serve the hall's categories
        waiting.append({"code": code, "name": c.name, "name_en": c.name_en, "prefix": c.prefix,
                        "waiting": svc.view.waiting.get(code, 0),
                        # what the kiosk tile says of a ticket taken now (one estimate: caller/estimate.py)
                        **svc.wait_fields(svc.wait(code, svc.next_ahead(code, svc.view.waiting))),
                        "longest_wait_s": int(now - oldest[code]) if code in oldest else 0})
    cov = coverage.current(svc.hall.id)
    stats = await svc.db.read(clerk_store.day_stats, svc.hall.id, user.username, svc.day_start(now))
    people = await _people(svc)
    names = {u: {"display_name": n, "title": (people.get(u) or {}).get("title", "")}
             for u, n in _names(people, *(s["clerk"] for s in states.values())).items()}
    involved = [user.username, cov["covering"].get(window), *(c for cs in cov["could_cover"].values() for c in cs),
                *(s for st in states.values() for s in (st["a_clerk"], st["b_clerk"], st["clerk"]))]
    if current is not None:
        involved += [current["clerk"], current["first_clerk"]]
    return {
        "window": svc.window_public(states[window], names),
        "acting_window": acting,
        "acting": svc.window_public(states[acting], names),
        "may_act": access.may_act(user.username, user.is_manager, acting, states),
        "mode": mode,
        "profile": {"window": profile.window, "categories": list(profile.categories), "covers": list(profile.covers),
                    # the post held at each covered window: B for an absent A, A standing in from elsewhere
                    "covers_as": {w: "B" if states[w]["b_clerk"] == user.username else "A" for w in profile.covers}}
        if profile else None,
        "covered_by": cov["covering"].get(window),
        "waiting": waiting,
        "longest_wait_s": max((w["longest_wait_s"] for w in waiting if w["waiting"]), default=0),
        "current": current,
        "stats": stats,
        "coverage": {"uncovered": cov["uncovered"], "could_cover": cov["could_cover"],
                     "waiting": {c: svc.view.waiting.get(c, 0) for c in cov["uncovered"]},
                     "mine": [c for c, who in cov["could_cover"].items() if user.username in who]},
        "names": _names(people, *involved),  # {username: display name} of everyone named above
        "colleagues": colleagues(svc, states, people, user.username),
        "at": times.iso(now, svc.tz),
    }
