"""Issue 17, point 7: the restore drill. A real server (`onewindow serve`) issues tickets to four
kiosk threads while `onewindow backup` runs; the archive is restored elsewhere with `onewindow
restore` (which verifies the audit chain); every ticket whose 201 came back before the backup began
is in the restored database, and a server started on the restored data answers each one's tracking
page with its token (the key came along). SQLite (online backup API) and PostgreSQL (pg_dump)."""
from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from support import pg
from support.accounts import ADMIN_PASSWORD, Http
from support.halls import HALL
from support.servers import ONEWINDOW, clean_env
from support.wait import wait_until

pytestmark = pytest.mark.slow
CATEGORIES = ("eia", "permit", "consult", "complaint")


class Kiosks(threading.Thread):
    """Threads taking tickets as the hall's paired kiosk; each 201 with the moment it came back."""

    def __init__(self, url: str, device: dict, threads: int = 4):
        super().__init__(daemon=True)
        self.url, self.device, self.n = url, device, threads
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked: list[tuple[float, dict]] = []  # (time.monotonic() when the 201 was read, ticket)
        self.unexpected: list[str] = []

    def run(self) -> None:
        workers = [threading.Thread(target=self._one, args=(i,), daemon=True) for i in range(self.n)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def _one(self, i: int) -> None:
        with httpx.Client(base_url=self.url, timeout=30, headers=self.device) as c:
            k = 0
            while not self.stop.is_set():
                k += 1
                r = c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": CATEGORIES[(i + k) % len(CATEGORIES)]})
                at = time.monotonic()
                if r.status_code != 201:
                    self.unexpected.append(f"{r.status_code} {r.text[:200]}")
                    continue
                with self.lock:
                    self.acked.append((at, r.json()))

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def before(self, t: float) -> list[dict]:
        with self.lock:
            return [x for at, x in self.acked if at < t]

    def between(self, a: float, b: float) -> int:
        with self.lock:
            return sum(1 for at, _ in self.acked if a <= at < b)


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([ONEWINDOW, *args], env=clean_env(**env), capture_output=True, text=True, timeout=120)


def drill(server_process, tmp_path: Path, db_url: str | None, restored_url: str | None) -> dict:
    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    env = {"ONEWINDOW_ADMIN_PASSWORD": ADMIN_PASSWORD, "ONEWINDOW_SPEECH": "off", "ONEWINDOW_PRINTER": "none"}
    db_args = ["--database-url", db_url] if db_url else []
    sp = server_process([ONEWINDOW, "serve", "--data-dir", str(data), *db_args, "--port", "{port}"], env)
    with Http(sp.url) as h:
        kiosks = Kiosks(sp.url, {"X-Device-Token": h.devices.token(HALL)})
        kiosks.start()
        try:
            wait_until(lambda: kiosks.count() >= 200, timeout=60, what="200 tickets before the backup")
            began = time.monotonic()
            done = run("backup", "--data-dir", str(data), *db_args, "--output", str(tmp_path / "drill.tar"), env={})
            ended = time.monotonic()
            assert done.returncode == 0, done.stderr
            acked_before = kiosks.before(began)
            during = kiosks.between(began, ended)
            wait_until(lambda: kiosks.count() >= len(acked_before) + during + 50, timeout=60,
                       what="the server still issuing after the backup")
        finally:
            kiosks.stop.set()
            kiosks.join()
        assert not kiosks.unexpected, kiosks.unexpected[:5]
        assert during > 0, "tickets were being issued while the backup ran"
    sp.stop()
    archive = tmp_path / "drill.tar"
    assert archive.stat().st_mode & 0o777 == 0o600

    restore_args = ["--database-url", restored_url] if restored_url else []
    r = run("restore", str(archive), "--data-dir", str(elsewhere), *restore_args, env={})
    assert r.returncode == 0, r.stderr
    assert "audit log intact" in r.stdout, r.stdout

    ids = _ticket_ids(restored_url or f"sqlite:///{elsewhere / 'onewindow.db'}")
    missing = [t["number"] for t in acked_before if t["id"] not in ids]
    assert missing == [], f"{len(missing)} acknowledged ticket(s) missing after restore: {missing[:10]}"
    if restored_url is None:
        # One writer numbers the rows in commit order: a snapshot of one moment holds no gaps.
        assert ids == set(range(1, max(ids) + 1)), "the restored database is a snapshot of one moment"

    # A server on the restored data: each ticket's tracking page answers with its token.
    sp2 = server_process([ONEWINDOW, "serve", "--data-dir", str(elsewhere), *restore_args, "--port", "{port}"], env)
    with httpx.Client(base_url=sp2.url, timeout=30) as c:
        for t in acked_before[:: max(1, len(acked_before) // 40)]:
            got = c.get(f"/api/v1/tickets/{t['id']}", params={"token": t["track_token"]})
            assert got.status_code == 200 and got.json()["number"] == t["number"], got.text
    return {"before": len(acked_before), "during": during, "restored": len(ids)}


def _ticket_ids(url: str) -> set[int]:
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            return {row[0] for row in conn.execute("SELECT id FROM ticket")}
        finally:
            conn.close()
    import psycopg

    from onewindow.server.services.backup import libpq_url

    with psycopg.connect(libpq_url(url)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM ticket")}


def test_restore_drill_sqlite(server_process, tmp_path):
    figures = drill(server_process, tmp_path, None, None)
    print(f"\nSQLite drill: {figures}")


def test_restore_drill_postgres(server_process, tmp_path, pg_url):
    if not Path("/usr/bin/pg_dump").exists():
        pytest.skip("pg_dump is not installed")
    with pg.fresh_pg_database(migrated=False) as target:
        figures = drill(server_process, tmp_path, pg_url, target)
    print(f"\nPostgreSQL drill: {figures}")
