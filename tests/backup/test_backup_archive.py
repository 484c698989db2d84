"""Issue 17, point 7: `onewindow backup` writes one archive (mode 0600) of the database and the key
file with a manifest of checksums; `onewindow restore` checks it, refuses a target holding data
without --force, a damaged or foreign archive always, and verifies the audit chain after restoring."""
from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from support.halls import HALL

from onewindow.server.cli import main
from onewindow.server.services import backup as bk
from onewindow.server.store.crypto import KEY_FILE


@pytest.fixture
def hall(make_client, settings):
    """A running demo hall on SQLite with tickets and audit entries; its data dir."""
    c = make_client()
    for cat in ("eia", "permit", "consult"):
        assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": cat}).status_code == 201
    return c, Path(settings.data_dir)


def sqlite_url(d: Path) -> str:
    return f"sqlite:///{d / 'onewindow.db'}"


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def test_backup_while_the_server_runs(hall, tmp_path, capsys):
    c, data = hall
    out = tmp_path / "b" / "hall.tar"
    assert main(["backup", "--data-dir", str(data), "--output", str(out)]) == 0
    assert "backup written" in capsys.readouterr().out
    assert out.stat().st_mode & 0o777 == 0o600  # it holds the key
    got = members(out)
    assert set(got) == {"manifest.json", "onewindow.db", KEY_FILE}
    manifest = json.loads(got["manifest.json"])
    assert (manifest["format"], manifest["database"], manifest["key"]) == ("onewindow-backup", "sqlite", "file")
    assert manifest["counts"]["ticket"] == 3 and manifest["counts"]["audit_log"] > 0
    assert manifest["revision"]
    assert got[KEY_FILE] == (data / KEY_FILE).read_bytes()
    # The database copy is one self-contained file (no WAL needed) that passes its integrity check.
    copy = tmp_path / "copy.db"
    copy.write_bytes(got["onewindow.db"])
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM ticket").fetchone()[0] == 3
    conn.close()
    # The server went on serving meanwhile.
    assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).status_code == 201


def test_rows_committed_but_not_yet_checkpointed_are_backed_up(tmp_path):
    """The server checkpoints its WAL itself (store/database.py), so the database file alone may lack
    the latest commits; the online backup API copies what is committed, WAL included."""
    db = tmp_path / "live.db"
    live = sqlite3.connect(db)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")
    live.execute("CREATE TABLE ticket (id INTEGER PRIMARY KEY, number TEXT)")
    live.commit()
    live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    live.executemany("INSERT INTO ticket (number) VALUES (?)", [(f"A{i:03d}",) for i in range(1, 101)])
    live.commit()  # committed: in the WAL, not yet in the database file
    naive = tmp_path / "naive.db"
    naive.write_bytes(db.read_bytes())
    assert sqlite3.connect(naive).execute("SELECT COUNT(*) FROM ticket").fetchone()[0] == 0
    out = tmp_path / "snapshot.db"
    bk._sqlite_snapshot(db, out)
    assert sqlite3.connect(out).execute("SELECT COUNT(*) FROM ticket").fetchone()[0] == 100
    assert not Path(f"{out}-wal").exists()
    live.close()


