"""The bureau above the halls (issue 17): the overview across outlets, their reports and exports.
The bureau manager reads here and in every hall; changes nothing in any (api/common.py)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, require_role, runtime
from onewindow.server.api.exports import _public as export_public
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Invalid
from onewindow.server.services import bureau
from onewindow.server.services.auth import BUREAU, User
from onewindow.server.services.ratings import RatingService, parse_day

DAYS = {"from": {"type": "string", "format": "date", "description": "first day (default today)"},
        "to": {"type": "string", "format": "date", "description": "last day, inclusive"}}


async def _bureau(request: Request) -> User:
    return await require_role(request, BUREAU, "admin")


def _today(request: Request) -> date:
    rt = runtime(request)
    tz = next(iter(rt.halls.values())).tz
    return datetime.fromtimestamp(rt.clock(), tz).date()


@reads(query={"year": {"type": "integer", "description": "the year judged (default this year, to date)"}})
async def overview(request: Request):
    """Every outlet at a glance: live waiting, longest wait, open windows, served today, and the year's
    bad-rating rate, utilisation (with the 30% merge flag) and promises kept (bureau manager, admin).
    ---
    summary: The bureau's view across outlets (bureau manager, admin)
    responses:
      200: {description: "{at, year, outlets: [{id, name, kind, address, opening_days, visits, open_today, now,
        today, year}], totals, definitions}"}
      401: {description: "not signed in"}
      403: {description: "neither a bureau manager nor an admin"}
      422: {description: "a bad year"}
    """
    await _bureau(request)
    raw = request.query_params.get("year")
    year = None
    if raw:
        if not raw.isdigit() or len(raw) != 4:
            raise Invalid("year: a four-digit year", "invalid", field="year")
        year = int(raw)
        bureau.check_year(year, _today(request).year)
    return JSON(await bureau.overview(runtime(request), year))


async def _range(request: Request) -> tuple[date, date]:
    await _bureau(request)
    today = _today(request)
    q = request.query_params
    first = parse_day(q.get("from"), today, "from")
    last = parse_day(q.get("to"), first if q.get("from") else today, "to")
    RatingService.check_range(first, last)
    return first, last


@reads(query=DAYS)
async def reports(request: Request):
    """Each outlet's report over a date range (?from&to, inclusive; default today), as the hall's
    report (GET /api/v1/halls/{hall}/reports) with its `outlet` (bureau manager, admin)."""
    first, last = await _range(request)
    reps = await bureau.reports(runtime(request), first, last)
    return JSON({"from": first.isoformat(), "to": last.isoformat(), "outlets": reps})


@reads(query=DAYS)
async def reports_csv(request: Request):
    """One CSV row per outlet: the period's totals, its kind and address, the year's utilisation and
    bad-rating rate with their flags, promises kept and missed (bureau manager, admin)."""
    first, last = await _range(request)
    user = await _bureau(request)
    reps = await bureau.reports(runtime(request), first, last)
    await runtime(request).audit(user.username, "report_download", hall="*", format="csv",
                                 **{"from": first.isoformat(), "to": last.isoformat()})
    data = await bureau.export_bytes(reps, "csv")
    return Response(data, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="onewindow-outlets-{first}-{last}.csv"'})


class OutletsExportBody(BaseModel):
    from_: date = Field(alias="from")
    to: date
    format: Literal["csv", "xlsx"] = "xlsx"


@reads(OutletsExportBody)
async def start_export(request: Request):
    """Export the outlets' reports in the background ({"from","to","format"}); poll
    GET /api/v1/exports/{id} for progress (bureau manager, admin).
    ---
    summary: Export the outlets' reports (bureau manager, admin)
    responses:
      202: {description: "{id, status: running, progress, status_url}"}
      422: {description: "a bad date, range or format"}
    """
    user = await _bureau(request)
    rt = runtime(request)
    data = await body(request, OutletsExportBody)
    RatingService.check_range(data.from_, data.to)
    fmt = data.format

    async def produce(progress) -> bytes:
        reps = await bureau.reports(rt, data.from_, data.to, progress)
        progress(0.95, "writing")
        return await bureau.export_bytes(reps, fmt)

    state = await rt.exports.start("outlets", data.from_, data.to, fmt, user.username, produce)
    await rt.audit(user.username, "report_export", hall="*", format=fmt, export=state["id"],
                   **{"from": data.from_.isoformat(), "to": data.to.isoformat()})
    return JSON(export_public(state), status_code=202)


routes = [
    Route("/api/v1/bureau/overview", overview, methods=["GET"]),
    Route("/api/v1/bureau/reports", reports, methods=["GET"]),
    Route("/api/v1/bureau/reports.csv", reports_csv, methods=["GET"]),
    Route("/api/v1/bureau/exports", start_export, methods=["POST"]),
]
