"""The hall manager's dashboard, reports with CSV/XLSX export, and /metrics."""
from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, current_user, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.services import metrics as prom
from onewindow.server.services import reporting
from onewindow.server.services.ratings import RatingService, parse_day
from onewindow.server.store import acks as ackstore
from onewindow.tickets import times

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAYS = {"from": {"type": "string", "format": "date", "description": "first day (default today)"},
        "to": {"type": "string", "format": "date", "description": "last day, inclusive"}}


async def _manager_hall(request: Request) -> RatingService:
    await require_role(request, "manager", "admin")
    return runtime(request).rating(request.path_params["hall"])


async def dashboard(request: Request):
    """The manager's live dashboard: now (queues, windows, alerts, open tasks) and today's figures.
    ---
    summary: The hall manager's dashboard figures (manager)
    description: >
      now: waiting per category, the longest wait, each window (serving, idle, away
      with its notice, A/B post on duty), alerts, open rectification tasks, carded cases.
      today: tickets issued/served/no-shows, mean and p90 wait, walk and service per
      category, window and clerk, service level, utilisation, ratings, and the day's
      arrivals and waits per 15 minutes. printers: each printer's state.
      Each alert is told once under its `key` (however many sources tell of it), with
      `since`, `at` and `acknowledged` ({by, by_name, at} or null); `now.tiles` says the
      level (ok, warn, bad, neutral) of each tile by the hall's thresholds. People carry
      their display names beside their login ids (`a_clerk_name`, `clerk_names`, ...).
    responses:
      200: {description: "{hall, at, now, today, printers}"}
      401: {description: "not signed in"}
      403: {description: "not a manager"}
    """
    rs = await _manager_hall(request)
    coverage = runtime(request).coverage
    out = await rs.dashboard(coverage.current(rs.hall.id) if coverage is not None else None)
    out["printers"] = runtime(request).printing.printers(rs.hall.id)  # live changes: `printer` events
    return JSON(out)


class AckBody(BaseModel):
    key: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.,:-]+$")


@reads(body=AckBody)
async def acknowledge_alert(request: Request):
    """Acknowledge a dashboard alert by its key: who and when are kept and audited (manager).
    ---
    summary: Acknowledge a dashboard alert (manager)
    description: >
      The alert stays listed while it lasts, marked acknowledged by this person at this
      time; should it end and come back, it is news again. Every dashboard of the hall
      hears it (`alert_ack` on the console socket).
    responses:
      200: {description: "{key, by, by_name, at}"}
      401: {description: "not signed in"}
      403: {description: "not a manager"}
      422: {description: "no key, or not an alert key"}
    """
    user = await require_role(request, "manager", "admin")
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    data = await body(request, AckBody)
    ack = await rt.db.write(ackstore.acknowledge, hall=svc.hall.id, key=data.key, by=user.username, now=rt.clock())
    out = {"key": data.key, "by": user.username, "by_name": user.display_name or user.username,
           "at": times.iso(ack["at"], svc.tz)}
    rt.hub.publish(svc.hall.id, "alert_ack", out)  # staff only: other dashboards mark it too
    return JSON(out)


async def _report(request: Request, download: str | None = None):
    rs = await _manager_hall(request)
    today = datetime.fromtimestamp(rs.clock(), rs.tz).date()
    q = request.query_params
    first = parse_day(q.get("from"), today, "from")
    last = parse_day(q.get("to"), first if q.get("from") else today, "to")
    report, tasks = await rs.report(first, last)
    if download:  # a report leaving the server: audited (the figures on screen are not)
        user = await current_user(request)
        await runtime(request).audit(user.username, "report_download", hall=rs.hall.id, format=download,
                                     **{"from": first.isoformat(), "to": last.isoformat()})
    return rs, report, tasks


def _filename(report: dict, ext: str) -> str:
    return f"onewindow-{report['hall']}-{report['from']}-{report['to']}.{ext}"


@reads(query=DAYS)
async def report(request: Request):
    """Figures over a date range (?from=YYYY-MM-DD&to=YYYY-MM-DD, inclusive; default today) (manager).
    ---
    summary: Report by day, category, window and clerk; utilisation; ratings; promises (manager)
    responses:
      200: {description: "{totals, by_day, by_category, by_window, by_clerk, utilisation, ratings, cases}"}
      422: {description: "a bad date or range"}
    """
    _, rep, tasks = await _report(request)
    return JSON({**rep, "tasks": tasks})


@reads(query=DAYS)
async def report_csv(request: Request):
    """The report as CSV (UTF-8 with BOM): one row per total, day, category, window and clerk (manager)."""
    _, rep, _ = await _report(request, "csv")
    data = await asyncio.to_thread(reporting.to_csv, rep)
    return Response(data, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{_filename(rep, "csv")}"'})


@reads(query=DAYS)
async def report_xlsx(request: Request):
    """The report as an Excel workbook: summary, figures, ratings, tasks (manager)."""
    _, rep, tasks = await _report(request, "xlsx")
    data = await asyncio.to_thread(reporting.to_xlsx, rep, tasks)
    return Response(data, media_type=XLSX,
                    headers={"content-disposition": f'attachment; filename="{_filename(rep, "xlsx")}"'})


async def metrics(request: Request):
    """Prometheus metrics: queue lengths, waits, calls, windows, websocket subscribers, ratings."""
    return Response(await prom.scrape(runtime(request)), media_type=prom.CONTENT_TYPE_LATEST)


routes = [
    Route("/api/v1/halls/{hall}/dashboard", dashboard, methods=["GET"]),
    Route("/api/v1/halls/{hall}/dashboard/alerts/ack", acknowledge_alert, methods=["POST"]),
    Route("/api/v1/halls/{hall}/reports", report, methods=["GET"]),
    Route("/api/v1/halls/{hall}/reports.csv", report_csv, methods=["GET"]),
    Route("/api/v1/halls/{hall}/reports.xlsx", report_xlsx, methods=["GET"]),
    Route("/metrics", metrics, methods=["GET"]),
]
