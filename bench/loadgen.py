"""A small HTTP/1.1 load generator: N keep-alive connections, a fixed number
of requests, the latency of each. Runs in its own process so it does not
share a core's time with the server it measures.

    python bench/loadgen.py --url http://127.0.0.1:8000 --connections 16 --batch 200 --rounds 20 \
        --op issue POST /api/v1/halls/eco/tickets '{"category":"eia"}' 'X-Device-Token: <a paired kiosk>' \
        --op next POST '/api/v1/halls/eco/windows/w1/next|Authorization: Bearer a,'\
'/api/v1/halls/eco/windows/w2/next|Authorization: Bearer b' ''

A path may carry headers of its own after `|`, sent after the op's own: above,
each window calls as the clerk signed in there.

Issuing as a paired kiosk (its X-Device-Token) is never limited; without it
every ticket is a remote one, held to a few per client an hour (429).
Rounds of batches keep the queue at a hall's size (at most `batch` waiting)
instead of letting it grow without end. Prints one JSON object: per op its
count, seconds spent, rate, p50/p99 in ms and statuses.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from urllib.parse import urlsplit


async def _connect(host, port, n):
    return [await asyncio.open_connection(host, port) for _ in range(n)]


async def _drive(conn, requests: list[bytes], counter, latencies, statuses, bodies, keep_bodies):
    reader, writer = conn
    while True:
        i = counter[0]
        if i >= len(requests):
            return
        counter[0] = i + 1
        t0 = time.perf_counter()
        writer.write(requests[i])
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await reader.readexactly(length) if length else b""
        latencies.append(time.perf_counter() - t0)
        statuses[status] += 1
        if keep_bodies:
            bodies.append((status, body))


def build(method: str, host: str, path: str, body: str, headers: list[str]) -> bytes:
    data = body.encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += headers
    if data or method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(data)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


class Op:
    """One kind of request: its requests in turn, its latencies and time spent."""

    def __init__(self, name, method, host, paths, body, headers):
        self.name = name
        self.request = []
        for entry in paths:
            path, *own = entry.split("|")  # a path's own headers (its window's clerk) after the op's
            self.request.append(build(method, host, path, body, [*headers, *own]))
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.bodies: list = []
        self.seconds = 0.0

    @classmethod
    def parse(cls, spec: list[str], host: str) -> Op:
        """From `--op NAME METHOD PATHS [BODY [HEADER...]]`."""
        return cls(spec[0], spec[1], host, spec[2].split(","), spec[3] if len(spec) > 3 else "", spec[4:])

    def summary(self, keep_bodies: bool) -> dict:
        lat = sorted(self.latencies)

        def pct(p):
            return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 2) if lat else None

        out = {"count": len(lat), "seconds": round(self.seconds, 3),
               "rate": round(len(lat) / self.seconds, 1) if self.seconds else None,
               "p50_ms": pct(0.50), "p99_ms": pct(0.99), "statuses": dict(self.statuses)}
        if keep_bodies:
            out["bodies"] = [(s, b.decode()) for s, b in self.bodies]
        return out


async def run(url: str, ops: list[Op], connections: int, batch: int, rounds: int, keep_bodies=False) -> dict:
    """`rounds` times: each op in turn sends `batch` requests over the open connections."""
    u = urlsplit(url)
    conns = await _connect(u.hostname, u.port, connections)
    try:
        for _ in range(rounds):
            for op in ops:
                reqs = [op.request[i % len(op.request)] for i in range(batch)]
                counter = [0]
                t0 = time.perf_counter()
                await asyncio.gather(*[_drive(c, reqs, counter, op.latencies, op.statuses, op.bodies, keep_bodies)
                                       for c in conns])
                op.seconds += time.perf_counter() - t0
    finally:
        for _, w in conns:
            w.close()
    return {op.name: op.summary(keep_bodies) for op in ops}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--op", action="append", required=True,
                   help="NAME METHOD PATHS BODY [HEADER]: paths comma-separated, used in turn, each with "
                        "headers of its own after '|'", nargs="+")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--bodies", action="store_true", help="include every response body in the output")
    p.add_argument("--out", help="write the JSON there (a file of its own) instead of to stdout")
    a = p.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    host = urlsplit(a.url).netloc
    ops = [Op.parse(o, host) for o in a.op]
    result = asyncio.run(run(a.url, ops, a.connections, a.batch, a.rounds, a.bodies))
    # ASCII (every non-ASCII character escaped): the output never depends on an encoding. The
    # PostgreSQL part of hall_bench.py (1.5 MB of bodies) once read it back from the stdout pipe
    # with bytes missing at a 64 KiB boundary ("Invalid control character", or invalid UTF-8):
    # it now asks for a file of its own (--out), written whole, then renamed.
    text = json.dumps(result, ensure_ascii=True)
    if a.out:
        tmp = a.out + ".part"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(text)
        os.replace(tmp, a.out)
    else:
        print(text)


if __name__ == "__main__":
    main()
