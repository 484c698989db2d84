"""The SQLite writer: writes grouped into one transaction, yet each answered on
its own: a write that fails leaves no trace and costs the others nothing. Hot
writes run on the event loop, yet never make it wait."""
from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from onewindow.server.store.database import DatabaseError, SqliteDatabase
from onewindow.tickets.lifecycle import RuleViolation


def _create(tx):
    tx.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY, v TEXT)")


def _put(tx, n: int, fail: bool):
    tx.execute("INSERT INTO t (n, v) VALUES (:n, :v)", {"n": n, "v": f"row {n}"})
    if fail:  # after writing: the row must go
        raise RuleViolation(f"no {n}")
    return tx.scalar("SELECT v FROM t WHERE n = :n", {"n": n})


def _rows(tx):
    return [r[0] for r in tx.all("SELECT n FROM t ORDER BY n")]


@pytest.fixture
def db(tmp_path):
    d = SqliteDatabase(str(tmp_path / "t.db"))
    d.write_sync(_create)
    yield d
    d.close()


def _put_where(tx, n: int, fail: bool = False):
    """`_put`, and whether it ran on the event loop's thread."""
    v = _put(tx, n, fail)
    return v, threading.current_thread() is threading.main_thread()


@pytest.mark.parametrize("every", [7, 1, 10_000])  # some fail, all fail, none fails
@pytest.mark.parametrize("hot", [False, True])  # the writer thread; on the loop
async def test_a_failing_write_in_a_group_changes_nothing_and_answers_only_its_caller(db, every, hot, monkeypatch):
    groups = []
    run = SqliteDatabase._run_group
    monkeypatch.setattr(SqliteDatabase, "_run_group", lambda self, g: groups.append(len(g)) or run(self, g))
    write = db.write_hot if hot else db.write
    ns = list(range(300))
    results = await asyncio.gather(*(write(_put_where, n, n % every == 0) for n in ns), return_exceptions=True)
    for n, r in zip(ns, results, strict=False):
        if n % every == 0:
            assert isinstance(r, RuleViolation) and str(r) == f"no {n}"
        else:
            assert r == (f"row {n}", hot), "a hot write runs on the loop, any other in the writer thread"
    assert await db.read(_rows) == [n for n in ns if n % every != 0]
    assert max(groups) > 1, "the writes were never grouped: the test shows nothing"


async def test_writes_from_start_up_code_without_a_loop(db):
    assert await asyncio.to_thread(db.write_sync, _put, 1, False) == "row 1"
    with pytest.raises(RuleViolation):
        await asyncio.to_thread(db.write_sync, _put, 2, True)
    assert await db.read(_rows) == [1]


# ----- hot writes: on the event loop, never making it wait ------------------------------------------


async def _ticks(stop: asyncio.Event) -> float:
    """The longest the loop went without running this task, while `stop` is unset."""
    worst, last = 0.0, time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        worst, last = max(worst, now - last), now
    return worst


async def test_hot_writes_queue_behind_a_slow_ordinary_write_without_stalling_the_loop(db):
    def slow(tx):
        tx.execute("INSERT INTO t (n, v) VALUES (1000, 'slow')")
        time.sleep(0.4)

    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticks(stop))
    slow_write = asyncio.create_task(db.write(slow))
    await asyncio.sleep(0.05)  # the writer thread now holds the connection
    results = await asyncio.gather(*(db.write_hot(_put_where, n) for n in range(20)))
    await slow_write
    stop.set()
    assert [v for v, _ in results] == [f"row {n}" for n in range(20)]
    assert not any(on_loop for _, on_loop in results), "they should have waited in the writer thread"
    assert await ticker < 0.2
    assert await db.read(_rows) == [*range(20), 1000]


async def test_a_lock_held_by_another_process_is_waited_out_by_the_writer_thread_not_the_loop(db):
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (n, v) VALUES (500, 'other')")
    stop = asyncio.Event()
    ticker = asyncio.create_task(_ticks(stop))
    asyncio.get_running_loop().call_later(0.5, other.execute, "COMMIT")
    t0 = time.perf_counter()
    results = await asyncio.gather(*(db.write_hot(_put_where, n) for n in range(10)))
    waited = time.perf_counter() - t0
    stop.set()
    other.close()
    assert [v for v, _ in results] == [f"row {n}" for n in range(10)]
    assert waited >= 0.45, "the hot writes cannot have committed while the other held the lock"
    assert await ticker < 0.2
    assert await db.read(_rows) == [*range(10), 500]


async def test_a_lock_never_released_fails_the_write_with_a_clear_error(db, monkeypatch):
    monkeypatch.setattr(db, "BUSY_WAIT_S", 0.3)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseError, match="busy"):
            await db.write_hot(_put, 1, False)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert await db.write_hot(_put, 2, False) == "row 2"


async def test_the_checkpointer_copies_hot_writes_into_the_database_file(db, monkeypatch):
    monkeypatch.setattr(db, "CHECKPOINT_EVERY", 10)
    for start in range(0, 200, 20):
        await asyncio.gather(*(db.write_hot(_put, n, False) for n in range(start, start + 20)))

    def in_main_file() -> int:
        # immutable=1 reads the database file alone, ignoring the WAL.
        c = sqlite3.connect(f"file:{db.path}?immutable=1", uri=True)
        try:
            return c.execute("SELECT COUNT(*) FROM t").fetchone()[0]
        except sqlite3.Error:
            return -1  # the table itself not checkpointed yet
        finally:
            c.close()

    deadline = time.monotonic() + 5
    while in_main_file() != 200 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert in_main_file() == 200


async def test_hot_writes_from_a_second_loop_go_through_the_writer_thread(db):
    assert await db.write_hot(_put_where, 1) == ("row 1", True)
    other_loop = await asyncio.to_thread(asyncio.run, db.write_hot(_put_where, 2))
    assert other_loop == ("row 2", False)


async def test_a_closed_database_refuses_hot_writes(tmp_path):
    d = SqliteDatabase(str(tmp_path / "c.db"))
    d.write_sync(_create)
    d.close()
    with pytest.raises(DatabaseError, match="closed"):
        await d.write_hot(_put, 1, False)


async def test_a_write_queued_behind_the_close_is_refused_not_left_waiting(tmp_path):
    d = SqliteDatabase(str(tmp_path / "q.db"))
    d.write_sync(_create)
    d._wlock.acquire()  # the connection is busy (the loop's hot writes, say)
    first = asyncio.create_task(d.write(_put, 1, False))
    await asyncio.sleep(0.05)
    assert d._jobs.qsize() == 0  # the writer thread has taken it and waits for the connection
    d._jobs.put(None)  # close() begins...
    late = asyncio.create_task(d.write(_put, 2, False))  # ...as one more write is handed over
    await asyncio.sleep(0.05)
    d._wlock.release()
    assert await asyncio.wait_for(first, 5) == "row 1"
    with pytest.raises(DatabaseError, match="closed"):
        await asyncio.wait_for(late, 5)
    d.close()
