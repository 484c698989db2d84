"""`onewindow backup` and `onewindow restore` (issue 17, point 7).

A backup is one tar archive (mode 0600: it holds the key of the personal data):

- `manifest.json`: the format, when, which database kind, the schema revision, row counts and the
  SHA-256 and size of every other member;
- `onewindow.db` (SQLite, copied through the online backup API, sqlite3.Connection.backup: a
  consistent snapshot taken while the server goes on writing) or `database.dump` (PostgreSQL,
  `pg_dump --format=custom`, whose snapshot is as consistent);
- `secret.key`, the data directory's key file, when the server uses one (with ONEWINDOW_SECRET_KEY
  the key lives outside the data directory: keep it apart, the manifest says so).

A restore checks every member against the manifest before touching anything, refuses a target that
already holds data unless told `--force`, puts the database and key in place, and verifies the audit
log's hash chain (as `onewindow audit verify`): a restore that cannot prove its audit log intact
exits 1.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from onewindow.server.store.crypto import KEY_FILE
from onewindow.server.store.database import is_postgres, sqlite_path

FORMAT = "onewindow-backup"
VERSION = 1
SQLITE_MEMBER = "onewindow.db"
PG_MEMBER = "database.dump"
MEMBERS = {SQLITE_MEMBER, PG_MEMBER, KEY_FILE}
COUNTED = ("ticket", "case_file", "rating", "audit_log")  # the manifest's row counts, to compare after restore


class BackupError(Exception):
    """What stops a backup or a restore, in words for the operator."""


# ----- backup ----------------------------------------------------------------------------------------


def libpq_url(url: str) -> str:
    """postgresql+psycopg://... → postgresql://... (what pg_dump, pg_restore and psycopg take)."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sqlite_snapshot(db_path: Path, out: Path) -> None:
    """The online backup API in one step: one read transaction, so the copy is the database as it
    was when the step began, whatever the server commits meanwhile (WAL: writers are not blocked)."""
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path}")
    src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        dst.close()
        src.close()


def _pg_dump(url: str, out: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt install postgresql-client)")
    r = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={out}",
                        f"--dbname={libpq_url(url)}"], capture_output=True, text=True)
    if r.returncode != 0:
        raise BackupError(f"pg_dump failed: {r.stderr.strip()}")


