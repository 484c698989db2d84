"""The one owner of database connections.

Store functions are plain synchronous functions `fn(tx, *args)` written once
in portable SQL with `:name` parameters; this module runs them off the event
loop, in a transaction, and hands back their result.

- SQLite: one writer thread owns the only writing connection and commits
  queued writes in groups (one BEGIN IMMEDIATE ... COMMIT for everything that
  queued up while the previous group ran), each write inside its own
  SAVEPOINT so one failure spoils no other. A caller is answered only after
  its group committed, so an answered write survives a kill -9. Readers use a
  small pool of their own connections (WAL lets them read while it writes).
- PostgreSQL: a pool of threads, each with its own psycopg connection; every
  write is its own transaction and row locks (FOR UPDATE SKIP LOCKED) keep
  concurrent writers, in any number of processes, apart.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import queue as stdqueue
import re
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar

log = logging.getLogger("onewindow.db")
T = TypeVar("T")

_GROUP_MAX = 128


class DatabaseError(Exception):
    """The database could not do what was asked (our own, so no driver error leaks)."""


class Tx:
    """What a store function sees: a connection in a transaction."""

    dialect: str

    def __init__(self, conn: Any, dialect: str):
        self._conn = conn
        self.dialect = dialect

    def execute(self, sql: str, params: dict | None = None) -> int:
        cur = self._conn.execute(self._sql(sql), params or {})
        return cur.rowcount

    def one(self, sql: str, params: dict | None = None):
        return self._conn.execute(self._sql(sql), params or {}).fetchone()

    def all(self, sql: str, params: dict | None = None) -> list:
        return self._conn.execute(self._sql(sql), params or {}).fetchall()

    def scalar(self, sql: str, params: dict | None = None):
        row = self.one(sql, params)
        return None if row is None else row[0]

    def _sql(self, sql: str) -> str:
        return sql

    @property
    def for_update(self) -> str:
        """Row locks where the database has them (SQLite serialises writers anyway)."""
        return " FOR UPDATE SKIP LOCKED" if self.dialect == "postgresql" else ""


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
# Column names that are reserved words in PostgreSQL (SQLite takes them bare):
# quoted here, so store SQL stays portable as written.
_PG_RESERVED = re.compile(r"""(?<![\w:'"])(window)(?![\w'"])""")


class _PgTx(Tx):
    _cache: dict[str, str] = {}

    def _sql(self, sql: str) -> str:
        out = self._cache.get(sql)
        if out is None:
            # psycopg wants %(name)s; a literal % must be doubled.
            out = _NAMED.sub(r"%(\1)s", _PG_RESERVED.sub(r'"\1"', sql).replace("%", "%%"))
            self._cache[sql] = out
        return out


class Database:
    dialect: str

    async def write(self, fn: Callable[..., T], *args, **kwargs) -> T:  # pragma: no cover - interface
        raise NotImplementedError

    async def read(self, fn: Callable[..., T], *args, **kwargs) -> T:  # pragma: no cover - interface
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def sqlite_path(url: str) -> str:
    return url.split(":///", 1)[1] if ":///" in url else url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql", "postgres"))


def sync_url(url: str) -> str:
    """The SQLAlchemy URL for migrations: PostgreSQL through psycopg."""
    if is_postgres(url):
        return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg://", url)
    return url


def open_database(url: str) -> Database:
    if is_postgres(url):
        return PostgresDatabase(url)
    return SqliteDatabase(sqlite_path(url))


def _sqlite_connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL in WAL mode: a commit survives a crash of the process (kill -9);
    # only a power cut can lose the last commits.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


class _Job:
    """A write waiting for the writer thread: its future on an event loop, or
    `deliver(job)` (callers without a loop), is settled once it is committed."""

    __slots__ = ("fn", "args", "deliver", "loop", "future", "result", "error")

    def __init__(self, fn, args, deliver=None, loop=None, future=None):
        self.fn, self.args, self.deliver, self.loop, self.future = fn, args, deliver, loop, future
        self.result = None
        self.error: BaseException | None = None


def _settle_all(jobs: list[_Job]) -> None:
    for job in jobs:
        if job.future.cancelled():
            continue
        if job.error is not None:
            job.future.set_exception(job.error)
        else:
            job.future.set_result(job.result)


def _hand_back(group: list[_Job]) -> None:
    """One wake-up per event loop for the whole group, not one per write."""
    by_loop: dict = {}
    for j in group:
        if j.loop is None:
            j.deliver(j)
        else:
            by_loop.setdefault(j.loop, []).append(j)
    for loop, jobs in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle_all, jobs)
        except RuntimeError:  # that loop has closed: nobody is waiting any more
            pass


