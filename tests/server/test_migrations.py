"""Migrations keep the data: a database made by an older release (here at
revision 0004, when the columns were still named `window`) is upgraded in
place on the next start and every ticket keeps its window, on SQLite and on
PostgreSQL; the public answers name it `window` as before."""
from __future__ import annotations

import contextlib
import os
import secrets
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool, text
from sqlmodel import SQLModel

from onewindow.server.store import cases as cstore
from onewindow.server.store import (
    migrate,
    models,  # noqa: F401 - registers the tables
)
from onewindow.server.store import ratings as rstore
from onewindow.server.store import reports as qstore
from onewindow.server.store import tickets as tstore
from onewindow.server.store import windows as wstore
from onewindow.server.store.database import open_database

TABLES = ("ticket", "ticket_event", "window_state", "window_post", "case_file", "rating", "rectification_task")
DAY = "2026-11-23"
NOW = datetime.fromisoformat(f"{DAY}T09:30:00+08:00").timestamp()  # before the test clock's 10:00


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=2) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request, tmp_path):
    """An empty database of each kind, not migrated (the shared PostgreSQL
    databases are copies of a migrated template: no use here)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    name = f"ow_mig_{secrets.token_hex(6)}"
    try:
        _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception:  # any failure: not available
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _connect(url: str):
    engine = create_engine(migrate.sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def _columns(url: str) -> dict[str, set[str]]:
    with _connect(url) as conn:
        insp = inspect(conn)
        return {t: {c["name"] for c in insp.get_columns(t)} for t in TABLES}


def _indexes(url: str) -> dict[str, list]:
    """Every index and primary key of the tables, with its columns ('window' read as 'window_id')."""
    with _connect(url) as conn:
        insp = inspect(conn)
        out = {}
        for t in TABLES:
            same = lambda cols: [("window_id" if c == "window" else c) for c in cols]  # noqa: E731
            out[t] = sorted(
                [(ix["name"], tuple(same(ix["column_names"])), bool(ix["unique"])) for ix in insp.get_indexes(t)]
                + [("pk", tuple(same(insp.get_pk_constraint(t)["constrained_columns"])), True)]
            )
        return out


def _old_rows(conn) -> dict[str, int]:
    """What a hall at revision 0004 holds: a ticket being served at w2 (and
    its events), one waiting for w3 after a transfer, a case and a bad rating
    with its rectification task, A/B posts. The old column is `window`,
    quoted because PostgreSQL reserves the word."""
    def insert(sql: str, params: dict) -> int:
        return conn.execute(text(sql + " RETURNING id"), params).scalar_one()

    common = {"hall": "eco", "day": DAY, "now": NOW}
    served = insert(
        'INSERT INTO ticket (hall, category, number, service_day, priority, status, lang, track_token, issued_at, '
        'arrived_at, called_at, last_called_at, started_at, call_count, "window", clerk, first_clerk, note, wait_s, '
        "walk_s) VALUES (:hall, 'eia', 'A001', :day, 0, 'serving', 'zh', 'tok-served', :now, :now, :now + 60, "
        ":now + 60, :now + 90, 1, 'w2', 'lina', 'lina', '', 60, 30)", common)
    done = insert(
        'INSERT INTO ticket (hall, category, number, service_day, priority, status, lang, track_token, issued_at, '
        'arrived_at, called_at, last_called_at, started_at, finished_at, call_count, "window", clerk, first_clerk, '
        "note, wait_s, walk_s, service_s) VALUES (:hall, 'permit', 'B001', :day, 0, 'done', 'zh', 'tok-done', :now, "
        ":now, :now + 10, :now + 10, :now + 20, :now + 300, 1, 'w1', 'zhangwei', 'zhangwei', '', 10, 10, 280)",
        common)
    waiting = insert(
        'INSERT INTO ticket (hall, category, number, service_day, priority, status, lang, track_token, issued_at, '
        'arrived_at, call_count, "window", target_window, note) VALUES (:hall, \'eia\', \'A002\', :day, 0, '
        "'waiting', 'zh', 'tok-waiting', :now, :now, 0, NULL, 'w3', 'transferred')", common)
    for tid, type_, window in ((served, "call", "w2"), (served, "start", "w2"), (done, "call", "w1"),
                               (waiting, "transfer", "w1")):
        insert('INSERT INTO ticket_event (hall, ticket_id, type, at, clerk, "window", data) '
               "VALUES (:hall, :tid, :type, :now + 60, 'lina', :w, '{}')", {**common, "tid": tid, "type": type_,
                                                                           "w": window})
    for w, clerk, current in (("w1", None, None), ("w2", "lina", served), ("w3", None, None)):
        conn.execute(text('INSERT INTO window_state (hall, "window", clerk, signed_in_at, away, current_ticket) '
                          "VALUES (:hall, :w, :clerk, :now, '', :cur)"),
                     {**common, "w": w, "clerk": clerk, "cur": current})
        conn.execute(text('INSERT INTO window_post (hall, "window", a_clerk, b_clerk) VALUES (:hall, :w, :a, NULL)'),
                     {**common, "w": w, "a": {"w1": "zhangwei", "w2": "lina", "w3": "wangfang"}[w]})
    case = insert(
        "INSERT INTO case_file (hall, number, item, ticket_id, ticket_number, category, applicant_name_enc, "
        "applicant_phone_enc, project, accepted_at, clock_from, deadline_at, deadline_provisional, promised_amount, "
        'promised_unit, instant, status, first_clerk, clerk, "window", closed_reason, card) VALUES (:hall, '
        "'HP-20261123-0001', 'discharge_permit', :tid, 'B001', 'permit', '', '', '', :now, :now, :now + 86400, "
        "false, 5, 'working_days', false, 'accepted', 'zhangwei', 'zhangwei', 'w1', '', 'green')",
        {**common, "tid": done})
    rating = insert(
        'INSERT INTO rating (ticket_id, case_id, hall, category, "window", clerk, channel, level, reasons, comment, '
        "at) VALUES (:tid, :case, :hall, 'permit', 'w1', 'zhangwei', 'pad', 1, '[]', 'slow', :now + 400)",
        {**common, "tid": done, "case": case})
    task = insert(
        'INSERT INTO rectification_task (rating_id, hall, ticket_id, "window", clerk, level, state, opened_at, '
        "due_at, steps) VALUES (:rid, :hall, :tid, 'w1', 'zhangwei', 1, 'verify', :now + 400, :now + 90000, '[]')",
        {**common, "rid": rating, "tid": done})
    return {"served": served, "done": done, "waiting": waiting, "case": case, "rating": rating, "task": task}


def test_upgrade_from_0004_keeps_every_window(empty_url):
    cfg = migrate.alembic_config(empty_url)
    command.upgrade(cfg, "0004")
    assert all("window" in cols and "window_id" not in cols for cols in _columns(empty_url).values())
    before = _indexes(empty_url)
    with _connect(empty_url) as conn:
        ids = _old_rows(conn)

    migrate.upgrade(empty_url)  # what the next start does

    assert all("window_id" in cols and "window" not in cols for cols in _columns(empty_url).values())
    # Indexes and primary keys kept, on the renamed column; 0010 made rating's unique key (ticket_id, kind)
    # (a case is rated apart from its visit; PostgreSQL lists a unique constraint's index).
    # 0019 indexed case_file.number (cases quoted by number across outlets); 0020 the waiting tickets
    # whose holder opted in to messages (looked for on every call).
    later = {"rating_ticket_id_key": ("uq_rating_once", ("ticket_id", "kind"), True)}
    added = {"case_file": [("ix_case_number", ("number",), False)], "ticket": [("ix_ticket_notify", ("hall",), False)]}
    assert _indexes(empty_url) == {t: sorted([*(later.get(ix[0], ix) for ix in ixs), *added.get(t, [])])
                                   for t, ixs in before.items()}
    with _connect(empty_url) as conn:  # the schema is the models' (nothing for autogenerate to add)
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []

    db = open_database(empty_url)
    try:
        served = db.write_sync(tstore.get, ids["served"])
        assert (served["number"], served["status"], served["window_id"], served["clerk"]) == \
            ("A001", "serving", "w2", "lina")
        assert db.write_sync(tstore.get, ids["done"])["window_id"] == "w1"
        waiting = db.write_sync(tstore.get, ids["waiting"])
        assert (waiting["window_id"], waiting["target_window"]) == (None, "w3")
        assert [(e["type"], e["window_id"]) for e in db.write_sync(tstore.events, ids["served"])] == \
            [("call", "w2"), ("start", "w2")]
        assert [(c["number"], c["window_id"]) for c in db.write_sync(tstore.recent_calls, "eco", NOW, 10)] == \
            [("B001", "w1"), ("A001", "w2")]
        states = db.write_sync(wstore.states, "eco")
        assert (states["w2"]["window_id"], states["w2"]["clerk"], states["w2"]["current_number"]) == \
            ("w2", "lina", "A001")
        assert (states["w1"]["a_clerk"], states["w3"]["a_clerk"]) == ("zhangwei", "wangfang")
        assert db.write_sync(cstore.get, ids["case"])["window_id"] == "w1"
        assert [r["window_id"] for r in db.write_sync(rstore.ratings_between, "eco", NOW, NOW + 1000)] == ["w1"]
        assert db.write_sync(rstore.task, ids["task"])["window_id"] == "w1"
        rows = {r["number"]: r["window_id"] for r in db.write_sync(qstore.tickets_of_days, "eco", DAY, DAY)}
        assert rows == {"A001": "w2", "B001": "w1", "A002": None}
        # The renamed column takes writes as before: a sign-in and a completion clear the window's ticket.
        db.write_sync(wstore.sign_in, "eco", "w1", "zhangwei", NOW + 500)
        db.write_sync(tstore.complete, ids["served"], clerk="lina", now=NOW + 600, outcome="done")
        states = db.write_sync(wstore.states, "eco")
        assert (states["w1"]["clerk"], states["w2"]["current_ticket"]) == ("zhangwei", None)
    finally:
        db.close()


def test_migrated_hall_answers_with_window_as_before(empty_url, make_client):
    """The served visitor's tracking page, the hall and the call screen's
    snapshot name the window `window` (the stable surface), read from rows
    written before the rename."""
    command.upgrade(migrate.alembic_config(empty_url), "0004")
    with _connect(empty_url) as conn:
        ids = _old_rows(conn)

    client = make_client(database_url=empty_url)  # starts: migrates to head, seeds, loads the screen's view
    got = client.get(f"/api/v1/tickets/{ids['served']}", params={"token": "tok-served"}).json()
    assert (got["number"], got["status"], got["window"], got["window_name"]) == ("A001", "serving", "w2", "2号窗口")
    assert "window_id" not in got
    hall = client.get("/api/v1/halls/eco").json()
    w2 = next(w for w in hall["windows"] if w["id"] == "w2")
    assert (w2["status"], w2["number"], w2["signed_in"]) == ("serving", "A001", "lina")
    assert all("window_id" not in w for w in hall["windows"])
    with client.websocket_connect("/ws/halls/eco/display") as ws:
        snap = ws.receive_json()
    assert snap["type"] == "snapshot"
    # B001 was called at w1, where nobody is signed in now: a closed window's calls stay out of
    # "now calling" at start-up too (1cd3b54, issue 12 point 8); w1 is still named as before.
    assert sorted((c["ticket"], c["window"], c["window_name"]) for c in snap["calls"]) == \
        [("A001", "w2", "2号窗口")]
    assert next(w for w in snap["windows"] if w["window"] == "w1")["status"] == "closed"
    assert next(w for w in snap["windows"] if w["window"] == "w2")["number"] == "A001"


def test_downgrade_renames_back(empty_url):
    migrate.upgrade(empty_url)
    with _connect(empty_url) as conn:
        conn.execute(text("INSERT INTO window_post (hall, window_id, a_clerk) VALUES ('eco', 'w9', 'x')"))
    command.downgrade(migrate.alembic_config(empty_url), "0004")
    assert all("window" in cols and "window_id" not in cols for cols in _columns(empty_url).values())
    with _connect(empty_url) as conn:
        assert conn.execute(text('SELECT "window", a_clerk FROM window_post')).all() == [("w9", "x")]
    migrate.upgrade(empty_url)  # and up again
    assert all("window_id" in cols for cols in _columns(empty_url).values())
