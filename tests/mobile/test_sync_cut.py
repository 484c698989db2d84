"""Issue 18, point 3: the link cut at random points during sync, 20 times (a proxy that drops every
connection after N bytes, or every other time as an answer begins: the centre applied the batch,
the van never heard); the van works on between attempts; once a sync completes, the centre has
every row of the van exactly once: no duplicate, no gap, nothing missing; the batches numbered 1..n."""
from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from pathlib import Path

import httpx
from support.cutproxy import CuttingProxy

from onewindow.server.services.sync import run_sync


def rows(db: Path, query: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return sorted(tuple(r) for r in con.execute(query))
    finally:
        con.close()


TICKETS = ("SELECT service_day, number, status, issued_at, called_at, started_at, finished_at, wait_s, service_s "
           "FROM ticket WHERE hall = 'van1'")
EVENTS = ("SELECT t.number, e.type, e.at, e.clerk FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
          "WHERE e.hall = 'van1'")
CASES = "SELECT number, item, status, accepted_at, deadline_at FROM case_file WHERE hall = 'van1'"
CASE_EVENTS = ("SELECT c.number, e.type, e.at FROM case_event e JOIN case_file c ON c.id = e.case_id "
               "WHERE e.hall = 'van1'")
RATINGS = "SELECT t.number, r.level, r.at FROM rating r JOIN ticket t ON t.id = r.ticket_id WHERE r.hall = 'van1'"
TASKS = "SELECT level, state, opened_at FROM rectification_task WHERE hall = 'van1'"


def test_sync_cut_twenty_times(centre, vans):
    van = vans("van1")
    van.outfit()
    van.serve()
    van.day(12)
    outlet = json.loads((van.data / "outlet.json").read_text())
    proxy = CuttingProxy(centre.server.port)
    rng = random.Random(18)
    cuts, done, budgets = 0, 0, []
    try:
        while cuts < 20:
            if cuts % 2:  # as the n-th answer begins: the centre applied a batch the van never heard of
                budget, answers = None, rng.randint(0, 3)
            else:  # anywhere in the bytes, requests and answers
                budget, answers = rng.randint(300, 40000), None
            proxy.limit(budget, answers)
            try:
                asyncio.run(run_sync(van.data, outlet, False, timeout=10, batch=6, central=proxy.url))
            except httpx.HTTPError:  # the link, never a refusal by the centre (SyncError: the test fails)
                cuts += 1
                budgets.append(budget)
                continue
            done += 1  # it got through: more work in the van, and cut again
            van.day(3)
        proxy.limit(None)
        asyncio.run(run_sync(van.data, outlet, False, timeout=10, batch=6, central=proxy.url))
    finally:
        proxy.close()
    assert cuts == 20, budgets
    vdb, cdb = van.data / "onewindow.db", Path(centre.settings.data_dir) / "onewindow.db"
    for query in (TICKETS, EVENTS, CASES, CASE_EVENTS, RATINGS, TASKS):
        ours, theirs = rows(vdb, query), rows(cdb, query)
        assert theirs == ours, query  # nothing missing, nothing twice
        assert len(set(theirs)) == len(theirs), query
    assert len(rows(vdb, TICKETS)) == 12 + 3 * done
    seqs = [r[0] for r in rows(cdb, "SELECT seq FROM sync_batch WHERE outlet = 'van1'")]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) > 2
    # Every audit entry of the van once at the centre, with its origin.
    van_audit = len(rows(vdb, "SELECT id FROM audit_log"))
    origins = rows(cdb, "SELECT origin_id FROM sync_map WHERE outlet = 'van1' AND kind = 'audit_log'")
    assert len(origins) == van_audit == len(set(origins))
