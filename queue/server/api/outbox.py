"""The manager's view of the notifications outbox."""
from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, require_role, runtime


async def outbox(request: Request):
    """Messages to applicants: counts by state, retrying, the latest failures (manager).
    ---
    summary: The hall's notifications outbox (manager)
    description: >
      states: how many messages are queued, sending, sent, delivered and failed;
      retrying: queued again after a failed try; by_channel: the same per channel;
      failures: the latest failed or retrying messages with their error, tries and
      segments, the recipient masked (138****5678). Text bodies are not shown.
    responses:
      200: {description: "{hall, channel, states, retrying, by_channel, failures}"}
      401: {description: "not signed in"}
      403: {description: "not a manager"}
      404: {description: "unknown hall"}
    """
    await require_role(request, "manager", "admin")
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    assert rt.notifier is not None  # built by Runtime.start
    return JSON(await rt.notifier.summary(svc.hall.id))


routes = [
    Route("/api/v1/halls/{hall}/outbox", outbox, methods=["GET"]),
]
