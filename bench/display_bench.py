"""Benchmark of the call screens' fan-out (issue 3): the time from a clerk's
HTTP `next` being sent to the LAST of N display sockets receiving the call.

    .venv/bin/python bench/display_bench.py [--sizes 100 1000 2000] [--calls 20]

The server is `onewindow serve` (uvicorn, one worker, uvloop + httptools,
websockets-sansio without permessage-deflate, speech "auto"), in its own
process. The
N display sockets live in ONE separate client process (on uvloop: the `websockets`
library's handshake, then a minimal frame reader) that reports, per call, when the last
socket got it. Both
processes read CLOCK_MONOTONIC, which is system-wide on Linux, so times
compare across them. Writes bench/results/display.json and prints a table.
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ADMIN = "bench-Ledger-4417"
HALL = "eco"
TARGET_P99_MS = {(1, 1000): 50.0, (1, 2000): 100.0, (2, 5000): 150.0}  # (workers, sockets)
TICKET = re.compile(rb'"ticket":"([^"]+)"')


def raise_fd_limit(want: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    new = max(soft, min(want, hard)) if hard != resource.RLIM_INFINITY else max(soft, want)
    resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return new


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----- the server ------------------------------------------------------------------------


def start_server(port: int, data_dir: str, speech: str, log, redis: str | None = None,
                 prefix: str = "") -> subprocess.Popen:
    """`onewindow serve`, exactly as a hall runs it (one worker, uvloop, httptools); with `redis`,
    one of several processes carrying events through it (as `--workers N` or several machines)."""
    env = {**os.environ, "ONEWINDOW_ADMIN_PASSWORD": ADMIN, "ONEWINDOW_SPEECH": speech}
    cmd = [PY, "-m", "onewindow.server.cli", "serve", "--data-dir", data_dir, "--host", "127.0.0.1",
           "--port", str(port)]
    if redis:
        env["ONEWINDOW_REDIS_PREFIX"] = prefix
        cmd += ["--redis-url", redis]
    return subprocess.Popen(cmd, cwd=data_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up")


class Api:
    """One keep-alive HTTP connection, as a clerk's console holds."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.token: str | None = None
        self.device: str | None = None  # a paired kiosk's token: it issues without the remote limits

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict | None]:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.device:
            headers["X-Device-Token"] = self.device
        try:
            self.conn.request("POST", path, body=json.dumps(body or {}), headers=headers)
            r = self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed the idle keep-alive connection (uvicorn: after 5 s): open a new one.
            self.conn.close()
            self.conn.request("POST", path, body=json.dumps(body or {}), headers=headers)
            r = self.conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)

    def login(self, username: str, password: str) -> None:
        self.token = None
        status, data = self.post("/api/v1/auth/login", {"username": username, "password": password})
        assert status == 200, data
        self.token = data["token"]


# ----- the client process: N display sockets ---------------------------------------------


class FrameReader:
    """The frames a server sends (RFC 6455 5.2: unmasked, 7/16/64-bit lengths, never fragmented
    by our server), fed as TCP reads come; a partial frame waits for the next read.

    Why not the library's parser after the handshake: at ~10-20 us a frame it cost the client
    more than the fan-out costs the server, and clients and servers share the machine's cores:
    the benchmark measured its own client."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """The whole frames completed by `data`, as (opcode, payload)."""
        buf = self._buf + data if self._buf else data
        out = []
        pos, end = 0, len(buf)
        while end - pos >= 2:
            n = buf[pos + 1]
            if n & 0x80:
                raise ValueError("a masked frame from the server")
            head = 2
            if n == 126:
                if end - pos < 4:
                    break
                n, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif n == 127:
                if end - pos < 10:
                    break
                n, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            stop = pos + head + n
            if stop > end:
                break
            out.append((buf[pos] & 0x0F, buf[pos + head:stop]))
            pos = stop
        self._buf = buf[pos:] if pos < end else b""
        return out


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A client's frame (masked, RFC 6455 5.3) of a short control payload. The all-zero key leaves
    the payload as it is: valid, and nothing here needs the masking's protection of proxies."""
    assert len(payload) < 126
    return bytes((0x80 | opcode, 0x80 | len(payload))) + b"\0\0\0\0" + payload


