"""The mobile outlet's visits (issue 18, point 1): the public schedule, and the manager's changes."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import TooManyRequests
from onewindow.server.services import mobile
from onewindow.server.services.limits import TokenBuckets
from onewindow.server.store import sync as sstore
from onewindow.tickets import times

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class MobileVisitBody(BaseModel):
    town: str = Field(min_length=1, max_length=64)
    place: str = Field(min_length=1, max_length=200)
    day: date
    start: str
    end: str
    categories: list[str] = Field(min_length=1, max_length=40)

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not HHMM.match(v):
            raise ValueError("a time as HH:MM")
        return v

    def row(self) -> dict:
        return {"town": self.town.strip(), "place": self.place.strip(), "day": self.day.isoformat(),
                "start": self.start, "end": self.end, "categories": list(dict.fromkeys(self.categories))}


def public(v: dict, svc) -> dict:
    names = {c.code: (c.name, c.name_en) for c in svc.hall.categories}
    return {"id": v["id"], "hall": v["hall"], "outlet": svc.hall.name, "outlet_en": svc.hall.name_en,
            "town": v["town"], "place": v["place"], "day": v["day"], "start": v["start"], "end": v["end"],
            "categories": [{"code": c, "name": names.get(c, (c, c))[0], "name_en": names.get(c, (c, c))[1]}
                           for c in v["categories"]],
            "status": v["status"], "published_at": times.iso(v["published_at"], svc.tz),
            "changed_at": times.iso(v["changed_at"], svc.tz)}


async def list_all(request: Request):
    """Every mobile outlet's published visits from today on (public: the visits page).
    ---
    summary: The published visits of the mobile outlets (流动服务网点), from today on
    responses:
      200: {description: "[{id, hall, outlet, town, place, day, start, end, categories, status}]"}
    """
    rt = runtime(request)
    mobiles = {h: s for h, s in rt.halls.items() if s.hall.kind == "mobile"}
    if not mobiles:
        return JSON([])
    tz = next(iter(mobiles.values())).tz
    since = (date.fromisoformat(times.service_day(rt.clock(), tz)) - timedelta(days=0)).isoformat()
    rows = await rt.db.read(sstore.visits, list(mobiles), since)
    return JSON([public(v, mobiles[v["hall"]]) for v in rows])


async def list_hall(request: Request):
    """One mobile outlet's published visits from today on (public)."""
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    rows = await rt.db.read(sstore.visits, [svc.hall.id], times.service_day(rt.clock(), svc.tz))
    return JSON([public(v, svc) for v in rows])


@reads(MobileVisitBody)
async def add_visit(request: Request):
    """Publish a visit (manager): at least 3 days ahead.
    ---
    summary: Publish a mobile outlet's visit (at least 3 days ahead; each town twice a month or a warning)
    responses:
      201: {description: "the visit, and warnings: towns visited fewer than twice that month"}
      409: {description: "not a mobile outlet (not_mobile)"}
      422: {description: "less than 3 days ahead (too_late), hours backwards (bad_hours), an unknown category"}
    """
    user = await require_role(request, "manager", "admin")
    svc = runtime(request).hall(request.path_params["hall"])
    data = await body(request, MobileVisitBody)
    out = await mobile.add(svc, data.row(), user.username, runtime(request).notifier)
    return JSON({**public(out, svc), "warnings": out["warnings"]}, status_code=201)


@reads(MobileVisitBody)
async def change_visit(request: Request):
    """Change a published visit (manager): the old and the new day both at least 3 days away."""
    user = await require_role(request, "manager", "admin")
    svc = runtime(request).hall(request.path_params["hall"])
    vid = path_int(request, "id")  # an id out of range is 404 whatever the body
    data = await body(request, MobileVisitBody)
    out = await mobile.change(svc, vid, data.row(), user.username, runtime(request).notifier)
    return JSON({**public(out, svc), "warnings": out["warnings"]})


async def cancel_visit(request: Request):
    """Cancel a published visit (manager), at least 3 days before it."""
    user = await require_role(request, "manager", "admin")
    svc = runtime(request).hall(request.path_params["hall"])
    out = await mobile.change(svc, path_int(request, "id"), None, user.username, runtime(request).notifier)
    return JSON({**public(out, svc), "warnings": out["warnings"]})


class SubscribeBody(BaseModel):
    town: str = Field(min_length=1, max_length=64)
    phone: str = Field(min_length=1, max_length=32)
    lang: Literal["zh", "en"] = "zh"


@reads(SubscribeBody)
async def subscribe(request: Request):
    """Leave a phone for a town's visits (public): a message when a visit there is published, moved or cancelled.
    ---
    summary: Subscribe a mobile number to a town's visits of a mobile outlet
    responses:
      201: {description: "{hall, town, lang}"}
      409: {description: "not a mobile outlet (not_mobile), or the outlet sends no messages (no_messages)"}
      422: {description: "not a mobile number (invalid_phone)"}
      429: {description: "too many from this address"}
    """
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    client = request.client.host if request.client else ""
    now = rt.clock()
    wait = SUBSCRIBE_LIMIT.wait_s(client, now)
    if wait:
        raise TooManyRequests("请稍后再试 / try again later", retry_after=wait)
    SUBSCRIBE_LIMIT.take(client, now)
    data = await body(request, SubscribeBody)
    return JSON(await mobile.subscribe(svc, rt.notifier, data.town.strip(), data.phone, data.lang), status_code=201)


SUBSCRIBE_LIMIT = TokenBuckets(5, 5 / 3600)  # per address: nobody signs up a list of strangers' phones

routes = [
    Route("/api/v1/halls/{hall}/visits/subscribers", subscribe, methods=["POST"]),
    Route("/api/v1/visits", list_all, methods=["GET"]),
    Route("/api/v1/halls/{hall}/visits", list_hall, methods=["GET"]),
    Route("/api/v1/halls/{hall}/visits", add_visit, methods=["POST"]),
    Route("/api/v1/halls/{hall}/visits/{id}", change_visit, methods=["PUT"]),
    Route("/api/v1/halls/{hall}/visits/{id}", cancel_visit, methods=["DELETE"]),
]