def test_restore_refuses_to_overwrite_without_force(hall, tmp_path, capsys):
    c, data = hall
    out = tmp_path / "hall.tar"
    assert main(["backup", "--data-dir", str(data), "--output", str(out)]) == 0
    assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).status_code == 201  # after the backup

    elsewhere = tmp_path / "elsewhere"
    assert main(["restore", str(out), "--data-dir", str(elsewhere)]) == 0
    said = capsys.readouterr()
    assert "audit log intact" in said.out, said
    assert (elsewhere / KEY_FILE).stat().st_mode & 0o777 == 0o600
    assert _tickets(elsewhere) == 3

    # Again onto what now holds data: refused, and nothing touched.
    before = (elsewhere / "onewindow.db").read_bytes()
    assert main(["restore", str(out), "--data-dir", str(elsewhere)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (elsewhere / "onewindow.db").read_bytes() == before
    # With --force it is replaced.
    assert main(["restore", str(out), "--data-dir", str(elsewhere), "--force"]) == 0
    assert _tickets(elsewhere) == 3


def test_a_key_that_differs_is_not_overwritten(hall, tmp_path, capsys):
    _, data = hall
    out = tmp_path / "hall.tar"
    assert main(["backup", "--data-dir", str(data), "--output", str(out)]) == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / KEY_FILE).write_bytes(b"another-key\n")
    assert main(["restore", str(out), "--data-dir", str(other)]) == 2
    assert "holds another key" in capsys.readouterr().err
    assert (other / KEY_FILE).read_bytes() == b"another-key\n"


def _rewrite(src: Path, dst: Path, change) -> None:
    """Copy the archive member by member through `change(name, data) -> (name, data) | None`."""
    with tarfile.open(src) as tin, tarfile.open(dst, "w") as tout:
        for m in tin.getmembers():
            out = change(m.name, tin.extractfile(m).read())
            if out is None:
                continue
            info = tarfile.TarInfo(out[0])
            info.size = len(out[1])
            tout.addfile(info, io.BytesIO(out[1]))


@pytest.mark.parametrize(("change", "says"), [
    (lambda n, d: (n, d[:-1] + bytes([d[-1] ^ 1])) if n == "onewindow.db" else (n, d), "does not match its checksum"),
    (lambda n, d: None if n == KEY_FILE else (n, d), "secret.key is missing"),
    (lambda n, d: ("../escape.db" if n == "onewindow.db" else n, d), "unexpected members"),
    (lambda n, d: None if n == "manifest.json" else (n, d), "no manifest.json"),
    (lambda n, d: (n, b'{"format": "other"}') if n == "manifest.json" else (n, d), "not a onewindow backup"),
])
def test_a_damaged_or_foreign_archive_is_refused(hall, tmp_path, capsys, change, says):
    _, data = hall
    good, bad = tmp_path / "good.tar", tmp_path / "bad.tar"
    assert main(["backup", "--data-dir", str(data), "--output", str(good)]) == 0
    _rewrite(good, bad, change)
    target = tmp_path / "target"
    assert main(["restore", str(bad), "--data-dir", str(target)]) == 2
    assert says in capsys.readouterr().err
    assert not (target / "onewindow.db").exists() and not (tmp_path / "escape.db").exists()
    assert not (target / KEY_FILE).exists()


def test_not_an_archive(tmp_path, capsys):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    assert main(["restore", str(junk), "--data-dir", str(tmp_path / "t")]) == 2
    assert "not a onewindow backup" in capsys.readouterr().err


def test_a_broken_audit_chain_fails_the_restore(hall, tmp_path, capsys):
    _, data = hall
    out = tmp_path / "hall.tar"
    assert main(["backup", "--data-dir", str(data), "--output", str(out)]) == 0

    def edit(name, d):
        if name != "onewindow.db":
            return name, d
        p = tmp_path / "edit.db"
        p.write_bytes(d)
        conn = sqlite3.connect(p)
        conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE id = (SELECT MIN(id) FROM audit_log)")
        conn.commit()
        conn.close()
        return name, p.read_bytes()

    # The edit is made before the manifest is written again: the checksums match, the chain does not.
    edited = tmp_path / "edited.tar"
    _rewrite(out, edited, edit)
    with tarfile.open(edited) as t:
        files = {m.name: t.extractfile(m).read() for m in t.getmembers()}
    manifest = json.loads(files["manifest.json"])
    import hashlib

    for name in ("onewindow.db", KEY_FILE):
        manifest["files"][name] = {"sha256": hashlib.sha256(files[name]).hexdigest(), "size": len(files[name])}
    _rewrite(edited, out, lambda n, d: (n, json.dumps(manifest).encode()) if n == "manifest.json" else (n, d))
    assert main(["restore", str(out), "--data-dir", str(tmp_path / "t")]) == 1
    assert "audit log BROKEN" in capsys.readouterr().err


def test_a_sqlite_archive_does_not_go_into_postgres(hall, tmp_path):
    _, data = hall
    out = tmp_path / "hall.tar"
    bk.backup(sqlite_url(data), data, out)
    with pytest.raises(bk.BackupError, match="holds a sqlite database"):
        bk.restore(out, "postgresql+psycopg://postgres@127.0.0.1:5432/nowhere", tmp_path / "t")


def test_postgres_backup_and_restore(make_client, settings, pg_url, tmp_path, capsys):
    from support.pg import fresh_pg_database

    c = make_client(database_url=pg_url)
    for cat in ("eia", "permit"):
        assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": cat}).status_code == 201
    out = tmp_path / "pg.tar"
    assert main(["backup", "--data-dir", str(settings.data_dir), "--database-url", pg_url, "--output", str(out)]) == 0
    assert set(members(out)) == {"manifest.json", "database.dump", KEY_FILE}
    assert out.stat().st_mode & 0o777 == 0o600
    # Into a database that holds data (the migrated test database itself): refused without --force.
    assert main(["restore", str(out), "--data-dir", str(settings.data_dir), "--database-url", pg_url]) == 2
    assert "already holds data" in capsys.readouterr().err
    with fresh_pg_database(migrated=False) as target:
        assert main(["restore", str(out), "--data-dir", str(tmp_path / "e"), "--database-url", target]) == 0
        assert "audit log intact" in capsys.readouterr().out
        import psycopg

        with psycopg.connect(bk.libpq_url(target)) as conn:
            assert conn.execute("SELECT COUNT(*) FROM ticket").fetchone()[0] == 2
        # --force onto a database with data: cleaned and replaced.
        assert main(["restore", str(out), "--data-dir", str(tmp_path / "e"), "--database-url", target, "--force"]) == 0


def _tickets(d: Path) -> int:
    conn = sqlite3.connect(d / "onewindow.db")
    try:
        return conn.execute("SELECT COUNT(*) FROM ticket").fetchone()[0]
    finally:
        conn.close()


def test_a_key_from_the_environment_stays_out_of_the_archive(make_client, settings, tmp_path, monkeypatch, capsys):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    data = tmp_path / "envdata"
    data.mkdir()
    (data / "onewindow.db").write_bytes((Path(settings.data_dir) / "onewindow.db").read_bytes())
    c = make_client(data_dir=data, secret_key=key)
    assert c.post(f"/api/v1/halls/{HALL}/tickets", json={"category": "eia"}).status_code == 201
    assert not (data / KEY_FILE).exists()
    out = tmp_path / "env.tar"
    assert main(["backup", "--data-dir", str(data), "--output", str(out)]) == 2  # no key anywhere: refused
    assert "no key file" in capsys.readouterr().err
    monkeypatch.setenv("ONEWINDOW_SECRET_KEY", key)
    assert main(["backup", "--data-dir", str(data), "--output", str(out)]) == 0
    assert "key: environment" in capsys.readouterr().out
    assert set(members(out)) == {"manifest.json", "onewindow.db"}
    assert main(["restore", str(out), "--data-dir", str(tmp_path / "t")]) == 0
    assert "audit log intact" in capsys.readouterr().out
    monkeypatch.delenv("ONEWINDOW_SECRET_KEY")  # restored without the key: the chain cannot be checked
    assert main(["restore", str(out), "--data-dir", str(tmp_path / "t2")]) == 1
    assert "cannot be verified" in capsys.readouterr().err
