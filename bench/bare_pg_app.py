"""The PostgreSQL ceiling: a bare Starlette app doing the same transactions as
onewindow's issue and next with the same driver (psycopg 3, its async
connections straight on the event loop), one transaction and one commit per
request, no auth, no events, no validation. hall_bench.py reports ours as a
share of this one's, with the same number of workers, in the same run.

Issue takes the category's counter row; next takes the head tickets, then
writes the ticket, the window's row (its current ticket, as onewindow's
window_state) and the event. Until 2026-12-03 next left the window's row out,
so the two apps did not make the same writes: onewindow's calls were measured
against a ceiling that never queued on a window's row.

    BARE_PG=postgresql://postgres@127.0.0.1:5432/db uvicorn bench.bare_pg_app:app --workers 2 ...

`setup(url)` makes the tables (once, before the workers start).
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import time

import psycopg
from starlette.applications import Starlette
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CATEGORIES = ("eia", "permit", "acceptance", "hazwaste", "complaint", "consult", "assist")
CONNECTIONS = int(os.environ.get("BARE_PG_CONNECTIONS", "8"))  # per worker, as onewindow's pool
SCHEMA = """
CREATE TABLE IF NOT EXISTS counter (category TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ticket (id BIGSERIAL PRIMARY KEY, category TEXT, number TEXT, priority INTEGER,
  status TEXT, token TEXT, issued_at DOUBLE PRECISION, arrived_at DOUBLE PRECISION, window_id TEXT,
  called_at DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS ix_wait ON ticket (category, priority, arrived_at, id) WHERE status = 'waiting';
CREATE TABLE IF NOT EXISTS event (id BIGSERIAL PRIMARY KEY, ticket_id BIGINT, type TEXT, at DOUBLE PRECISION,
  data TEXT);
CREATE TABLE IF NOT EXISTS window_state (window_id TEXT PRIMARY KEY, current_ticket BIGINT);
INSERT INTO window_state (window_id) SELECT 'w' || n FROM generate_series(1, 6) n ON CONFLICT DO NOTHING;
"""
HEADS = ("SELECT h.id, h.arrived_at FROM (VALUES " + ", ".join(f"('{c}', {p})" for c in CATEGORIES for p in (1, 0))
         + ") AS k (cat, prio) CROSS JOIN LATERAL (SELECT id, arrived_at FROM ticket WHERE category = k.cat "
         "AND priority = k.prio AND status = 'waiting' ORDER BY arrived_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) h")


def setup(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SCHEMA)


class Pool:
    """A few async connections, handed out in turn."""

    def __init__(self, url: str, n: int):
        self.url, self.n = url, n
        self.free: asyncio.Queue | None = None

    async def get(self) -> psycopg.AsyncConnection:
        if self.free is None:
            self.free = asyncio.Queue()
            for _ in range(self.n):
                self.free.put_nowait(await psycopg.AsyncConnection.connect(self.url))
        return await self.free.get()

    def put(self, conn) -> None:
        assert self.free is not None
        self.free.put_nowait(conn)


pool = Pool(os.environ.get("BARE_PG", "postgresql://postgres@127.0.0.1:5432/test"), CONNECTIONS)


async def issue(request):
    body = json.loads(await request.body())
    cat = body["category"]
    now = time.time()
    conn = await pool.get()
    try:
        async with conn.transaction():
            seq = (await (await conn.execute(
                "INSERT INTO counter VALUES (%s, 1) ON CONFLICT (category) DO UPDATE SET last = counter.last + 1 "
                "RETURNING last", (cat,))).fetchone())[0]
            number = f"A{seq:03d}"
            tid = (await (await conn.execute(
                "INSERT INTO ticket (category, number, priority, status, token, issued_at, arrived_at) "
                "VALUES (%s, %s, 0, 'waiting', %s, %s, %s) RETURNING id",
                (cat, number, secrets.token_urlsafe(32), now, now))).fetchone())[0]
            await conn.execute("INSERT INTO event (ticket_id, type, at, data) VALUES (%s, 'issued', %s, '{}')",
                               (tid, now))
            ahead = (await (await conn.execute(
                "SELECT COUNT(*) FROM ticket WHERE status = 'waiting' AND category = ANY(%s) AND arrived_at < %s",
                (list(CATEGORIES), now))).fetchone())[0]
    finally:
        pool.put(conn)
    return JSONResponse({"id": tid, "number": number, "ahead": ahead}, status_code=201)


async def call_next(request):
    window = request.path_params["window"]
    now = time.time()
    conn = await pool.get()
    try:
        async with conn.transaction():
            rows = await (await conn.execute(HEADS)).fetchall()
            if not rows:
                return Response(status_code=204)
            best = min(rows, key=lambda r: (r[1], r[0]))
            await conn.execute("UPDATE ticket SET status = 'called', window_id = %s, called_at = %s WHERE id = %s",
                               (window, now, best[0]))
            await conn.execute("UPDATE window_state SET current_ticket = %s WHERE window_id = %s", (best[0], window))
            await conn.execute("INSERT INTO event (ticket_id, type, at, data) VALUES (%s, 'call', %s, '{}')",
                               (best[0], now))
    finally:
        pool.put(conn)
    return JSONResponse({"id": best[0]})


app = Starlette(routes=[
    Route("/api/v1/halls/{hall}/tickets", issue, methods=["POST"]),
    Route("/api/v1/halls/{hall}/windows/{window}/next", call_next, methods=["POST"]),
])
