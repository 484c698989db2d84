"""Benchmark of the notifications outbox (queue/server/services/notifications.py).

    .venv/bin/python bench/notify_bench.py [--messages 10000] [--enqueues 10000]

- enqueue cost: `Notifier.enqueue` inside a hot write transaction (write_hot, the
  issuing path's kind), one at a time as tickets are issued, with the demo
  hall's daily limit (10, so the per-recipient count runs): the time the call
  adds to the transaction (render, encrypt, the daily-limit count, the INSERT),
  wall clock and the thread's CPU time, p50/p99/max; and the whole hot write
  (a ticket-sized INSERT) with and without it;
- drain: `--messages` queued messages sent through the local SMSC
  (tests/support/smsc.py, in a process of its own, with delivery receipts) by
  one sender (the demo hall's defaults: batches of 20, one in flight); messages/s
  from the first claim to the SMSC having the last one, and a check that it
  received each exactly once; meanwhile a ticket-sized hot write every 5 ms
  (a busy hall issuing and calling), its latency against the same with nothing
  to send.
SQLite in a temporary directory.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cryptography.fernet import Fernet

from onewindow.server.config import parse_config
from onewindow.server.config.halls import demo_config_path
from onewindow.server.services.notifications import Notifier
from onewindow.server.store import migrate
from onewindow.server.store.crypto import Box
from onewindow.server.store.database import open_database

ROOT = Path(__file__).resolve().parents[1]
SMSC = """
import sys
sys.path.insert(0, sys.argv[1])
from support.smsc import Smsc
s = Smsc().start()
print(s.port, flush=True)
for line in sys.stdin:
    texts = s.texts()
    print(s.count(), len(texts), max(texts.values(), default=0), flush=True)
