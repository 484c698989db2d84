"""The audit log: a hash chain that `onewindow audit verify` (and GET /api/v1/audit/verify)
checks, naming an edited, a deleted and an inserted row; every staff action and security
event recorded; read, filtered and exported by managers and admins only."""
from __future__ import annotations

import asyncio
import csv
import io
import itertools
import json
import re
import sqlite3
import subprocess

import pytest
from alembic import command
from cryptography.fernet import Fernet
from support import pg
from support.accounts import ADMIN_PASSWORD, login
from support.halls import HALL
from support.servers import ONEWINDOW, clean_env

from onewindow.server.services.audit import load_audit_keys
from onewindow.server.store import accounts, migrate
from onewindow.server.store import audit as astore
from onewindow.server.store.database import open_database

# ----- the database behind the client, touched directly (as an attacker with database access would) -----


def _raw(settings, database_url):
    """sql(statement, params) -> rows, on the client's database, outside the server."""
    if database_url is None:
        path = settings.data_dir / "onewindow.db"

        def run(sql, params=None):
            with sqlite3.connect(path) as conn:
                conn.row_factory = sqlite3.Row
                rows = [dict(r) for r in conn.execute(sql, params or {}).fetchall()]
            return rows
        return run
    import psycopg
    from psycopg.rows import dict_row

    conninfo = database_url.replace("postgresql+psycopg://", "postgresql://")

    def run_pg(sql, params=None):
        with psycopg.connect(conninfo, autocommit=True, row_factory=dict_row) as conn:
            cur = conn.execute(re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", sql), params or {})
            return cur.fetchall() if cur.description else []
    return run_pg


def _verify(client, headers) -> dict:
    r = client.get("/api/v1/audit/verify", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def _cli(settings, database_url) -> subprocess.CompletedProcess:
    args = [ONEWINDOW, "audit", "verify", "--data-dir", str(settings.data_dir)]
    if database_url:
        args += ["--database-url", database_url]
    return subprocess.run(args, env=clean_env(), capture_output=True, text=True, timeout=60)


def _some_actions(staff):
    c = staff.client
    clerk = staff.user("zhangwei")
    staff.user("boss", role="manager")
    assert c.post("/api/v1/auth/login", json={"username": "zhangwei", "password": "nope-nope"}).status_code == 401
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-in", headers=clerk).status_code == 200
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/away", headers=clerk,
                  json={"reason": "meeting", "back_at": "11:00"}).status_code == 200
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/back", headers=clerk).status_code == 200
    return clerk


def test_verify_names_an_edited_a_deleted_and_an_inserted_row(client, staff, settings, database_url):
    _some_actions(staff)
    sql = _raw(settings, database_url)
    rows = sql("SELECT id, at, actor, action, data, prev_hash, hash FROM audit_log ORDER BY id")
    assert len(rows) >= 8 and all(r["hash"] and r["prev_hash"] for r in rows)
    assert rows[0]["prev_hash"] == astore.GENESIS
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(rows))
    ok = _verify(client, staff.admin)
    assert ok["ok"] and ok["problem"] is None and ok["head"]["id"] == rows[-1]["id"]
    done = _cli(settings, database_url)
    assert done.returncode == 0, done.stderr
    assert "intact" in done.stdout

    # (a) edited: the actor of a middle row (the failed login's) made 'admin'
    victim = next(r for r in rows[1:-1] if r["action"] == "login_failed")
    sql("UPDATE audit_log SET actor = 'admin' WHERE id = :id", {"id": victim["id"]})
    bad = _verify(client, staff.admin)
    assert not bad["ok"] and bad["problem"]["id"] == victim["id"] and bad["problem"]["kind"] == "edited"
    done = _cli(settings, database_url)
    assert done.returncode == 1
    assert f"#{victim['id']}" in done.stderr and "edited" in done.stderr
    sql("UPDATE audit_log SET actor = :actor WHERE id = :id", {"id": victim["id"], "actor": victim["actor"]})
    assert _verify(client, staff.admin)["ok"]

    # (b) deleted: a middle row; named by the row after the gap
    gone, after = rows[4], rows[5]
    sql("DELETE FROM audit_log WHERE id = :id", {"id": gone["id"]})
    bad = _verify(client, staff.admin)
    assert not bad["ok"] and bad["problem"]["kind"] == "deleted" and bad["problem"]["id"] == after["id"]
    assert f"#{rows[3]['id']}" in bad["problem"]["message"]
    done = _cli(settings, database_url)
    assert done.returncode == 1 and "deleted" in done.stderr and f"#{after['id']}" in done.stderr
    sql("INSERT INTO audit_log (id, at, actor, action, data, prev_hash, hash) "
        "VALUES (:id, :at, :actor, :action, :data, :prev_hash, :hash)", gone)
    assert _verify(client, staff.admin)["ok"]

    # (c) inserted: a forged row at the end, the way the old log took rows
    sql("INSERT INTO audit_log (at, actor, action, data) VALUES (1.0, 'admin', 'create_user', '{}')")
    forged = sql("SELECT id FROM audit_log ORDER BY id DESC LIMIT 1")[0]["id"]
    bad = _verify(client, staff.admin)
    assert not bad["ok"] and bad["problem"] == {
        "id": forged, "kind": "inserted", "message": bad["problem"]["message"]}
    done = _cli(settings, database_url)
    assert done.returncode == 1 and "inserted" in done.stderr and f"#{forged}" in done.stderr
    sql("DELETE FROM audit_log WHERE id = :id", {"id": forged})

    # ... and one that copies the last row's hash as its prev_hash: still named
    head = sql("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]["hash"]
    sql("INSERT INTO audit_log (at, actor, action, data, prev_hash, hash) "
        "VALUES (1.0, 'admin', 'create_user', '{}', :p, :h)", {"p": head, "h": "f" * 64})
    forged = sql("SELECT id FROM audit_log ORDER BY id DESC LIMIT 1")[0]["id"]
    assert _verify(client, staff.admin)["problem"]["id"] == forged


def test_a_forged_row_between_two_rows_is_named_inserted():
    key = b"k" * 32
    rows, prev = [], astore.GENESIS
    for i in (1, 2, 5):
        h = astore.row_hash(key, i, 100.0 + i, "admin", "login", "{}", prev)
        rows.append({"id": i, "at": 100.0 + i, "actor": "admin", "action": "login", "data": "{}",
                     "prev_hash": prev, "hash": h})
        prev = h
    assert astore.verify_rows([key], rows)["ok"]
    forged = {"id": 3, "at": 103.0, "actor": "admin", "action": "create_user", "data": "{}",
              "prev_hash": rows[1]["hash"], "hash": "0" * 64}
    out = astore.verify_rows([key], [*rows[:2], forged, rows[2]])
    assert out["problem"]["id"] == 3 and out["problem"]["kind"] == "inserted"
    # another key (no key at all for an attacker) calls the first row edited
    assert astore.verify_rows([b"x" * 32], rows)["problem"] == {
        "id": 1, "kind": "edited", "message": astore.verify_rows([b"x" * 32], rows)["problem"]["message"]}
    # a rotated key list: old rows still verify with the old key among the keys
    assert astore.verify_rows([b"new" * 11, key], rows)["ok"]


def test_cli_without_the_key_refuses_and_does_not_make_one(tmp_path):
    done = subprocess.run([ONEWINDOW, "audit", "verify", "--data-dir", str(tmp_path)], env=clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "secret key" in done.stderr
    assert not (tmp_path / "secret.key").exists()


# ----- what is recorded ------------------------------------------------------------------------


def _entries(client, headers, **q) -> list[dict]:
    r = client.get("/api/v1/audit", headers=headers, params=q)
    assert r.status_code == 200, r.text
    return r.json()["entries"]


def test_staff_actions_and_security_events_are_recorded(client, staff, clock):
    c = staff.client
    clerk = _some_actions(staff)
    boss = staff.tokens["boss"]
    # a manager signs the clerk out
    assert c.post(f"/api/v1/halls/{HALL}/windows/w1/sign-out", headers=boss).status_code == 200
    # a report download and a refused request
    assert c.get(f"/api/v1/halls/{HALL}/reports.csv", headers=boss).status_code == 200
    assert c.get(f"/api/v1/halls/{HALL}/dashboard", headers=clerk).status_code == 403
    # signing out (after the failed sign-in's back-off)
    clock.advance(60)
    assert c.post("/api/v1/auth/logout", headers=staff.login("zhangwei")).status_code == 200

    got = _entries(c, staff.admin, limit=200)
    by = {}
    for e in got:
        by.setdefault(e["action"], []).append(e)
    assert [e["id"] for e in got] == sorted((e["id"] for e in got), reverse=True)  # newest first
    assert {"bootstrap_admin", "create_user", "login", "login_failed", "window_sign_in", "window_away",
            "window_back", "window_sign_out", "report_download", "forbidden", "logout"} <= set(by)
    assert by["login_failed"][0]["actor"] == "zhangwei"
    assert by["window_sign_in"][0]["actor"] == "zhangwei" and by["window_sign_in"][0]["data"]["window"] == "w1"
    assert by["window_away"][0]["data"]["reason"] == "meeting"
    out = by["window_sign_out"][0]
    assert out["actor"] == "boss" and out["data"]["clerk"] == "zhangwei"  # who was signed out, by whom
    assert by["report_download"][0]["actor"] == "boss" and by["report_download"][0]["data"]["format"] == "csv"
    f = by["forbidden"][0]
    assert f["actor"] == "zhangwei" and f["data"]["method"] == "GET"
    assert f["data"]["path"] == f"/api/v1/halls/{HALL}/dashboard"
    assert by["logout"][0]["actor"] == "zhangwei"
    assert got[0]["at"].startswith("2026-11-23T10:01:00+08:00")  # the hall's time


def test_only_managers_and_admins_read_the_log(client, staff):
    c = staff.client
    clerk = staff.user("zhangwei")
    boss = staff.user("boss", role="manager")
    c.cookies.clear()  # each call says who it is by its header alone
    for path in ("/api/v1/audit", "/api/v1/audit/export.csv", "/api/v1/audit/verify"):
        assert c.get(path).status_code == 401
        assert c.get(path, headers=clerk).status_code == 403
        assert c.get(path, headers=boss).status_code == 200
        assert c.get(path, headers=staff.admin).status_code == 200
    refused = _entries(c, boss, action="forbidden")
    assert len(refused) == 3 and {e["actor"] for e in refused} == {"zhangwei"}


def test_filters_paging_and_csv_export(client, staff, clock):
    c = staff.client
    staff.user("zhangwei")
    clock.advance(86400)
    staff.admin = staff.login("admin", ADMIN_PASSWORD)  # the day-old session has expired
    staff.user("lina")
    for _ in range(3):
        login(c, "lina")
    boss = staff.user("boss", role="manager")

    logins = _entries(c, boss, action="login", actor="lina")
    assert len(logins) == 4 and all(e["actor"] == "lina" and e["action"] == "login" for e in logins)
    page1 = _entries(c, boss, action="login", actor="lina", limit=3)
    page2 = _entries(c, boss, action="login", actor="lina", limit=3, before=page1[-1]["id"])
    assert [e["id"] for e in page1 + page2] == [e["id"] for e in logins]
    first_day = _entries(c, boss, **{"from": "2026-11-23", "to": "2026-11-23"})
    assert first_day and all(e["at"].startswith("2026-11-23") for e in first_day)
    assert "lina" not in {e["actor"] for e in first_day}
    assert {e["at"][:10] for e in _entries(c, boss, **{"from": "2026-11-24"})} == {"2026-11-24"}
    assert c.get("/api/v1/audit", headers=boss, params={"from": "9999-12-31"}).status_code == 422
    assert c.get("/api/v1/audit", headers=boss, params={"limit": "0"}).status_code == 422
    assert c.get("/api/v1/audit", headers=boss, params={"from": "2026-11-24", "to": "2026-11-23"}).status_code == 422

    # a login name is the visitor's text: no spreadsheet formula in the export
    c.post("/api/v1/auth/login", json={"username": "=HYPERLINK(1)", "password": "x"})
    r = c.get("/api/v1/audit/export.csv", headers=boss, params={"actor": "lina"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(table) == 4 and {t["action"] for t in table} == {"login"}  # lina's own: her 4 logins
    all_rows = list(csv.DictReader(io.StringIO(
        c.get("/api/v1/audit/export.csv", headers=boss).content.decode("utf-8-sig"))))
    assert any(t["actor"] == "'=HYPERLINK(1)" for t in all_rows)
    assert all(len(t["hash"]) == 64 for t in all_rows)
    exported = _entries(c, boss, action="audit_export")
    assert exported and exported[0]["actor"] == "boss" and exported[0]["data"]["filters"] == {}


# ----- the chain under concurrency and through the migration -------------------------------------


def test_concurrent_appends_on_postgresql_keep_one_chain(pg_url):
    key = b"a" * 32
    db = open_database(pg_url, audit_key=key)

    async def many():
        await asyncio.gather(*(db.write(accounts.audit, f"u{i}", "login", "{}", 1000.0 + i) for i in range(120)))
        return await db.read(astore.verify, [key])

    try:
        out = asyncio.run(many())
    finally:
        db.close()
    assert out["ok"], out["problem"]
    assert out["rows"] == 120


def test_a_write_that_audits_without_the_key_fails(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    migrate.upgrade(url)
    db = open_database(url)
    try:
        with pytest.raises(astore.NoAuditKey):
            db.write_sync(accounts.audit, "admin", "login", "{}", 1.0)
    finally:
        db.close()


@pytest.fixture(params=["sqlite", "postgres"])
def old_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    pg.require_pg()
    with pg.fresh_pg_database(migrated=False) as url:
        yield url


def test_migration_chains_the_rows_already_there(old_url, tmp_path):
    command.upgrade(migrate.alembic_config(old_url), "0006")
    db = open_database(old_url)
    try:
        db.write_sync(lambda tx: [tx.execute(
            "INSERT INTO audit_log (at, actor, action, data) VALUES (:at, :a, 'set_posts', :d)",
            {"at": 1764000000.5 + i, "a": f"boss{i}", "d": json.dumps({"window": f"w{i}", "名": "张"})})
            for i in range(5)])
    finally:
        db.close()
    with pytest.raises(RuntimeError, match="audit key"):
        migrate.upgrade(old_url)  # rows to chain and no key: refused, not left unchained
    (tmp_path / "secret.key").write_bytes(Fernet.generate_key())
    keys = load_audit_keys(None, tmp_path)
    migrate.upgrade(old_url, keys[0])
    db = open_database(old_url, audit_key=keys[0])
    try:
        assert db.write_sync(astore.verify, keys)["ok"]
        db.write_sync(accounts.audit, "admin", "login", "{}", 1764000100.0)  # the chain goes on
        out = db.write_sync(astore.verify, keys)
        assert out["ok"] and out["rows"] == 6
        db.write_sync(lambda tx: tx.execute("UPDATE audit_log SET data = '{}' WHERE actor = 'boss2'"))
        assert db.write_sync(astore.verify, keys)["problem"]["kind"] == "edited"
    finally:
        db.close()