def _sqlite_facts(path: Path) -> dict:
    """Schema revision and row counts of a SQLite database file (the manifest's; SQLite only: a
    pg_dump archive is read by pg_restore alone)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {"revision": _scalar(conn, "SELECT version_num FROM alembic_version"),
                "counts": {t: _scalar(conn, f"SELECT COUNT(*) FROM {t}") for t in COUNTED}}
    finally:
        conn.close()


def _scalar(conn: sqlite3.Connection, sql: str):
    try:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None
    except sqlite3.Error:
        return None


def backup(db_url: str, data_dir: Path, output: Path, key_in_env: bool = False) -> dict:
    """Write the archive to `output` (atomically, mode 0600); its manifest."""
    data_dir = Path(data_dir)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="onewindow-backup-", dir=output.parent) as tmp:
        os.chmod(tmp, 0o700)
        files: dict[str, Path] = {}
        if is_postgres(db_url):
            kind = "postgres"
            files[PG_MEMBER] = Path(tmp) / PG_MEMBER
            _pg_dump(db_url, files[PG_MEMBER])
            facts: dict = {"revision": None, "counts": {}}
        else:
            kind = "sqlite"
            files[SQLITE_MEMBER] = Path(tmp) / SQLITE_MEMBER
            _sqlite_snapshot(Path(sqlite_path(db_url)), files[SQLITE_MEMBER])
            facts = _sqlite_facts(files[SQLITE_MEMBER])
        key = data_dir / KEY_FILE
        if key.is_file():
            files[KEY_FILE] = key
        elif not key_in_env:
            raise BackupError(f"no key file {key} and no ONEWINDOW_SECRET_KEY: the personal data could not be "
                              "read after a restore; is --data-dir the server's?")
        manifest = {
            "format": FORMAT, "version": VERSION, "database": kind,
            "created_at": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
            "revision": facts["revision"], "counts": facts["counts"],
            "key": "file" if KEY_FILE in files else "environment (ONEWINDOW_SECRET_KEY: keep it apart)",
            "files": {name: {"sha256": _sha256(p), "size": p.stat().st_size} for name, p in files.items()},
        }
        part = Path(tmp) / "archive.tar"
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode, info.mtime = len(data), 0o600, int(started)
            tar.addfile(info, io.BytesIO(data))
            for name, p in files.items():
                tar.add(p, arcname=name, recursive=False, filter=_private)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, output)
    os.chmod(output, 0o600)
    return manifest


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


# ----- restore ---------------------------------------------------------------------------------------


def read_archive(path: Path, into: Path) -> dict:
    """Extract the archive's known members into `into`, each checked against the manifest; the manifest."""
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 -- closed by the `with` below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{path}: not a onewindow backup ({exc})") from None
    with tar:
        members = {m.name: m for m in tar.getmembers()}
        if "manifest.json" not in members:
            raise BackupError(f"{path}: no manifest.json: not a onewindow backup")
        try:
            manifest = json.loads(tar.extractfile(members["manifest.json"]).read())  # type: ignore[union-attr]
        except (ValueError, AttributeError) as exc:
            raise BackupError(f"{path}: the manifest cannot be read ({exc})") from None
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise BackupError(f"{path}: not a onewindow backup of version {VERSION}")
        listed = manifest.get("files") or {}
        strangers = sorted(set(members) - set(listed) - {"manifest.json"})
        if strangers or not set(listed) <= MEMBERS:
            raise BackupError(f"{path}: unexpected members {strangers or sorted(set(listed) - MEMBERS)}")
        for name, want in listed.items():
            m = members.get(name)
            if m is None or not m.isfile():
                raise BackupError(f"{path}: {name} is missing")
            src = tar.extractfile(m)
            assert src is not None
            target = into / name  # one of MEMBERS: no path from the archive is ever used
            h = hashlib.sha256()
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                while chunk := src.read(1 << 20):
                    h.update(chunk)
                    out.write(chunk)
            if h.hexdigest() != want.get("sha256") or target.stat().st_size != want.get("size"):
                raise BackupError(f"{path}: {name} does not match its checksum: the archive is damaged")
    return manifest


