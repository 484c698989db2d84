"""The kiosk's view of a hall, and a ticket's QR code for the phone (both public)."""
from __future__ import annotations

import asyncio

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route

from onewindow.server.api.common import JSON, path_int, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.services import kiosk
from onewindow.server.store import tickets as tstore
from onewindow.tickets import times


def public_base(conn: HTTPConnection) -> str:
    """Where phones reach this server: settings.public_url, else the address the request came to."""
    return runtime(conn).settings.public_url.strip() or str(conn.base_url)


@reads(query={"kiosk": {"type": "string", "description": "which kiosk (its printer)"}})
async def kiosk_view(request: Request):
    """What a kiosk shows (public; ?kiosk=ID picks its printer, else a paired kiosk's own).

    The categories, each open, closed or full (`state`, with why in `closed_reason`), what a
    ticket taken now gets (`ahead`, the wait, `serving_now`, `resumes_at`) and the windows serving it; the
    priority choices; seconds before returning to the categories; the printer's state; `sms`: whether
    the hall sends queue messages (the kiosk then offers to take a phone number)."""
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    # A paired kiosk sends its token: a revoked one learns it here (401 device_revoked) and pairs again.
    device = await rt.devices.identify(request.headers.get("x-device-token"))
    named = request.query_params.get("kiosk") or (device.kiosk if device is not None else None) or None
    slot = rt.printing.for_kiosk(svc.hall, named)
    # A kiosk page opened without ?kiosk= is the hall's first kiosk: it sends that name when issuing.
    kiosk_id = named or next((k for p in svc.hall.printers for k in p.kiosks), None)
    public = await svc.hall_public()
    now = rt.clock()
    hall_closed, visits = await svc.closed_now(now)
    statuses = {w["id"]: w for w in public["windows"]}
    issued = await svc.db.read(tstore.issued_counts, svc.hall.id, times.service_day(now, svc.tz))
    cats = []
    for c in public["categories"]:
        cat = svc.hall.category(c["code"])
        assert cat is not None  # hall_public lists the hall's own categories
        # Before the tap: closed (hall or category hours) or full (daily cap), with why.
        state, why = kiosk.category_state(cat, hall_closed or svc.category_closed(cat, now, visits),
                                          issued.get(cat.code, 0))
        cats.append({**c, "open": state == "open", "state": state, "closed_reason": why,
                     "left": max(cat.daily_cap - issued.get(cat.code, 0), 0) if cat.daily_cap else None,
                     "windows": kiosk.serving_windows(svc.hall, statuses, c["code"])})
    cfg = svc.hall.kiosk
    return JSON({
        "hall": {"id": svc.hall.id, "name": svc.hall.name, "name_en": svc.hall.name_en,
                 "timezone": svc.hall.timezone},
        "open": hall_closed is None, "closed_reason": hall_closed, "categories": cats,
        "priority_kinds": [{"code": k, "name": kiosk.PRIORITY_KINDS[k][0], "name_en": kiosk.PRIORITY_KINDS[k][1]}
                           for k in cfg.priority_kinds],
        "return_after_s": cfg.return_after_s,
        "kiosk": kiosk_id,
        "kiosks": [k for p in svc.hall.printers for k in p.kiosks],  # every kiosk id (the devices page)
        "printer": rt.printing.public(slot) if slot is not None else None,
        # Queue messages (issue 14): the kiosk offers to take a phone number only where the hall sends them.
        "sms": svc.hall.notify.channel != "off",
    })


@reads(query={"token": {"type": "string", "description": "the ticket's track token (its QR code)"}})
async def ticket_qr(request: Request):
    """The ticket's tracking link as a QR code (SVG); a wrong token is a 404."""
    rt = runtime(request)
    tid = path_int(request, "id")
    token = request.query_params.get("token", "")
    svc, _ = await rt.ticket(tid)
    await svc.track(tid, token)  # 404 unless the token is this ticket's
    url = kiosk.track_url(public_base(request), svc.hall.id, tid, token)
    svg = await asyncio.to_thread(kiosk.qr_svg, url)
    return Response(svg, media_type="image/svg+xml", headers={"cache-control": "private, max-age=86400"})


routes = [
    Route("/api/v1/halls/{hall}/kiosk", kiosk_view, methods=["GET"]),
    Route("/api/v1/tickets/{id}/qr.svg", ticket_qr, methods=["GET"]),
]