class SqliteDatabase(Database):
    dialect = "sqlite"

    def __init__(self, path: str):
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._jobs: stdqueue.SimpleQueue = stdqueue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="onewindow-db-writer", daemon=True)
        self._writer_conn = _sqlite_connect(path)
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="onewindow-db-reader")
        self._reader_conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._writer.start()

    async def write(self, fn, *args, **kwargs):
        if self._closed:
            raise DatabaseError("database is closed")
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._jobs.put(_Job(fn, args, loop=loop, future=fut))
        return await fut

    def write_sync(self, fn, *args, **kwargs):
        """For start-up code and tools that have no event loop."""
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        done = threading.Event()
        job = _Job(fn, args, lambda _job: done.set())
        self._jobs.put(job)
        done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def _write_loop(self) -> None:
        conn = self._writer_conn
        tx = Tx(conn, "sqlite")
        while True:
            job = self._jobs.get()
            if job is None:
                return
            group = [job]
            while len(group) < _GROUP_MAX:
                try:
                    more = self._jobs.get_nowait()
                except stdqueue.Empty:
                    break
                if more is None:
                    self._jobs.put(None)
                    break
                group.append(more)
            if not self._run_fast(conn, tx, group):
                self._run_group(conn, tx, group)
            _hand_back(group)

    def _begin(self, conn: sqlite3.Connection, group: list[_Job]) -> bool:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.Error as exc:
            for j in group:
                j.error = DatabaseError(f"database busy or unavailable: {exc}")
            return False

    def _run_fast(self, conn: sqlite3.Connection, tx: Tx, group: list[_Job]) -> bool:
        """The whole group in one transaction without savepoints: the usual case,
        where no write fails. False (all rolled back) when one did: the group then
        runs again, each write in its savepoint (store functions only touch `tx`,
        so running one twice is safe)."""
        if not self._begin(conn, group):
            return True
        try:
            for j in group:
                j.result = j.fn(tx, *j.args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            conn.execute("ROLLBACK")
            if len(group) == 1:
                group[0].error = _map_error(exc)
                return True
            return False
        self._commit(conn, group)
        return True

    def _commit(self, conn: sqlite3.Connection, group: list[_Job]) -> None:
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK")
            for j in group:
                j.error = DatabaseError(f"commit failed: {exc}")

    def _run_group(self, conn: sqlite3.Connection, tx: Tx, group: list[_Job]) -> None:
        for j in group:
            j.result, j.error = None, None
        if not self._begin(conn, group):
            return
        for j in group:
            conn.execute("SAVEPOINT job")
            try:
                j.result = j.fn(tx, *j.args)
                conn.execute("RELEASE job")
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                j.error = _map_error(exc)
        self._commit(conn, group)

    def _reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = _sqlite_connect(self.path)
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._lock:
                self._reader_conns.append(conn)
        return conn

    def _read_sync(self, fn, args):
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            return fn(Tx(conn, "sqlite"), *args)
        except Exception as exc:
            raise _map_error(exc) from exc
        finally:
            conn.execute("COMMIT")

    async def read(self, fn, *args, **kwargs):
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        if self.path == ":memory:":
            return await self.write(fn, *args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._read_sync, fn, args)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._jobs.put(None)
        self._writer.join(timeout=10)
        self._readers.shutdown(wait=True)
        for c in [self._writer_conn, *self._reader_conns]:
            try:
                c.close()
            except sqlite3.Error:
                pass


def _map_error(exc: BaseException) -> BaseException:
    """Driver errors become ours; errors raised by store functions pass as they are."""
    if isinstance(exc, sqlite3.Error):
        return DatabaseError(str(exc))
    try:
        import psycopg

        if isinstance(exc, psycopg.Error):
            return DatabaseError(str(exc).strip())
    except ImportError:  # pragma: no cover
        pass
    return exc


class PostgresDatabase(Database):
    dialect = "postgresql"

    def __init__(self, url: str, threads: int = 8):
        import psycopg
        from psycopg.rows import dict_row

        self._psycopg = psycopg
        self._dict_row = dict_row
        self._conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="onewindow-pg")
        self._conns: list = []
        self._lock = threading.Lock()

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._psycopg.connect(self._conninfo, row_factory=self._dict_row, autocommit=False)
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        return conn

    def _run(self, fn, args):
        conn = self._conn()
        try:
            with conn.transaction():
                return fn(_PgTx(_PgCursorConn(conn), "postgresql"), *args)
        except Exception as exc:
            if conn.closed or conn.broken:
                self._local.conn = None
            raise _map_error(exc) from exc

    async def write(self, fn, *args, **kwargs):
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, fn, args)

    read = write

    def write_sync(self, fn, *args, **kwargs):
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        return self._pool.submit(self._run, fn, args).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for c in self._conns:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - closing anyway
                pass


class _PgCursorConn:
    """Gives a psycopg connection sqlite3's `execute(...) -> cursor` shape with row[0] access."""

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, params):
        return _Rows(self._conn.execute(sql, params))


class _Rows:
    def __init__(self, cur):
        self._cur = cur
        self.rowcount = cur.rowcount

    def fetchone(self):
        row = self._cur.fetchone()
        return None if row is None else _Row(row)

    def fetchall(self):
        return [_Row(r) for r in self._cur.fetchall()]


class _Row(dict):
    """A dict row that also answers row[0], like sqlite3.Row."""

    def __getitem__(self, key):
        if isinstance(key, int):
            return list(self.values())[key]
        return dict.__getitem__(self, key)

    def keys(self):  # sqlite3.Row compatibility for dict(row)
        return dict.keys(self)