def _sqlite_has_data(path: Path) -> bool:
    if not path.exists():
        return False
    if path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return bool(conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True  # something that is not an empty database: not ours to overwrite


def _pg_has_data(url: str) -> bool:
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        return bool(row and row[0])


def restore(archive: Path, db_url: str, data_dir: Path, force: bool = False) -> dict:
    """Restore `archive` into the database at `db_url` and the key into `data_dir`; the manifest."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".onewindow-restore-", dir=data_dir) as tmp:
        os.chmod(tmp, 0o700)
        manifest = read_archive(Path(archive), Path(tmp))
        key_new = Path(tmp) / KEY_FILE
        key_old = data_dir / KEY_FILE
        pg = is_postgres(db_url)
        if (manifest["database"] == "postgres") != pg:
            raise BackupError(f"the archive holds a {manifest['database']} database; the target is "
                              f"{'PostgreSQL' if pg else 'SQLite'}")
        occupied = _pg_has_data(db_url) if pg else _sqlite_has_data(Path(sqlite_path(db_url)))
        key_differs = key_new.exists() and key_old.exists() and key_old.read_bytes() != key_new.read_bytes()
        if (occupied or key_differs) and not force:
            what = "the database already holds data" if occupied else f"{key_old} holds another key"
            raise BackupError(f"refusing to overwrite: {what}; stop the server and give --force to replace it")
        if pg:
            _pg_restore(Path(tmp) / PG_MEMBER, db_url, clean=occupied)
        else:
            target = Path(sqlite_path(db_url))
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = Path(tmp) / SQLITE_MEMBER
            check = sqlite3.connect(staged)
            try:
                ok = check.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                check.close()
            if ok != "ok":
                raise BackupError(f"the archived database fails its integrity check: {ok}")
            for suffix in ("-wal", "-shm"):  # the old database's journal must not be replayed onto the new one
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(staged, target)
        if key_new.exists():
            os.replace(key_new, key_old)
            os.chmod(key_old, 0o600)
    return manifest


def _pg_restore(dump: Path, url: str, clean: bool) -> None:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (Debian: apt install postgresql-client)")
    args = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
            f"--dbname={libpq_url(url)}"]
    if clean:
        args += ["--clean", "--if-exists"]
    r = subprocess.run([*args, str(dump)], capture_output=True, text=True)
    if r.returncode != 0:
        raise BackupError(f"pg_restore failed: {r.stderr.strip()}")


# ----- the command line ------------------------------------------------------------------------------


def add_commands(sub) -> None:
    """`backup` and `restore` under `onewindow` (cli.py)."""
    b = sub.add_parser("backup", help="back up the database and the key file into one archive (mode 0600), "
                                      "while the server runs")
    b.add_argument("--data-dir", type=Path, help="the server's data dir (default: ONEWINDOW_DATA_DIR or ./data)")
    b.add_argument("--database-url", help="PostgreSQL URL (also ONEWINDOW_DATABASE_URL); backed up with pg_dump")
    b.add_argument("--output", "-o", type=Path,
                   help="the archive (default: onewindow-backup-<UTC time>.tar in the current directory)")
    r = sub.add_parser("restore", help="restore an archive of `onewindow backup`, then verify the audit log; "
                                       "the server must be stopped")
    r.add_argument("archive", type=Path)
    r.add_argument("--data-dir", type=Path, help="where the key (and a SQLite database) go (default: "
                                                 "ONEWINDOW_DATA_DIR or ./data)")
    r.add_argument("--database-url", help="the PostgreSQL database to restore into (also ONEWINDOW_DATABASE_URL)")
    r.add_argument("--force", action="store_true", help="replace a database that already holds data")


def _settings(args):
    from onewindow.server.settings import Settings

    return Settings.from_env(data_dir=args.data_dir, database_url=args.database_url)


def backup_main(args) -> int:
    s = _settings(args)
    out = args.output or Path(f"onewindow-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar")
    try:
        manifest = backup(s.db_url, Path(s.data_dir), out, key_in_env=bool(s.secret_key))
    except BackupError as exc:
        print(f"onewindow: {exc}", file=sys.stderr)
        return 2
    size = sum(f["size"] for f in manifest["files"].values())
    print(f"backup written: {out} ({manifest['database']}, {size} bytes, key: {manifest['key']})")
    return 0


def restore_main(args) -> int:
    from onewindow.server.services.audit import NoKey, load_audit_keys, verify_database
    from onewindow.server.store.crypto import SecretKeyError

    s = _settings(args)
    try:
        manifest = restore(args.archive, s.db_url, Path(s.data_dir), force=args.force)
    except BackupError as exc:
        print(f"onewindow: {exc}", file=sys.stderr)
        return 2
    print(f"restored the backup of {manifest['created_at']} ({manifest['database']}) into {s.db_url}")
    try:
        keys = load_audit_keys(s.secret_key, Path(s.data_dir))
        result = verify_database(s.db_url, keys)
    except (NoKey, SecretKeyError) as exc:
        print(f"onewindow: restored, but the audit log cannot be verified: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"onewindow: restored, but the audit log cannot be read: {exc}", file=sys.stderr)
        return 1
    if not result["ok"]:
        p = result["problem"]
        print(f"audit log BROKEN at #{p['id']} ({p['kind']}): {p['message']}", file=sys.stderr)
        return 1
    print(f"audit log intact: {result['rows']} rows")
    return 0
