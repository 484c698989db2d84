"""Paired devices: a manager makes a one-time pairing code, the kiosk, rating
pad or call screen exchanges it for its device token, a manager lists and
revokes devices (services/devices.py)."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator
from starlette.requests import Request
from starlette.routing import Route

from onewindow.server.api.common import JSON, body, path_int, require_role, runtime
from onewindow.server.api.openapi import reads
from onewindow.server.errors import Invalid
from onewindow.tickets import times


class CodeBody(BaseModel):
    kind: Literal["kiosk", "pad", "screen", "system", "van"]  # system: the 12369 platform; van: a mobile outlet
    name: str = Field(min_length=1, max_length=64)
    kiosk: str | None = Field(default=None, min_length=1, max_length=32)  # a kiosk's printer id

    @model_validator(mode="after")
    def _kiosk(self) -> CodeBody:
        if self.kiosk is not None and self.kind != "kiosk":
            raise ValueError("only a kiosk names a kiosk id")
        return self


class PairBody(BaseModel):
    code: str = Field(min_length=1, max_length=16)


def _iso(at, tz) -> str | None:
    return None if at is None else times.iso(at, tz)


def device_public(d: dict, tz) -> dict:
    return {"id": d["id"], "hall": d["hall"], "kind": d["kind"], "name": d["name"], "kiosk": d["kiosk"],
            "paired_at": _iso(d["paired_at"], tz), "paired_by": d["paired_by"],
            "revoked_at": _iso(d["revoked_at"], tz), "revoked_by": d["revoked_by"],
            "last_seen": _iso(d["last_seen"], tz), "active": d["revoked_at"] is None}


@reads(CodeBody)
async def create_code(request: Request):
    """Make a one-time pairing code for a kiosk, rating pad or call screen (manager).
    ---
    summary: Make a one-time pairing code (8 digits, valid 10 minutes)
    responses:
      201: {description: "{code, hall, kind, name, kiosk, expires_at, expires_in_s}"}
      403: {description: not a manager or admin}
      422: {description: "a bad body, or an unknown kiosk id"}
    """
    user = await require_role(request, "manager", "admin")
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    data = await body(request, CodeBody)
    if data.kiosk is not None and all(data.kiosk not in p.kiosks for p in svc.hall.printers):
        raise Invalid(f"unknown kiosk {data.kiosk!r}", "unknown_kiosk", field="kiosk")
    out = await rt.devices.create_code(svc.hall.id, data.kind, data.name.strip(), data.kiosk, user.username)
    out["expires_at"] = times.iso(out["expires_at"], svc.tz)
    return JSON(out, status_code=201)


@reads(PairBody)
async def pair(request: Request):
    """A device exchanges its pairing code for its device token (public; once per code).
    ---
    summary: Pair a device with a one-time code; the answer holds its device token, once
    responses:
      201: {description: "{device_token, device: {id, hall, kind, name, kiosk}}"}
      401: {description: "a wrong, used or expired code (code bad_pairing_code)"}
      429: {description: "too many attempts from this address; Retry-After"}
    """
    rt = runtime(request)
    data = await body(request, PairBody)
    client = request.client.host if request.client else ""
    return JSON(await rt.devices.pair(data.code, client), status_code=201)


async def list_devices(request: Request):
    """A hall's paired devices, the revoked ones last (manager)."""
    await require_role(request, "manager", "admin")
    rt = runtime(request)
    svc = rt.hall(request.path_params["hall"])
    return JSON([device_public(d, svc.tz) for d in await rt.devices.of_hall(svc.hall.id)])


async def revoke_device(request: Request):
    """Revoke a device: its token stops working at once, in every server process (manager)."""
    user = await require_role(request, "manager", "admin")
    rt = runtime(request)
    d = await rt.devices.revoke(path_int(request, "id"), user.username)
    svc = rt.halls.get(d["hall"])
    return JSON(device_public(d, svc.tz if svc else None))


routes = [
    Route("/api/v1/halls/{hall}/devices/pairing-codes", create_code, methods=["POST"]),
    Route("/api/v1/halls/{hall}/devices", list_devices, methods=["GET"]),
    Route("/api/v1/devices/pair", pair, methods=["POST"]),
    Route("/api/v1/devices/{id}", revoke_device, methods=["DELETE"]),
]
