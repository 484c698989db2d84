"""A generic HTTP SMS gateway (the shape of Chinese SMS platforms and of WeChat /
Alipay service-account bridges): a JSON POST per message, signed.

Signature: hex HMAC-SHA256(secret, timestamp + "." + body) in `signature_header`
(default X-Signature), the Unix time in `timestamp_header` (X-Timestamp); the
body's field names come from the config. `Idempotency-Key` carries the event key's
message id, so a gateway that honours it never sends one event twice.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from onewindow.server.config.notify import Http
from onewindow.server.services.channels import ChannelDown, InDoubt, Outgoing, Rejected

RETRY_STATUS = frozenset({408, 425, 429, 502, 503, 504})  # refused before handling: try again later


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class HttpChannel:
    name = "http"

    def __init__(self, cfg: Http, transport: httpx.AsyncBaseTransport | None = None):
        self.cfg = cfg
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    async def open(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.cfg.timeout_s, transport=self._transport,
                                         follow_redirects=False)

    def body(self, msg: Outgoing) -> bytes:
        f = self.cfg.fields
        out: dict = dict(self.cfg.extra)
        out.update({f.phone: msg.phone, f.text: msg.text, f.id: str(msg.id)})
        if f.kind:
            out[f.kind] = msg.kind
        return json.dumps(out, ensure_ascii=False, separators=(",", ":")).encode()

    async def send(self, msg: Outgoing) -> str:
        if self._client is None:
            await self.open()
        assert self._client is not None
        raw = self.body(msg)
        ts = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", self.cfg.timestamp_header: ts,
                   self.cfg.signature_header: sign(self.cfg.key(), ts, raw), "Idempotency-Key": f"onewindow-{msg.id}"}
        try:
            r = await self._client.post(self.cfg.url, content=raw, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ChannelDown(f"gateway unreachable: {type(exc).__name__}") from None
        except httpx.HTTPError as exc:  # sent, no answer: it may have been taken
            raise InDoubt(f"no answer from the gateway: {type(exc).__name__}") from None
        if r.status_code in RETRY_STATUS:
            raise ChannelDown(f"gateway answered {r.status_code}")
        if not r.is_success:
            raise Rejected(f"gateway answered {r.status_code}: {r.text[:120]}")
        try:
            data = r.json()
        except ValueError:
            data = {}
        pid = data.get(self.cfg.fields.provider_id) if isinstance(data, dict) else None
        return str(pid) if pid not in (None, "") else f"http:{msg.id}"

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