class DisplayClient(asyncio.Protocol):
    """One display socket: the `websockets` library's sans-I/O protocol for the handshake, then
    FrameReader for the frames (the library throughout when an extension was negotiated).

    The benchmark's client must not be what is measured: the library's
    asyncio connection costs ~25 us a message (a task wake-up per recv),
    which at 2,000 sockets is more than the target. Here a frame is parsed
    in `data_received` and nothing else runs."""

    def __init__(self, uri: str, on_text, opened: asyncio.Future):
        from websockets.client import ClientProtocol
        from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
        from websockets.uri import parse_uri

        # Offer permessage-deflate as browsers do; the server decides.
        self.ws = ClientProtocol(parse_uri(uri), extensions=[ClientPerMessageDeflateFactory()])
        self.on_text = on_text
        self.opened = opened
        self.transport = None
        self.head = b""  # the handshake's response, until its end
        self.frames: FrameReader | None = None  # after the handshake, without an extension
        self.library = False  # an extension was negotiated (or the handshake failed): the library reads

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.ws.send_request(self.ws.connect())
        self._flush()

    def data_received(self, data: bytes) -> None:
        if self.frames is not None:
            self._read(data)
            return
        if self.library:
            self._library(data)
            return
        self.head += data
        end = self.head.find(b"\r\n\r\n")
        if end < 0:
            return
        rest = self.head[end + 4:]
        self._library(self.head[:end + 4])  # the response: 101, the extensions
        from websockets.protocol import State

        if self.ws.state is State.OPEN and not self.ws.extensions:
            self.frames = FrameReader()
            self._read(rest)
        else:
            self.library = True
            if rest:  # the library takes b"" for the end of the stream
                self._library(rest)

    def _read(self, data: bytes) -> None:
        assert self.frames is not None
        for opcode, payload in self.frames.feed(data):
            if opcode == 1:
                self._text(payload)
            elif opcode == 9:  # ping
                self.transport.write(client_frame(10, payload))
            elif opcode == 8:  # close: answer it, and the server closes the connection
                self.transport.write(client_frame(8, payload[:2]))
                self.transport.close()

    def _text(self, data: bytes) -> None:
        if not self.opened.done():
            self.opened.set_result(data)  # the snapshot
        else:
            self.on_text(data)

    def _library(self, data: bytes) -> None:
        from websockets.frames import Frame, Opcode

        self.ws.receive_data(data)
        for ev in self.ws.events_received():
            if isinstance(ev, Frame):
                if ev.opcode is Opcode.TEXT:
                    self._text(ev.data)
            elif ev.status_code != 101 and not self.opened.done():
                self.opened.set_exception(RuntimeError(f"handshake refused: {ev.status_code}"))
        self._flush()  # pongs, close frames

    def connection_lost(self, exc) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed"))

    def _flush(self) -> None:
        for chunk in self.ws.data_to_send():
            if chunk:
                self.transport.write(chunk)


async def clients_main(url: str, n: int) -> None:
    """Open n display sockets; print READY, then one line per call: when the last socket got it."""
    uri = url.replace("http://", "ws://") + f"/ws/halls/{HALL}/display"
    seen: dict[str, list] = {}  # ticket -> [sockets that got it, first time, last time]
    out = sys.stdout
    loop = asyncio.get_running_loop()

    def on_text(data: bytes) -> None:
        # Only call events matter; everything else is skipped without parsing.
        if b'"type":"call"' not in data:
            return
        now = time.monotonic()
        m = TICKET.search(data)  # not json.loads: at 5,000 sockets the client's parsing would be measured
        ticket = m.group(1).decode() if m else json.loads(data)["ticket"]
        entry = seen.get(ticket)
        if entry is None:
            entry = seen[ticket] = [0, now, now]
        entry[0] += 1
        entry[2] = now
        if entry[0] == n:
            out.write(json.dumps({"ticket": ticket, "first": entry[1], "last": entry[2]}) + "\n")
            out.flush()

    sem = asyncio.Semaphore(100)
    host, port = url.removeprefix("http://").split(":")

    async def open_one():
        async with sem:
            opened = loop.create_future()
            transport, _ = await loop.create_connection(lambda: DisplayClient(uri, on_text, opened), host, int(port))
            snapshot = await asyncio.wait_for(opened, 60)
            assert b'"snapshot"' in snapshot
            return transport

    transports = await asyncio.gather(*(open_one() for _ in range(n)))
    out.write("READY\n")
    out.flush()
    # Run until the parent closes our stdin.
    await loop.run_in_executor(None, sys.stdin.read)
    for t in transports:
        t.close()


