"""Issue 13, point 11: the data directory is private (folders 0700, files 0600), tickets'
tracking tokens are stored as keyed hashes, and tokens in query strings never reach the log."""
from __future__ import annotations

import contextlib
import logging
import logging.config
import os
import sqlite3
import stat

import pytest
from support.halls import HALL

from onewindow.server.logs import log_config


def modes(root) -> dict[str, int]:
    out = {}
    for path, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            full = os.path.join(path, name)
            out[os.path.relpath(full, root)] = stat.S_IMODE(os.lstat(full).st_mode)
    return out


def test_the_data_directory_is_private(make_client, settings):
    os.chmod(settings.data_dir, 0o755)  # as an earlier version left it
    os.chmod(settings.data_dir / "onewindow.db", 0o644)
    c = make_client()
    for _ in range(3):
        assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).status_code == 201
    os.makedirs(settings.data_dir / "exports", exist_ok=True)  # made later, by the running process
    (settings.data_dir / "exports" / "report.csv").write_text("x")
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700
    found = modes(settings.data_dir)
    assert {"onewindow.db", "onewindow.db-wal", "secret.key", "exports/report.csv"} <= set(found)
    for name, mode in found.items():
        want = 0o700 if (settings.data_dir / name).is_dir() else 0o600
        assert mode == want, f"{name}: {oct(mode)}"


def db_row(settings, ticket_id: int) -> str:
    with contextlib.closing(sqlite3.connect(settings.data_dir / "onewindow.db")) as db:
        return db.execute("SELECT track_token FROM ticket WHERE id = ?", (ticket_id,)).fetchone()[0]


def test_tracking_tokens_are_stored_as_keyed_hashes(make_client, settings):
    c = make_client()
    t = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    token = t["track_token"]
    stored = db_row(settings, t["id"])
    assert token not in stored and stored.startswith("h1:") and len(stored) <= 64
    assert c.get(f"/api/v1/tickets/{t['id']}", params={"token": token}).json()["number"] == t["number"]
    assert c.get(f"/api/v1/tickets/{t['id']}", params={"token": stored}).status_code == 404  # the hash is no key
    assert c.get(f"/api/v1/tickets/{t['id']}", params={"token": token[:-1]}).status_code == 404
    with c.websocket_connect(f"/ws/tickets/{t['id']}?token={token}") as ws:
        assert ws.receive_json()["number"] == t["number"]
    # the key comes from the server's secret: another server process on the same data agrees
    again = make_client()
    assert again.get(f"/api/v1/tickets/{t['id']}", params={"token": token}).status_code == 200


def test_plain_tokens_of_an_earlier_version_are_hashed_at_start(make_client, settings):
    from starlette.testclient import TestClient
    from support.halls import demo_config

    from onewindow.server.app import create_app

    with TestClient(create_app(settings, demo_config())) as first:  # stopped at the end of the block
        t = first.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).json()
    with contextlib.closing(sqlite3.connect(settings.data_dir / "onewindow.db")) as db:  # as stored before
        db.execute("UPDATE ticket SET track_token = 'plain-old-token' WHERE id = ?", (t["id"],))
        db.commit()
    c = make_client()
    assert db_row(settings, t["id"]).startswith("h1:")
    assert c.get(f"/api/v1/tickets/{t['id']}", params={"token": "plain-old-token"}).status_code == 200
    c2 = make_client()  # once: a second start changes nothing
    before = db_row(settings, t["id"])
    assert c2.get(f"/api/v1/tickets/{t['id']}", params={"token": "plain-old-token"}).status_code == 200
    assert db_row(settings, t["id"]) == before


@pytest.fixture
def restore_logging():
    names = ("uvicorn", "uvicorn.access", "uvicorn.error", "onewindow")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level, logging.getLogger(n).propagate)
             for n in names}
    yield
    for n, (handlers, level, propagate) in saved.items():
        lg = logging.getLogger(n)
        lg.handlers[:], lg.level, lg.propagate = handlers, level, propagate


def test_tokens_and_codes_in_query_strings_are_redacted_in_the_log(restore_logging, capsys):
    logging.config.dictConfig(log_config("info"))
    # exactly as uvicorn's access logger and its websocket lines log them
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:5555", "GET",
                                             "/api/v1/tickets/12?token=SeCrEt-TOKEN_1&x=1", "1.1", 200)
    logging.getLogger("uvicorn.error").info('%s - "WebSocket %s" [accepted]', "10.0.0.7:5556",
                                            "/ws/tickets/12?token=SeCrEt-TOKEN_2")
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "10.0.0.7:5557", "POST",
                                             "/api/v1/pair?code=123456", "1.1", 200)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "SeCrEt" not in text and "123456" not in text
    assert "/api/v1/tickets/12?token=[redacted]&x=1" in text
    assert "/ws/tickets/12?token=[redacted]" in text and "code=[redacted]" in text