"""


def config(port: int, daily_limit: int = 10):
    text = demo_config_path().read_text(encoding="utf-8").replace(
        # no quiet hours: from 21:00 to 08:00 hall time every message would wait for the morning
        'channel = "file"\n', f'channel = "smpp"\ndaily_limit = {daily_limit}\nquiet_start = "00:00"\n'
        'quiet_end = "00:00"\n', 1)
    text += (f'\n[halls.notify.smpp]\nhost = "127.0.0.1"\nport = {port}\nsystem_id = "onewindow"\n'
             'password = "secret"\nsource_addr = "10690001"\n')
    # the sub-table must follow its table's keys: put it right after [halls.notify]
    head, _, rest = text.partition("[[halls.categories]]")
    sub = text[text.index("\n[halls.notify.smpp]"):]
    return parse_config(head + sub.strip() + "\n\n[[halls.categories]]" + rest[: rest.index("\n[halls.notify.smpp]")],
                        "bench.toml")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))]


class SmscProcess:
    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", SMSC, str(ROOT / "tests")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def counts(self) -> tuple[int, int, int]:
        self.proc.stdin.write("?\n")
        self.proc.stdin.flush()
        n, distinct, most = map(int, self.proc.stdout.readline().split())
        return n, distinct, most

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


async def enqueue_cost(notifier: Notifier, db, n: int) -> dict:
    inside: list[float] = []
    cpu: list[float] = []  # the thread's CPU time: the cost itself, without the waits a busy machine adds
    with_it: list[float] = []
    without: list[float] = []

    def tx_with(tx, i):
        c0, t0 = time.thread_time(), time.perf_counter()
        notifier.enqueue(tx, hall="eco", kind="ticket_near", phone=f"139{i:08d}",
                         params={"number": f"A{i % 1000:03d}", "ahead": 3}, event_key=f"bench:near:{i}")
        inside.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
        issue(tx, i)

    def tx_without(tx, i):
        issue(tx, i)

    def issue(tx, i):  # a stand-in for issuing a ticket: one row of that size
        tx.execute("INSERT INTO bench_issue (hall, number, category, issued_at, token) VALUES "
                   "('eco', :n, 'eia', :t, :tok)", {"n": f"A{i:05d}", "t": time.time(), "tok": "h1:" + "x" * 43})

    await db.write(lambda tx: tx.execute(
        "CREATE TABLE bench_issue (id INTEGER PRIMARY KEY, hall TEXT, number TEXT, category TEXT, issued_at REAL, "
        "token TEXT)"))

    for i in range(n):
        t0 = time.perf_counter()
        await db.write_hot(tx_with, i)
        with_it.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        await db.write_hot(tx_without, i)
        without.append(time.perf_counter() - t0)
    ms = 1000
    return {"enqueues": n,
            "enqueue_p50_ms": statistics.median(inside) * ms, "enqueue_p99_ms": pct(inside, 0.99) * ms,
            "enqueue_max_ms": max(inside) * ms,
            "enqueue_cpu_p50_ms": statistics.median(cpu) * ms, "enqueue_cpu_p99_ms": pct(cpu, 0.99) * ms,
            "hot_write_p99_ms_with": pct(with_it, 0.99) * ms, "hot_write_p99_ms_without": pct(without, 0.99) * ms}


async def issuing(db, n: int, stop: asyncio.Event | None = None) -> list[float]:
    """Ticket-sized hot writes, one every 5 ms (a busy hall's kiosks and windows): their latencies."""
    out: list[float] = []
    for i in range(n):
        if stop is not None and stop.is_set():
            break
        t0 = time.perf_counter()
        await db.write_hot(lambda tx, i=i: tx.execute(
            "INSERT INTO bench_issue (hall, number, category, issued_at, token) VALUES ('eco', :n, 'eia', :t, :k)",
            {"n": f"B{i:05d}", "t": time.time(), "k": "h1:" + "x" * 43}))
        out.append(time.perf_counter() - t0)
        await asyncio.sleep(0.005)
    return out


async def drain(n: int, tmp: Path) -> dict:
    smsc = SmscProcess()
    try:
        url = f"sqlite:///{tmp / 'drain.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        db = open_database(url)
        key = Fernet.generate_key()
        notifier = Notifier(config(smsc.port), db, time.time, Box([key]), tmp)

        def fill(tx):
            for i in range(n):
                notifier.enqueue(tx, hall="eco", kind="ticket_called", phone=f"138{i:08d}",
                                 params={"number": f"A{i:05d}", "window": "1号窗口"}, event_key=f"bench:{i}")

        await db.write(fill)
        await db.write(lambda tx: tx.execute(
            "CREATE TABLE bench_issue (id INTEGER PRIMARY KEY, hall TEXT, number TEXT, category TEXT, "
            "issued_at REAL, token TEXT)"))
        idle = await issuing(db, 400)  # tickets issued with nothing being sent
        t0 = time.perf_counter()
        await notifier.start()
        stop = asyncio.Event()
        busy_task = asyncio.create_task(issuing(db, 10**9, stop))  # and while the backlog drains
        give_up = time.monotonic() + 300
        while True:
            got, distinct, most = await asyncio.to_thread(smsc.counts)
            if got >= n:
                break
            if time.monotonic() > give_up:
                raise SystemExit(f"only {got} of {n} messages reached the SMSC in 300 s")
            await asyncio.sleep(0.1)
        elapsed = time.perf_counter() - t0
        stop.set()
        busy = await busy_task

        async def delivered() -> int:
            return await db.read(lambda tx: tx.scalar("SELECT COUNT(*) FROM notify_outbox WHERE state = 'delivered'"))

        deadline = time.monotonic() + 30
        while await delivered() < n and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        receipts = await delivered()
        await notifier.stop()
        await asyncio.to_thread(db.close)
        got, distinct, most = await asyncio.to_thread(smsc.counts)
        return {"messages": n, "seconds": elapsed, "messages_per_s": n / elapsed, "smsc_received": got,
                "distinct": distinct, "most_copies": most, "delivered_receipts": receipts,
                "issue_p50_ms_idle": statistics.median(idle) * 1000, "issue_p99_ms_idle": pct(idle, 0.99) * 1000,
                "issue_p50_ms_draining": statistics.median(busy) * 1000,
                "issue_p99_ms_draining": pct(busy, 0.99) * 1000, "issued_while_draining": len(busy)}
    finally:
        smsc.stop()


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10_000)
    ap.add_argument("--enqueues", type=int, default=10_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        url = f"sqlite:///{tmp / 'enqueue.db'}"
        await asyncio.to_thread(migrate.upgrade, url)
        db = open_database(url)
        notifier = Notifier(config(1), db, time.time, Box([Fernet.generate_key()]), tmp)
        # Its wake-up of the sender is part of the cost: wire it as start() does, without the sender running.
        notifier._loop, notifier._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        notifier._wake["eco"] = asyncio.Event()
        gc.collect()
        gc.freeze()  # as a server process does after start (Settings.freeze_gc)
        cost = await enqueue_cost(notifier, db, args.enqueues)
        await asyncio.to_thread(db.close)
        print(f"enqueue inside a hot write, {cost['enqueues']} times: p50 {cost['enqueue_p50_ms']:.3f} ms, "
              f"p99 {cost['enqueue_p99_ms']:.3f} ms, max {cost['enqueue_max_ms']:.3f} ms (CPU time p50 "
              f"{cost['enqueue_cpu_p50_ms']:.3f} ms, p99 {cost['enqueue_cpu_p99_ms']:.3f} ms); the whole hot write p99 "
              f"{cost['hot_write_p99_ms_with']:.3f} ms with it, {cost['hot_write_p99_ms_without']:.3f} ms without")
        out = await drain(args.messages, tmp)
        print(f"drain: {out['messages']} messages through the SMPP stub in {out['seconds']:.1f} s = "
              f"{out['messages_per_s']:.0f} messages/s; the SMSC received {out['smsc_received']} "
              f"({out['distinct']} distinct, at most {out['most_copies']} of one); "
              f"{out['delivered_receipts']} delivery receipts recorded")
        print(f"issuing (a ticket-sized hot write every 5 ms): p50 {out['issue_p50_ms_idle']:.3f} ms, p99 "
              f"{out['issue_p99_ms_idle']:.3f} ms with nothing to send; p50 {out['issue_p50_ms_draining']:.3f} ms, "
              f"p99 {out['issue_p99_ms_draining']:.3f} ms while the backlog drained "
              f"({out['issued_while_draining']} issued meanwhile)")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "notify.json").write_text(json.dumps({"enqueue": cost, "drain": out}, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
