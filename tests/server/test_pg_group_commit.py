"""PostgreSQL hot writes (issue 17, point 3): the writes queued together commit in
one transaction (one commit, one WAL flush), yet each is answered on its own: a
write that fails leaves no trace and costs the others nothing. Two processes
calling at one window never call a ticket twice."""
from __future__ import annotations

import asyncio
import collections
import multiprocessing

import pytest
from support.wait import wait_until_async

from onewindow.server.store import tickets as tstore
from onewindow.server.store.database import DatabaseError, PostgresDatabase, lane_key
from onewindow.tickets.lifecycle import RuleViolation

HALL, DAY, WINDOW = "pg", "2026-12-03", "w1"
CATS = ["eia", "permit"]


def _create(tx):
    tx.execute("CREATE TABLE IF NOT EXISTS gc_t (n INTEGER PRIMARY KEY, v TEXT)")


def _put(tx, n: int, fail: str | None = None):
    """A row, then (maybe) a failure after writing it: the row must go. Returns
    the transaction's id, so the test sees which writes shared a transaction."""
    tx.execute("INSERT INTO gc_t (n, v) VALUES (:n, :v)", {"n": n, "v": f"row {n}"})
    if fail == "rule":
        raise RuleViolation(f"no {n}")
    if fail == "sql":  # a driver error: the statement aborts the transaction it ran in
        tx.execute("INSERT INTO gc_t (n, v) VALUES (:n, 'again')", {"n": n})
    return tx.scalar("SELECT txid_current()")


def _rows(tx):
    return [r["n"] for r in tx.all("SELECT n FROM gc_t ORDER BY n")]


@pytest.fixture
def db(pg_url):
    d = PostgresDatabase(pg_url)
    d.write_sync(_create)
    yield d
    d.close()


async def test_hot_writes_queued_together_commit_in_one_transaction(db):
    txids = await asyncio.gather(*(db.write_hot(_put, n) for n in range(100)))
    assert await db.read(_rows) == list(range(100))
    # Before grouping each write was a transaction (and a commit) of its own: 100 ids.
    assert len(set(txids)) <= 3, f"100 writes of one loop turn took {len(set(txids))} transactions"
    assert db.groups == len(set(txids))


@pytest.mark.parametrize("every", [7, 1, 10_000])  # some fail, all fail, none fails
@pytest.mark.parametrize("how", ["rule", "sql"])  # a store function's refusal; a driver error
async def test_a_failing_hot_write_changes_nothing_and_answers_only_its_caller(db, every, how):
    ns = list(range(120))
    results = await asyncio.gather(*(db.write_hot(_put, n, how if n % every == 0 else None) for n in ns),
                                   return_exceptions=True)
    for n, r in zip(ns, results, strict=True):
        if n % every != 0:
            assert isinstance(r, int), r
        elif how == "rule":
            assert isinstance(r, RuleViolation) and str(r) == f"no {n}"
        else:
            assert isinstance(r, DatabaseError) and "duplicate key" in str(r)
    assert await db.read(_rows) == [n for n in ns if n % every != 0]
    ok = {r for r in results if isinstance(r, int)}
    if ok:  # the others still shared their transactions
        assert len(ok) <= 3, f"{len(ok)} transactions for {len([r for r in results if isinstance(r, int)])} writes"


async def test_a_group_that_deadlocks_with_another_transaction_runs_again(db, pg_url):
    """An ordinary transaction holds a row the group needs and then waits for one the group
    holds: PostgreSQL fails the side that waited longest (the group, after 1 s) and the group
    runs again once the other has committed. Before, the deadlock failed the write."""
    import psycopg

    plain = pg_url.replace("+psycopg", "")
    db.write_sync(lambda tx: tx.execute("INSERT INTO gc_t (n, v) VALUES (1, 'a'), (2, 'b')"))
    other = psycopg.connect(plain, autocommit=False)
    watch = psycopg.connect(plain, autocommit=True)
    try:
        other.execute("SET deadlock_timeout = '20s'")  # the group's backend (1 s) detects it first
        other.execute("UPDATE gc_t SET v = 'other' WHERE n = 2")

        def group_write(tx):
            tx.execute("UPDATE gc_t SET v = 'group 1' WHERE n = 1")
            tx.execute("UPDATE gc_t SET v = 'group 2' WHERE n = 2")  # waits for `other`
            return "done"

        task = asyncio.ensure_future(db.write_hot(group_write))
        await wait_until_async(lambda: watch.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'").fetchone()[0],
            timeout=20, what="the group waiting for the other transaction")
        loop = asyncio.get_running_loop()

        def other_side():
            other.execute("UPDATE gc_t SET v = 'other 1' WHERE n = 1")  # waits for the group: a deadlock
            other.commit()

        await loop.run_in_executor(None, other_side)  # the group was the one failed, so `other` got through
        assert await asyncio.wait_for(task, 30) == "done"
    finally:
        other.close()
        watch.close()
    rows = await db.read(lambda tx: {r["n"]: r["v"] for r in tx.all("SELECT n, v FROM gc_t")})
    assert rows == {1: "group 1", 2: "group 2"}, "the group ran again after the other committed"