# ----- one round: N sockets, `calls` calls ------------------------------------------------


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def run_size(n: int, calls: int, speech: str, gap_s: float, workers: int = 1, redis: str | None = None) -> dict:
    """`workers` server processes (more than one: through `redis`, each on its own port, like hosts
    behind a balancer) with n display sockets spread evenly, from one client process per server."""
    with tempfile.TemporaryDirectory() as data_dir, open(Path(data_dir) / "server.log", "wb") as log:
        ports = [free_port() for _ in range(workers)]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        prefix = f"bench:{os.getpid()}:{time.monotonic_ns()}"
        servers, clients = [], []
        try:
            for port, url in zip(ports, urls, strict=True):  # one after another: the first migrates
                servers.append(start_server(port, data_dir, speech, log, redis if workers > 1 else None, prefix))
                wait_up(url, servers[-1])
            api = Api(ports[0])
            api.login("admin", ADMIN)
            status, data = api.post("/api/v1/users", {"username": "bench", "password": "Hall-desk-7781",
                                                      "role": "manager"})
            assert status == 201, data
            api.login("bench", "Hall-desk-7781")
            status, data = api.post(f"/api/v1/halls/{HALL}/devices/pairing-codes", {"kind": "kiosk", "name": "bench"})
            assert status == 201, data
            status, data = api.post("/api/v1/devices/pair", {"code": data["code"]})
            assert status == 201, data
            api.device = data["device_token"]
            status, data = api.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in")
            assert status == 200, data
            for _ in range(calls + 1):
                status, data = api.post(f"/api/v1/halls/{HALL}/tickets", {"category": "eia"})
                assert status == 201, data

            shares = [n // workers + (1 if k < n % workers else 0) for k in range(workers)]
            for url, share in zip(urls, shares, strict=True):
                clients.append(subprocess.Popen([PY, __file__, "--client", url, str(share)], stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, text=True, cwd=ROOT))
            for client in clients:
                line = client.stdout.readline()
                assert line.strip() == "READY", f"client process: {line!r}"

            def reached() -> dict:
                """Every client's report of one call: the first and the last of all N sockets."""
                got = [json.loads(c.stdout.readline()) for c in clients]
                assert len({g["ticket"] for g in got}) == 1, got
                return {"ticket": got[0]["ticket"], "first": min(g["first"] for g in got),
                        "last": max(g["last"] for g in got)}

            api.post(f"/api/v1/halls/{HALL}/windows/w1/next")  # warm-up call, not measured
            reached()
            time.sleep(gap_s)
            lat, first_lat, http_ms = [], [], []
            pids = [p.pid for p in servers + clients]
            cpu0 = [cpu_s(p) for p in pids]
            for _ in range(calls):
                t0 = time.monotonic()
                status, ticket = api.post(f"/api/v1/halls/{HALL}/windows/w1/next")
                t_ret = time.monotonic()
                assert status == 200, ticket
                got = reached()
                assert got["ticket"] == ticket["number"], (got, ticket)
                # From the clerk pressing next (the request sent): the server writes each screen's frame
                # as it publishes, which may be before its HTTP answer (from the answer: negative).
                lat.append((got["last"] - t0) * 1000)
                first_lat.append((got["first"] - t0) * 1000)
                http_ms.append((t_ret - t0) * 1000)
                time.sleep(gap_s)  # calls come seconds apart in a hall; let the announce event go out
            cpu = [cpu_s(p) - c0 for p, c0 in zip(pids, cpu0, strict=True)]
            result = {
                "sockets": n, "workers": workers, "calls": calls, "load_avg_1m_after": round(os.getloadavg()[0], 2),
                "last_socket_p50_ms": round(statistics.median(lat), 2),
                "last_socket_p99_ms": round(percentile(lat, 99), 2),
                "last_socket_max_ms": round(max(lat), 2),
                "first_socket_p50_ms": round(statistics.median(first_lat), 2),
                "http_next_p50_ms": round(statistics.median(http_ms), 2),
                # CPU used per call (the call, its queue and announce events, reaching N sockets), all servers
                "server_cpu_ms_per_call": round(sum(cpu[:workers]) * 1000 / calls, 1),
                "client_cpu_ms_per_call": round(sum(cpu[workers:]) * 1000 / calls, 1),
                "samples_ms": [round(x, 2) for x in lat],
            }
            if (workers, n) in TARGET_P99_MS:
                result["target_p99_ms"] = TARGET_P99_MS[(workers, n)]
                result["target_met"] = result["last_socket_p99_ms"] <= result["target_p99_ms"]
            return result
        finally:
            for client in clients:
                client.stdin.close()
                try:
                    client.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    client.kill()
            for server in servers:
                stop_server(server)
            if redis and workers > 1:
                _forget(redis, prefix)


def _forget(redis_url: str, prefix: str) -> None:
    """Delete the run's keys from the shared Redis."""
    import redis as redis_lib

    with redis_lib.Redis.from_url(redis_url) as r:
        keys = list(r.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            r.delete(*keys)


HEADER = (f"{'gap s':>6} {'workers':>7} {'sockets':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'first p50':>10}"
          f" {'next p50':>9} {'srv cpu':>8} {'cli cpu':>8}  target")


def run_plan(plan: list[tuple[int, int]], calls: int, speech: str, gaps: list[float], redis: str | None) -> dict:
    """Each (workers, sockets) of `plan` at each gap; prints a row per run."""
    raise_fd_limit(max(n for _, n in plan) + 512)  # the servers inherit it
    results = {
        "what": "ms from a clerk's HTTP next being sent to the last of N display sockets receiving the call",
        "server": "onewindow serve: uvicorn, uvloop + httptools, websockets-sansio, no deflate; several workers: "
                  "one process each on its own port, events through Redis",
        "clients": "one separate process per server on uvloop: the websockets sans-I/O handshake, offering "
                   "permessage-deflate, then a minimal frame reader (FrameReader)",
        "cpus": os.cpu_count(), "speech": speech, "redis": redis, "runs": [],
    }
    print(HEADER, flush=True)
    for gap, (workers, n) in [(g, x) for g in gaps for x in plan]:
        r = {"gap_s": gap, **run_size(n, calls, speech, gap, workers, redis)}
        results["runs"].append(r)
        target = ""
        if "target_p99_ms" in r:
            target = f"p99 <= {r['target_p99_ms']:.0f} ms: {'met' if r['target_met'] else 'MISSED'}"
        print(f"{gap:>6} {workers:>7} {n:>8} {r['last_socket_p50_ms']:>8.1f} {r['last_socket_p99_ms']:>8.1f}"
              f" {r['last_socket_max_ms']:>8.1f}"
              f" {r['first_socket_p50_ms']:>10.1f} {r['http_next_p50_ms']:>9.1f}"
              f" {r['server_cpu_ms_per_call']:>8.1f} {r['client_cpu_ms_per_call']:>8.1f}  {target}", flush=True)
    return results


def client_main(url: str, n: int) -> int:
    raise_fd_limit(n + 256)
    import uvloop

    uvloop.run(clients_main(url, n))
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 2000])
    p.add_argument("--workers", type=int, default=1, help="server processes (more than one: through --redis)")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--calls", type=int, default=20)
    p.add_argument("--gaps", type=float, nargs="+", default=[0.3, 1.0],
                   help="seconds between calls; after an idle second this VM's vCPUs wake slowly")
    p.add_argument("--speech", default="auto", choices=["auto", "espeak", "fake", "off"])
    p.add_argument("--client", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.client:
        return client_main(args.client[0], int(args.client[1]))
    results = run_plan([(args.workers, n) for n in args.sizes], args.calls, args.speech, args.gaps,
                       args.redis if args.workers > 1 else None)
    out = ROOT / "bench" / "results" / "display.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
