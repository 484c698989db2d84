"""Report exports in the background, with progress (manager)."""
from __future__ import annotations

import asyncio
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Conflict, NotFound
from onewindow.server.services import reporting
from onewindow.server.services.exports import FORMATS


class ExportBody(BaseModel):
    from_: date = Field(alias="from")
    to: date
    format: Literal["csv", "xlsx"] = "xlsx"


def _public(state: dict) -> dict:
    out = {k: state.get(k) for k in ("id", "hall", "from", "to", "format", "status", "progress", "step", "error",
                                      "filename", "size")}
    out["status_url"] = f"/api/v1/exports/{state['id']}"
    if state["status"] == "done":
        out["download"] = f"/api/v1/exports/{state['id']}/file"
    return out


@reads(ExportBody)
async def start_export(request: Request):
    """Start exporting a report ({"from", "to", "format": "csv"|"xlsx"}); poll its status for progress (manager).
    ---
    summary: Export a report in the background (manager)
    responses:
      202: {description: "{id, status: running, progress, status_url}"}
      422: {description: "a bad date, range or format"}
    """
    user = await require_role(request, "manager", "admin")
    rt = runtime(request)
    rs = rt.rating(request.path_params["hall"])
    data = await body(request, ExportBody)
    rs.check_range(data.from_, data.to)
    fmt = data.format

    async def produce(progress) -> bytes:
        report, tasks = await rs.report(data.from_, data.to, progress)
        progress(0.9, "writing")
        if fmt == "csv":
            return await asyncio.to_thread(reporting.to_csv, report)
        return await asyncio.to_thread(reporting.to_xlsx, report, tasks)

    state = await rt.exports.start(rs.hall.id, data.from_, data.to, fmt, user.username, produce)
    await rt.audit(user.username, "report_export", hall=rs.hall.id, format=fmt, export=state["id"],
                   **{"from": data.from_.isoformat(), "to": data.to.isoformat()})
    return JSON(_public(state), status_code=202)


async def _job(request: Request, download: bool = False) -> dict:
    user = await require_role(request, "manager", "admin")
    state = await runtime(request).exports.status(request.path_params["id"])
    if state is None:
        raise NotFound("no such export (exports are kept for a day)")
    if download and state["status"] == "done":
        await runtime(request).audit(user.username, "report_export_download", hall=state["hall"], export=state["id"],
                                     format=state["format"], **{"from": str(state["from"]), "to": str(state["to"])})
    return state


@reads(path={"id": {"type": "string", "description": "the id start_export answered"}})
async def export_status(request: Request):
    """An export's status and progress (0..1); `download` once done (manager)."""
    return JSON(_public(await _job(request)))


@reads(path={"id": {"type": "string", "description": "the id start_export answered"}})
async def export_file(request: Request):
    """The exported file (manager)."""
    state = await _job(request, download=True)
    if state["status"] != "done":
        raise Conflict(f"the export is {state['status']}", "not_ready")
    path = runtime(request).exports.output(state)
    if not await asyncio.to_thread(path.is_file):
        raise NotFound("the export's file is gone (exports are kept for a day)")
    return FileResponse(path, media_type=FORMATS[state["format"]], filename=state["filename"])


routes = [
    Route("/api/v1/halls/{hall}/exports", start_export, methods=["POST"]),
    Route("/api/v1/exports/{id}", export_status, methods=["GET"]),
    Route("/api/v1/exports/{id}/file", export_file, methods=["GET"]),
]