async def test_a_lane_held_elsewhere_waits_while_other_lanes_commit(db, pg_url):
    """A window's hot writes wait for that window's lane (held here as another process's group
    would hold it), and meanwhile another window's commit: before lanes, one lock ordered every
    hot group of every process, and a slow window held up the whole hall."""
    import psycopg

    busy = "pg/window/w1"
    free = next(f"pg/window/w{i}" for i in range(2, 50)
                if lane_key(f"pg/window/w{i}") % PostgresDatabase.HOT_WRITERS != lane_key(busy) % db.HOT_WRITERS)
    other = psycopg.connect(pg_url.replace("+psycopg", ""), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s, %s)", (PostgresDatabase.HOT_LOCK, lane_key(busy)))
        held = asyncio.ensure_future(db.write_hot(_put, 1, lane=busy))
        await wait_until_async(lambda: other.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'advisory'").fetchone()[0],
            timeout=20, what="the busy lane's group waiting for its lock")
        assert isinstance(await asyncio.wait_for(db.write_hot(_put, 2, lane=free), 20), int)
        assert not held.done() and await db.read(_rows) == [2]
        other.execute("SELECT pg_advisory_unlock(%s, %s)", (PostgresDatabase.HOT_LOCK, lane_key(busy)))
        assert isinstance(await asyncio.wait_for(held, 20), int)
    finally:
        other.close()
    assert await db.read(_rows) == [1, 2]


# ----- two processes calling at one window -----------------------------------------------


def _issue_all(url: str, n: int) -> list[int]:
    async def go():
        db = PostgresDatabase(url)
        try:
            await db.write(lambda tx: tx.execute(
                "INSERT INTO window_state (hall, window_id, away) VALUES (:h, :w, '')", {"h": HALL, "w": WINDOW}))
            out = []
            for i in range(n):
                t = await db.write_hot(tstore.issue, hall=HALL, category=CATS[i % 2], prefix="AB"[i % 2], priority=0,
                                       lang="zh", now=1000.0 + i, day=DAY, token=f"tok{i}", daily_cap=0,
                                       pool=tuple(CATS))
                out.append(t["id"])
            return out
        finally:
            db.close()

    return asyncio.run(go())


def _call_at_one_window(url: str, clerk: str, start, calls: int, out) -> None:
    """A process of its own: `calls` calls at WINDOW, many at a time, as a server's clerks press."""
    async def go():
        db = PostgresDatabase(url)
        try:
            start.wait(30)
            got = await asyncio.gather(*(db.write_hot(tstore.call_next, hall=HALL, window=WINDOW, clerk=clerk,
                                                      categories=CATS, mode="fifo", now=5000.0,
                                                      starvation_limit_s=3600) for _ in range(calls)))
            return [t["id"] for t in got if t is not None], db.groups
        finally:
            db.close()

    out.put(asyncio.run(go()))


def test_two_processes_calling_at_one_window_never_call_a_ticket_twice(pg_url):
    issued = _issue_all(pg_url, 240)
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_call_at_one_window, args=(pg_url, f"clerk{i}", start, 150, out)) for i in range(2)]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    called = [tid for ids, _ in results for tid in ids]
    twice = [tid for tid, k in collections.Counter(called).items() if k > 1]
    assert not twice, f"tickets called twice: {twice}"
    assert sorted(called) == sorted(issued), "every ticket called once (300 presses for 240 tickets)"
    assert all(ids for ids, _ in results), "both processes called"
    # Grouped: far fewer commits than calls (each process pressed 150 times at once).
    assert all(groups < 150 for _, groups in results), results
