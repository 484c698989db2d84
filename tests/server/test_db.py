"""The SQLite writer: writes grouped into one transaction, yet each answered on
its own: a write that fails leaves no trace and costs the others nothing. Hot
writes run on the event loop, yet never make it wait."""
from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest
from support.wait import wait_until_async

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
# These hold the connection (or the file's lock) until the test itself, running on the loop,
# lets go: were the loop made to wait for it, nobody could, and the holder gives up instead.


async def test_hot_writes_queue_behind_a_slow_ordinary_write_without_stalling_the_loop(db):
    holding, release = threading.Event(), threading.Event()
    released: list[bool] = []

    def slow(tx):
        tx.execute("INSERT INTO t (n, v) VALUES (1000, 'slow')")
        holding.set()
        released.append(release.wait(10))  # False: the loop stood still for 10 s

    slow_write = asyncio.create_task(db.write(slow))
    await wait_until_async(holding.is_set, what="the writer thread holding the connection")
    hot = [asyncio.create_task(db.write_hot(_put_where, n)) for n in range(20)]
    # The loop handed them to the writer thread (they queue behind the slow write) and runs on.
    await wait_until_async(lambda: db._jobs.qsize() == 20, what="the hot writes queued for the writer thread")
    assert not any(t.done() for t in hot)
    release.set()
    results = await asyncio.gather(*hot)
    await slow_write
    assert released == [True], "the loop was made to wait for the slow write"
    assert [v for v, _ in results] == [f"row {n}" for n in range(20)]
    assert not any(on_loop for _, on_loop in results), "they should have waited in the writer thread"
    assert await db.read(_rows) == [*range(20), 1000]


async def test_a_lock_held_by_another_process_is_waited_out_by_the_writer_thread_not_the_loop(db, monkeypatch):
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t (n, v) VALUES (500, 'other')")
    waiting = threading.Event()
    begin_waiting = db._begin_waiting

    def noted(group):
        waiting.set()  # the writer thread waits out the other's lock
        return begin_waiting(group)

    monkeypatch.setattr(db, "_begin_waiting", noted)
    try:
        hot = [asyncio.create_task(db.write_hot(_put_where, n)) for n in range(10)]
        await wait_until_async(waiting.is_set, what="the writer thread waiting for the lock")
        # The loop runs this test meanwhile, and nothing could commit while the other holds the lock.
        assert not any(t.done() for t in hot), "the hot writes cannot have committed while the other held the lock"
        other.execute("COMMIT")
        results = await asyncio.gather(*hot)
    finally:
        other.close()
    assert [v for v, _ in results] == [f"row {n}" for n in range(10)]
    assert not any(on_loop for _, on_loop in results), "the writer thread waited, not the loop"
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

    await wait_until_async(lambda: in_main_file() == 200, interval=0.05, what="200 rows in the database file")


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
    handed = asyncio.Event()

    async def write_first():
        handed.set()  # the rest of this step hands the write to the writer thread
        return await d.write(_put, 1, False)

    first = asyncio.create_task(write_first())
    await handed.wait()
    # the writer thread has taken it and waits for the connection
    await wait_until_async(lambda: d._jobs.qsize() == 0, what="the writer thread taking the first write")
    d._jobs.put(None)  # close() begins...
    late = asyncio.create_task(d.write(_put, 2, False))  # ...as one more write is handed over
    await wait_until_async(lambda: d._jobs.qsize() == 2, what="the late write queued behind the close")
    d._wlock.release()
    assert await asyncio.wait_for(first, 5) == "row 1"
    with pytest.raises(DatabaseError, match="closed"):
        await asyncio.wait_for(late, 5)
    d.close()
