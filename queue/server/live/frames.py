"""Call screens' fan-out at city scale (issue 17, point 5): an event reaches thousands of
display sockets as ONE WebSocket frame, built once per event and written to each socket's
transport as the hub delivers it, without a task wake-up, a JSON encoding, a UTF-8 encoding
or a frame serialisation per socket; the frames of one turn of the loop (a call and its queue
event) go to a socket in one write (Hub._write_direct).

`onewindow serve` runs uvicorn with `RawFrameProtocol`, its websockets-sansio protocol that
puts itself into the ASGI scope's extensions; the display socket (api/ws.py) asks `writer`
for a frame writer and falls back to the ASGI send path when there is none (another server,
or an extension such as permessage-deflate negotiated, which would change every frame)."""
from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

KEY = "onewindow.frames"
# A screen whose socket holds this much unsent is dropped (it reconnects and takes a snapshot), as
# one whose event queue is full is on the ASGI path: publishing never waits for a slow screen.
MAX_BUFFER = 1 << 20


class RawFrameProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol, reachable from the ASGI scope."""

    async def run_asgi(self) -> None:
        extensions: dict[str, Any] = self.scope.setdefault("extensions", {})
        extensions[KEY] = self
        await super().run_asgi()


def text_frame(payload: bytes) -> bytes:
    """An unfragmented, unmasked server-to-client text frame (RFC 6455 5.2)."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


def writer(scope: Any) -> Callable[[bytes], bool] | None:
    """`write(frames) -> bool` for the socket of `scope`: one or more whole frames in one
    transport write (False: closing, or too far behind), or None when frames cannot be written
    directly."""
    proto = (scope.get("extensions") or {}).get(KEY)
    if not isinstance(proto, RawFrameProtocol) or proto.conn.extensions:
        return None

    def write(frame: bytes) -> bool:
        t = proto.transport
        if proto.close_sent or t is None or t.is_closing() or t.get_write_buffer_size() > MAX_BUFFER:
            return False
        t.write(frame)
        return True

    return write
