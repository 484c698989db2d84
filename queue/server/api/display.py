"""What call screens fetch besides their websocket: announcement WAVs, the
published business items, and (for the hall manager) which screens are muted."""
from __future__ import annotations

import asyncio
import re

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from onewindow.server.api.common import JSON, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.config import Limit
from onewindow.server.errors import NotFound
from onewindow.tickets import times

_KEY = re.compile(r"[0-9a-f]{32}")
_UNITS = {"working_days": ("个工作日", "working days"), "calendar_days": ("个自然日", "calendar days"),
          "hours": ("小时", "hours")}


@reads(path={"key": {"type": "string", "description": "32 hex digits"}})
async def audio(request: Request):
    """An announcement WAV (public): the `audio` URL of an `announce` event."""
    key = request.path_params["key"]
    announcer = runtime(request).announcer
    # Only 32 hex digits ever reach the file system: no path traversal.
    path = await asyncio.to_thread(announcer.path_for, key) if _KEY.fullmatch(key) else None
    if path is None:
        raise NotFound("no such announcement")
    # The name is a hash of the content: it never changes, cache it for long.
    return FileResponse(path, media_type="audio/wav",
                        headers={"cache-control": "public, max-age=31536000, immutable"})


def limit_public(limit: Limit | None) -> dict | None:
    if limit is None:
        return None
    zh, en = _UNITS[limit.unit]
    return {"amount": limit.amount, "unit": limit.unit, "text": f"{limit.amount}{zh} / {limit.amount} {en}"}


async def hall_items(request: Request):
    """Published business items of a hall (public): materials, time limits, fees; and the hall's notice."""
    hall = runtime(request).hall(request.path_params["hall"]).hall
    cats = {i.code: [c.code for c in hall.categories if i.code in c.items] for i in hall.items}
    return JSON({
        "hall": hall.id,
        "notice": hall.notice,
        "items": [{
            "code": i.code, "name": i.name, "name_en": i.name_en, "categories": cats[i.code],
            "materials": list(i.materials), "promised": limit_public(i.promised),
            "statutory": limit_public(i.statutory), "instant": i.instant, "fees": i.fees,
        } for i in hall.items],
    }, headers={"cache-control": "no-cache"})


async def hall_screens(request: Request):
    """The hall's call screens (manager): connected now or when last seen, and whether they can play sound.
    ---
    summary: The hall's call screens, connected or last seen (manager)
    description: >
      One entry per screen name (`?screen=` of the display socket), connected ones first:
      `connected`, `connections` (open sockets), `since` (connected since), `last_seen`, and
      `muted` (true/false as the screen last reported while connected; null when it has not
      said or is gone). At most 100 screens are listed: a new one replaces the screen that left
      longest ago.
    responses:
      200: {description: "[{screen, connected, connections, muted, since, last_seen}]"}
      401: {description: "not signed in"}
      403: {description: "not a manager"}
    """
    await require_role(request, "manager", "admin")
    svc = runtime(request).hall(request.path_params["hall"])
    return JSON([{"screen": e["screen"], "connected": e["connections"] > 0, "connections": e["connections"],
                  "muted": e["muted"], "since": times.iso(e["since"], svc.tz),
                  "last_seen": times.iso(e["last_seen"], svc.tz)} for e in svc.view.screens.listing()])


routes = [
    Route("/audio/{key}.wav", audio, methods=["GET"]),
    Route("/api/v1/halls/{hall}/items", hall_items, methods=["GET"]),
    Route("/api/v1/halls/{hall}/screens", hall_screens, methods=["GET"]),
]
