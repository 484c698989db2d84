"""Schema migrations (Alembic), applied at start and by `onewindow migrate`."""
from __future__ import annotations

import fcntl
import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, pool

from onewindow.server.store.database import is_postgres, sqlite_path, sync_url

if TYPE_CHECKING:
    import psycopg


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(files("onewindow.server.store").joinpath("migrations")))
    cfg.set_main_option("sqlalchemy.url", sync_url(url))
    return cfg


class StartupLock:
    """Held while a server process migrates and seeds its database, so that
    several processes starting at once (uvicorn --workers N) take turns:
    a PostgreSQL advisory lock, or a file lock next to the SQLite file."""

    _PG_KEY = 0x6F6E6577  # 'onew'

    def __init__(self, url: str):
        self.url = url
        self._conn: psycopg.Connection | None = None
        self._file: BinaryIO | None = None

    def acquire(self) -> StartupLock:
        if is_postgres(self.url):
            import psycopg

            self._conn = psycopg.connect(re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", self.url),
                                         autocommit=True)
            self._conn.execute("SELECT pg_advisory_lock(%s)", (self._PG_KEY,))
        else:
            path = sqlite_path(self.url)
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._file = open(f"{path}.startup.lock", "a+b")  # noqa: SIM115 -- held until release()
                fcntl.flock(self._file, fcntl.LOCK_EX)
        return self

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._PG_KEY,))
            finally:
                self._conn.close()
                self._conn = None
        if self._file is not None:
            try:
                fcntl.flock(self._file, fcntl.LOCK_UN)
            finally:
                self._file.close()
                self._file = None


def upgrade(url: str, audit_key: bytes | None = None) -> None:
    """Bring the database to the newest schema; safe to call on every start.
    `audit_key`: for migration 0007, which chains the audit rows already there."""
    if not is_postgres(url):
        path = sqlite_path(url)
        if path != ":memory:":
            # A first start with a new data directory: create it before the first connection.
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            cfg.attributes["audit_key"] = audit_key
            command.upgrade(cfg, "head")
            conn.commit()
    finally:
        engine.dispose()
