"""The mobile outlet's sync (issue 18): a paired van's signed requests (services/sync.py), and the
manager's view of its batches."""
from __future__ import annotations

import json

from starlette.requests import ClientDisconnect, Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, require_role, runtime
from onewindow.server.api.limits import parse_json
from onewindow.server.errors import BadRequest, Invalid, TooLarge
from onewindow.server.services.sync import SyncCentre
from onewindow.tickets import times

MAX_SYNC_BODY = 32 * 1024 * 1024  # a batch: up to 500 rows of each table


async def _signed(request: Request) -> tuple[SyncCentre, dict, float, dict]:
    raw = bytearray()
    try:
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_SYNC_BODY:
                raise TooLarge(f"body larger than {MAX_SYNC_BODY} bytes")
    except ClientDisconnect:  # the link was cut mid-batch: nothing applied; the van sends it again
        raise BadRequest("the request was cut off", "cut_off") from None
    centre = SyncCentre(runtime(request))
    client = request.client.host if request.client else ""
    dev, sent_at = await centre.authenticate(request.method, request.url.path, request.headers, bytes(raw), client)
    data = parse_json(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise Invalid("body must be a JSON object", "bad_body")
    return centre, dev, sent_at, data


async def outfit(request: Request):
    """The van takes its outlet's configuration, the accounts (password hashes) and the calendar (signed van).
    ---
    summary: Outfit a mobile outlet's van before it leaves (signed by the paired van)
    responses:
      200: {description: "{hall, config, users, calendar, public_url, now}"}
      401: {description: "unsigned, a bad signature, an unknown or revoked device (audited)"}
      403: {description: "not a mobile outlet's van (audited)"}
    """
    centre, dev, _, _ = await _signed(request)
    return JSON(await centre.outfit(dev))


async def batches(request: Request):
    """A batch of the van's rows (signed van): applied once; a replay answers the same acknowledgement.
    ---
    summary: Push a numbered batch of a van's rows (idempotent, in order)
    responses:
      200: {description: "{seq, replay, marks, counts, offset_s, conflicts}"}
      401: {description: "unsigned, a bad signature, an unknown or revoked device (audited)"}
      403: {description: "not a mobile outlet's van, or a row of another outlet"}
      409: {description: "a batch out of order (sync_gap, expected)"}
      422: {description: "a malformed batch"}
    """
    centre, dev, sent_at, data = await _signed(request)
    return JSON(await centre.apply(dev, sent_at, data))


async def changes(request: Request):
    """What changed centrally: accounts, configuration, calendar years, the status of the van's cases (signed van)."""
    centre, dev, sent_at, _ = await _signed(request)
    return JSON(await centre.changes(dev, sent_at))


async def status(request: Request):
    """A mobile outlet's syncs (manager): each batch, when, its rows, the van's clock offset."""
    await require_role(request, "manager", "admin")
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    rows = await rt.db.read(lambda tx: [dict(r) for r in tx.all(
        "SELECT seq, device, received_at, sent_at, offset_s, counts FROM sync_batch WHERE outlet = :o "
        "ORDER BY seq DESC LIMIT 200", {"o": svc.hall.id})])
    return JSON([{**r, "received_at": times.iso(r["received_at"], svc.tz), "sent_at": times.iso(r["sent_at"], svc.tz),
                  "counts": json.loads(r["counts"])} for r in rows])


routes = [
    Route("/api/v1/sync/outfit", outfit, methods=["POST"]),
    Route("/api/v1/sync/batches", batches, methods=["POST"]),
    Route("/api/v1/sync/changes", changes, methods=["POST"]),
    Route("/api/v1/halls/{hall}/sync", status, methods=["GET"]),
]
