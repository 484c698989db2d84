"""Paired devices: kiosks, rating pads and call screens.

A manager makes a one-time pairing code (8 digits, valid 10 minutes); the
device exchanges it once for its device token, which it keeps and sends in
`X-Device-Token`. Codes and tokens are stored as SHA-256 digests only;
pairing and revocation are audited in their own transactions.

The issuing hot path asks `identify`, which answers from memory: each
process keeps the digests of every valid device (loaded at start). A token it
has not seen (a device paired through another process a moment ago) is
looked up once in the database; an unknown or revoked one is remembered as
such for a while, so a bad token costs no more reads.

Revocation reaches every process at once through the hub's control
channel (`Hub.control`: to every server process, this one at once, never to
any socket, console or display): each process drops the device from memory
when `{"type": "device_revoked", "device": id}` arrives. When the broker says
control messages may have been lost (`{"type": "lost"}`: Redis was away), the
process reloads the valid devices from the database; and as a last net every
process reloads them every RELOAD_S seconds anyway (one small query), so a
revoked token works nowhere after that, whatever happened to the message.
A hall event was the other choice, but it would reach staff consoles and
number itself among the hall's events; the control channel carries exactly this.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from onewindow.server.errors import TooManyRequests, Unauthorized
from onewindow.server.live.hub import Hub
from onewindow.server.services.auth import new_token
from onewindow.server.services.limits import TokenBuckets
from onewindow.server.store import devices as dstore
from onewindow.server.store.database import Database
from onewindow.server.tasks import cancel_all

log = logging.getLogger("onewindow.devices")

KINDS = ("kiosk", "pad", "screen", "system", "van")  # system: the 12369 platform; van: a mobile outlet (issue 18)
CODE_TTL_S = 600
RELOAD_S = 30.0
UNKNOWN_TTL_S = 300.0
UNKNOWN_MAX = 4096
REVOKED_MSG = "device_revoked"  # control message: {"type", "device": id}
REVOKED = "此设备未配对或已被撤销，请重新配对 / this device is not paired or was revoked: pair it again"


@dataclass(frozen=True, slots=True)
class Device:
    id: int
    hall: str
    kind: str
    name: str
    kiosk: str | None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _device(row: dict) -> Device:
    return Device(row["id"], row["hall"], row["kind"], row["name"], row["kiosk"])


class Devices:
    def __init__(self, db: Database, hub: Hub, clock: Callable[[], float]):
        self.db = db
        self.hub = hub
        self.clock = clock
        self._by_digest: dict[str, Device] = {}
        self._digest_of: dict[int, str] = {}
        self._unknown: dict[str, float] = {}  # digest -> remembered until
        self._seen: dict[int, float] = {}  # device id -> last request, written every RELOAD_S
        # Revoked lately: a reload whose read began before the revocation must not bring them back.
        self._revoked: set[int] = set()
        self.pair_attempts = TokenBuckets(10, 10 / 60)  # per client address: codes cannot be guessed
        self._tasks: list[asyncio.Task] = []

    # ----- start, stop, the listener --------------------------------------------------

    async def start(self) -> None:
        await self.reload()
        self.hub.on_control(self._on_control)
        self._tasks.append(asyncio.create_task(self._loop(), name="onewindow-devices"))

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._tasks.clear()
        try:
            await self._flush_seen()  # best effort: last-seen times are a hint, not a record
        except Exception as exc:
            log.info("last-seen times of devices not written at stop: %s", exc)

    async def reload(self) -> None:
        revoked = set(self._revoked)
        rows = await self.db.read(dstore.valid)
        by_digest = {r["token_hash"]: _device(r) for r in rows if r["id"] not in self._revoked}
        self._revoked -= revoked  # revoked before this read began: the read knew it
        self._by_digest = by_digest
        self._digest_of = {d.id: h for h, d in by_digest.items()}

    def _on_control(self, msg: dict) -> None:
        if msg.get("type") == REVOKED_MSG:
            self._forget(msg.get("device"))
        elif msg.get("type") == "lost":  # a revocation may have been missed: read them all again
            task = asyncio.create_task(self.reload(), name="onewindow-devices-reload")
            self._tasks.append(task)
            task.add_done_callback(self._tasks.remove)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_S)
            try:
                await self._flush_seen()
                await self.reload()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reloading the paired devices failed")

    async def _flush_seen(self) -> None:
        if self._seen:
            stamps, self._seen = self._seen, {}
            await self.db.write(dstore.seen, stamps)

    def _forget(self, device_id) -> None:
        if isinstance(device_id, int):
            self._revoked.add(device_id)
        h = self._digest_of.pop(device_id, None)
        if h is not None:
            self._by_digest.pop(h, None)
            self._remember_unknown(h)

    def _remember_unknown(self, h: str) -> None:
        self._unknown.pop(h, None)
        self._unknown[h] = self.clock() + UNKNOWN_TTL_S
        if len(self._unknown) > UNKNOWN_MAX:
            del self._unknown[next(iter(self._unknown))]

    # ----- the hot path ---------------------------------------------------------------

    async def identify(self, token: str | None) -> Device | None:
        """The paired device sending `token`; None without a token; 401
        (`device_revoked`) for a token that is unknown or revoked."""
        if not token:
            return None
        h = digest(token)
        dev = self._by_digest.get(h)
        now = self.clock()
        if dev is None:
            if self._unknown.get(h, 0) > now:
                raise Unauthorized(REVOKED, "device_revoked")
            row = await self.db.read(dstore.by_token, h)
            if row is None or row["id"] in self._revoked:
                self._remember_unknown(h)
                raise Unauthorized(REVOKED, "device_revoked")
            dev = _device(row)
            self._by_digest[h] = dev
            self._digest_of[dev.id] = h
        self._seen[dev.id] = now
        return dev

    # ----- managers and devices ---------------------------------------------------------

    async def create_code(self, hall: str, kind: str, name: str, kiosk: str | None, by: str) -> dict:
        code = f"{secrets.randbelow(10 ** 8):08d}"
        now = self.clock()
        await self.db.write(dstore.create_code, code_hash=digest(code), hall=hall, kind=kind, name=name,
                            kiosk=kiosk, by=by, now=now, ttl_s=CODE_TTL_S)
        return {"code": code, "hall": hall, "kind": kind, "name": name, "kiosk": kiosk,
                "expires_at": now + CODE_TTL_S, "expires_in_s": CODE_TTL_S}

    async def pair(self, code: str, client: str) -> dict:
        now = self.clock()
        wait = self.pair_attempts.wait_s(client, now)
        if wait:
            raise TooManyRequests("配对尝试过多，请稍后再试 / too many pairing attempts; try again later",
                                  retry_after=wait)
        self.pair_attempts.take(client, now)
        token = new_token()
        row = await self.db.write(dstore.pair, code_hash=digest(code.strip()), token_hash=digest(token), now=now)
        dev = _device(row)
        self._by_digest[row["token_hash"]] = dev
        self._digest_of[dev.id] = row["token_hash"]
        return {"device_token": token, "device": {"id": dev.id, "hall": dev.hall, "kind": dev.kind,
                                                  "name": dev.name, "kiosk": dev.kiosk}}

    async def revoke(self, device_id: int, by: str) -> dict:
        row = await self.db.write(dstore.revoke, device_id, by, self.clock())
        self.hub.control({"type": REVOKED_MSG, "device": device_id})  # this process at once, and every other
        return row

    async def get(self, device_id: int) -> dict:
        return await self.db.read(dstore.get, device_id)

    async def of_hall(self, hall: str) -> list[dict]:
        rows = await self.db.read(dstore.of_hall, hall)
        for r in rows:
            seen = self._seen.get(r["id"])
            if seen is not None and (r["last_seen"] is None or seen > r["last_seen"]):
                r["last_seen"] = seen
        return rows
