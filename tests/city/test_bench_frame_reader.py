"""bench/display_bench.py's display client reads the server's frames itself after the handshake
(FrameReader: the library's parser cost more than the fan-out it measured): whole frames of any
length, however TCP splits them, a call found even when split across reads, pings answered with
a masked pong, a close answered."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import display_bench as db  # bench/ is put on the path just above

from onewindow.server.live.frames import text_frame

CALL = b'{"ticket":"A007","window":"w1","type":"call","seq":5}'
FRAMES = [text_frame(CALL), text_frame(b'{"type":"queue","waiting":{}}'), text_frame(b"x" * 300),
          text_frame(b"y" * 70_000), bytes((0x89, 3)) + b"abc"]  # 7-, 16- and 64-bit lengths, a ping
STREAM = b"".join(FRAMES)
EXPECTED = [(1, CALL), (1, b'{"type":"queue","waiting":{}}'), (1, b"x" * 300), (1, b"y" * 70_000), (9, b"abc")]


def _read(chunks: list[bytes]) -> list[tuple[int, bytes]]:
    reader = db.FrameReader()
    return [f for chunk in chunks for f in reader.feed(chunk)]


def test_whole_frames_however_the_stream_is_split():
    assert _read([STREAM]) == EXPECTED
    for cut in range(1, len(STREAM)):  # every split in two, headers and lengths included
        assert _read([STREAM[:cut], STREAM[cut:]]) == EXPECTED, cut
    small = len(b"".join(FRAMES[:3]))
    assert _read([STREAM[i:i + 1] for i in range(small)]) == EXPECTED[:3]  # byte by byte
    assert _read([STREAM[:-1]]) == EXPECTED[:4], "a partial frame waits"


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True


async def _client() -> tuple[db.DisplayClient, _Transport, list[bytes]]:
    got: list[bytes] = []
    client = db.DisplayClient("ws://127.0.0.1:1/ws/halls/eco/display", got.append,
                              asyncio.get_running_loop().create_future())
    transport = _Transport()
    client.transport = transport
    client.frames = db.FrameReader()  # past the handshake
    client.opened.set_result(b'{"type":"snapshot"}')
    return client, transport, got


async def test_a_call_split_across_reads_reaches_the_client():
    client, _, got = await _client()
    stream = text_frame(CALL) * 2
    for cut in range(1, len(stream)):
        got.clear()
        client.data_received(stream[:cut])
        client.data_received(stream[cut:])
        assert got == [CALL, CALL], cut


async def test_a_ping_is_answered_with_a_masked_pong_and_a_close_is_answered():
    client, transport, _ = await _client()
    client.data_received(bytes((0x89, 3)) + b"abc")
    pong = transport.written[-1]
    assert pong[0] == 0x8A and pong[1] == 0x80 | 3, "a masked pong"
    key, body = pong[2:6], pong[6:]
    assert bytes(b ^ key[i % 4] for i, b in enumerate(body)) == b"abc"
    client.data_received(bytes((0x88, 2)) + struct.pack("!H", 1013))
    close = transport.written[-1]
    assert close[0] == 0x88 and close[1] & 0x80 and transport.closed


async def test_frames_in_the_handshakes_last_read_are_not_lost():
    got: list[bytes] = []
    opened = asyncio.get_running_loop().create_future()
    client = db.DisplayClient("ws://127.0.0.1:1/ws/halls/eco/display", got.append, opened)
    transport = _Transport()
    client.connection_made(transport)
    key = next(line.split(b": ")[1] for line in transport.written[0].split(b"\r\n")
               if line.lower().startswith(b"sec-websocket-key"))
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    response = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    stream = response + text_frame(b'{"type":"snapshot"}') + text_frame(CALL)
    cut = len(stream) - 5  # the call's frame split across reads
    client.data_received(stream[:20])
    client.data_received(stream[20:cut])
    assert opened.result() == b'{"type":"snapshot"}' and got == []
    client.data_received(stream[cut:])
    assert got == [CALL]
    assert client.frames is not None, "past the handshake, FrameReader reads"
