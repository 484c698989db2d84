"""The SQLite writer: writes grouped into one transaction, yet each answered on
its own: a write that fails leaves no trace and costs the others nothing."""
from __future__ import annotations

import asyncio

import pytest

from onewindow.server.db import SqliteDatabase
from onewindow.server.rules import RuleViolation


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


@pytest.mark.parametrize("every", [7, 1, 10_000])  # some fail, all fail, none fails
async def test_a_failing_write_in_a_group_changes_nothing_and_answers_only_its_caller(db, every, monkeypatch):
    groups = []
    fast = SqliteDatabase._run_fast
    monkeypatch.setattr(SqliteDatabase, "_run_fast", lambda self, c, t, g: groups.append(len(g)) or fast(self, c, t, g))
    ns = list(range(300))
    results = await asyncio.gather(*(db.write(_put, n, n % every == 0) for n in ns), return_exceptions=True)
    for n, r in zip(ns, results):
        if n % every == 0:
            assert isinstance(r, RuleViolation) and str(r) == f"no {n}"
        else:
            assert r == f"row {n}"
    assert await db.read(_rows) == [n for n in ns if n % every != 0]
    assert max(groups) > 1, "the writes were never grouped: the test shows nothing"


async def test_writes_from_start_up_code_without_a_loop(db):
    assert await asyncio.to_thread(db.write_sync, _put, 1, False) == "row 1"
    with pytest.raises(RuleViolation):
        await asyncio.to_thread(db.write_sync, _put, 2, True)
    assert await db.read(_rows) == [1]
