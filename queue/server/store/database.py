"""The one owner of database connections.

Store functions are plain synchronous functions `fn(tx, *args)` written once
in portable SQL with `:name` parameters; this module runs them in a
transaction and hands back their result.

- SQLite: one writing connection commits writes in groups (one BEGIN
  IMMEDIATE ... COMMIT for everything that queued up meanwhile), and one
  failing write spoils no other. Ordinary writes run in a writer thread; the
  short hot ones (issuing, calling) on the event loop when the writer is idle.
  A caller is answered only after its group committed, so an answered write
  survives a kill -9. Readers use a small pool of their own connections (WAL
  lets them read while it writes).
- PostgreSQL: hot writes (issuing, calling, clerk actions) are grouped as on
  SQLite: the writes of one loop turn, and whatever queued while the previous
  group committed, run in one transaction by a writer thread, so a group
  pays for one commit (one WAL flush) instead of one each. Each hot write
  names its lane (a window, a category's numbers): a few writer threads take
  the lanes between them, and groups of different lanes commit in parallel,
  in any number of processes. One failing write spoils no other (the group
  runs again, each write in a savepoint of its own). Other writes and reads
  run in a pool of threads, each with its own connection, one transaction
  each. Row locks (FOR UPDATE SKIP LOCKED) keep concurrent writers apart;
  advisory locks on the lanes order the hot groups (see PostgresDatabase).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import queue as stdqueue
import re
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, TypeVar

log = logging.getLogger("onewindow.db")
T = TypeVar("T")

_GROUP_MAX = 128


class DatabaseError(Exception):
    """The database could not do what was asked (our own, so no driver error leaks)."""


class Tx:
    """What a store function sees: a connection in a transaction."""

    dialect: str
    audit_key: bytes | None  # the audit chain's HMAC key (store/audit.py); writes only

    def __init__(self, conn: Any, dialect: str, audit_key: bytes | None = None):
        self._conn = conn
        self.dialect = dialect
        self.audit_key = audit_key

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


class _PgTx(Tx):
    _cache: ClassVar[dict[str, str]] = {}

    def _sql(self, sql: str) -> str:
        out = self._cache.get(sql)
        if out is None:
            # psycopg wants %(name)s; a literal % must be doubled.
            out = _NAMED.sub(r"%(\1)s", sql.replace("%", "%%"))
            self._cache[sql] = out
        return out


class Database:
    dialect: str
    audit_key: bytes | None = None  # handed to every write transaction (store/audit.py)

    async def write(self, fn: Callable[..., T], *args, **kwargs) -> T:  # pragma: no cover - interface
        raise NotImplementedError

    async def write_hot(self, fn: Callable[..., T], *args, lane: str = "", **kwargs) -> T:
        """A short write on the hot path (issuing, calling): see SqliteDatabase. `lane`: what it
        must be ordered with (its window, its category's numbers); PostgreSQL commits the hot
        writes of different lanes in parallel."""
        return await self.write(fn, *args, **kwargs)

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


def open_database(url: str, audit_key: bytes | None = None) -> Database:
    """`audit_key`: the audit chain's HMAC key (store/audit.py); without it a write that audits fails."""
    db: Database = PostgresDatabase(url) if is_postgres(url) else SqliteDatabase(sqlite_path(url))
    db.audit_key = audit_key
    return db


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


def _is_busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class _Job:
    """A write waiting for the writer: its future on an event loop, or
    `deliver(job)` (callers without a loop), is settled once it is committed."""

    __slots__ = ("args", "deliver", "error", "fn", "future", "lane", "loop", "result")

    def __init__(self, fn, args, deliver=None, loop=None, future=None, lane: int = 0):
        self.fn, self.args, self.deliver, self.loop, self.future = fn, args, deliver, loop, future
        self.lane = lane  # PostgreSQL: its lane's advisory lock key (PostgresDatabase.write_hot)
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


def _take_more(q: stdqueue.SimpleQueue, group: list[_Job], add) -> None:
    """What queued meanwhile joins `group` by `add(group, item)` (list.append for a queue of
    jobs, list.extend for one of lists), up to _GROUP_MAX writes; a stop (None) stays queued."""
    while len(group) < _GROUP_MAX:
        try:
            more = q.get_nowait()
        except stdqueue.Empty:
            break
        if more is None:
            q.put(None)
            break
        add(group, more)


def _refuse_left(q: stdqueue.SimpleQueue, add) -> None:
    """Closing: a write queued at the last moment (a hot one the loop handed over) is refused
    rather than left waiting for ever. `add` as in _take_more."""
    left: list[_Job] = []
    while True:
        try:
            more = q.get_nowait()
        except stdqueue.Empty:
            break
        if more is not None:
            add(left, more)
    for j in left:
        j.error = DatabaseError("database is closed")
    _hand_back(left)


class SqliteDatabase(Database):
    """One writing connection, owned by whoever holds `_wlock`:

    - the writer thread, for ordinary writes, in groups (everything that queued
      while the previous group ran);
    - the event loop itself, for hot writes (`write_hot`: issuing and calling),
      grouped per loop turn, when the writer thread is idle. That saves two
      thread hops per request, most of the server's overhead on the hot path.

    The loop never waits: when the writer thread holds the connection, or
    another process the database's lock, hot writes queue for the writer
    thread, which waits (up to 10 s) on their behalf. WAL checkpoints, the one
    slow part of committing, run in a thread of their own for the same reason.
    """

    dialect = "sqlite"
    BUSY_WAIT_S = 10.0
    CHECKPOINT_EVERY = 200  # committed groups; also once a second while writes come

    def __init__(self, path: str):
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._jobs: stdqueue.SimpleQueue = stdqueue.SimpleQueue()
        self._writer_conn = _sqlite_connect(path)
        # A lock held by another process must never make the loop wait:
        # _begin_waiting does the waiting, in the writer thread.
        self._writer_conn.execute("PRAGMA busy_timeout=0")
        self._writer_conn.execute("PRAGMA wal_autocheckpoint=0")  # _checkpoint_loop does it
        self._wlock = threading.Lock()
        self._hot: list[_Job] = []
        self._hot_loop: asyncio.AbstractEventLoop | None = None
        self._commits = 0
        self._checkpoint_due = threading.Event()
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="onewindow-db-reader")
        self._reader_conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        self._writer = threading.Thread(target=self._write_loop, name="onewindow-db-writer", daemon=True)
        self._writer.start()
        self._checkpointer = None
        if path != ":memory:":
            self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="onewindow-db-checkpoint",
                                                  daemon=True)
            self._checkpointer.start()

    async def write(self, fn, *args, **kwargs):
        if self._closed:
            raise DatabaseError("database is closed")
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self._jobs.put(_Job(fn, args, loop=loop, future=fut))
        return await fut

    async def write_hot(self, fn, *args, lane: str = "", **kwargs):
        """A short write on the hot path, run on the event loop with the other
        hot writes of this loop turn in one transaction (one writer: `lane`
        changes nothing here). Only for store functions that touch a handful
        of rows through indexes: a slow one would stall every request."""
        if self._closed:
            raise DatabaseError("database is closed")
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        loop = asyncio.get_running_loop()
        if self._hot_loop is None:
            self._hot_loop = loop
        elif loop is not self._hot_loop:  # the connection serves one loop; others queue
            return await self.write(fn, *args)
        fut = loop.create_future()
        if not self._hot:
            loop.call_soon(self._flush_hot)
        self._hot.append(_Job(fn, args, loop=loop, future=fut))
        return await fut

    def _flush_hot(self) -> None:
        group, self._hot = self._hot, []
        if self._closed:
            for j in group:
                j.error = DatabaseError("database is closed")
            _settle_all(group)
            return
        if not self._wlock.acquire(blocking=False):
            self._queue_for_writer(group)  # it is busy now and takes these next
            return
        try:
            try:
                self._writer_conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                if not _is_busy(exc):
                    raise
                self._queue_for_writer(group)  # another process writes: the writer thread waits, not the loop
                return
            self._run_group(group)
        except BaseException as exc:
            log.exception("hot write group failed")
            if self._writer_conn.in_transaction:
                self._writer_conn.execute("ROLLBACK")
            for j in group:
                j.error = DatabaseError(f"write failed: {exc}")
        finally:
            self._wlock.release()
        _settle_all(group)
        self._committed()

    def _queue_for_writer(self, group: list[_Job]) -> None:
        for j in group:
            self._jobs.put(j)

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
        while True:
            job = self._jobs.get()
            if job is None:
                self._refuse_queued()
                return
            group = [job]
            _take_more(self._jobs, group, list.append)
            with self._wlock:
                if self._begin_waiting(group):
                    self._run_group(group)
            _hand_back(group)
            self._committed()

    def _refuse_queued(self) -> None:
        _refuse_left(self._jobs, list.append)

    def _begin_waiting(self, group: list[_Job]) -> bool:
        """BEGIN IMMEDIATE, waiting up to BUSY_WAIT_S for another process's lock."""
        deadline = time.monotonic() + self.BUSY_WAIT_S
        delay = 0.001
        while True:
            try:
                self._writer_conn.execute("BEGIN IMMEDIATE")
                return True
            except sqlite3.Error as exc:
                if _is_busy(exc) and time.monotonic() < deadline:
                    time.sleep(delay)
                    delay = min(delay * 2, 0.05)
                    continue
                for j in group:
                    j.error = DatabaseError(f"database busy or unavailable: {exc}")
                return False

    def _run_group(self, group: list[_Job]) -> None:
        """In a begun transaction: the whole group under one savepoint, the usual
        case where no write fails. When one does, the group runs again with each
        write in a savepoint of its own, so one failure spoils no other (store
        functions only touch `tx`, so running one twice is safe)."""
        conn = self._writer_conn
        tx = Tx(conn, "sqlite", self.audit_key)
        conn.execute("SAVEPOINT grp")
        try:
            for j in group:
                j.result = j.fn(tx, *j.args)
            conn.execute("RELEASE grp")
        except BaseException as exc:
            conn.execute("ROLLBACK TO grp")
            conn.execute("RELEASE grp")
            if len(group) == 1:
                group[0].result, group[0].error = None, _map_error(exc)
            else:
                self._run_each(conn, tx, group)
        self._commit(group)

    @staticmethod
    def _run_each(conn: sqlite3.Connection, tx: Tx, group: list[_Job]) -> None:
        for j in group:
            j.result = None
            conn.execute("SAVEPOINT job")
            try:
                j.result = j.fn(tx, *j.args)
                conn.execute("RELEASE job")
            except BaseException as exc:
                conn.execute("ROLLBACK TO job")
                conn.execute("RELEASE job")
                j.error = _map_error(exc)

    def _commit(self, group: list[_Job]) -> None:
        try:
            self._writer_conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self._writer_conn.execute("ROLLBACK")
            for j in group:
                j.error = DatabaseError(f"commit failed: {exc}")

    def _committed(self) -> None:
        self._commits += 1  # from two threads; a lost count only delays a checkpoint
        if self._commits % self.CHECKPOINT_EVERY == 0:
            self._checkpoint_due.set()

    def _checkpoint_loop(self) -> None:
        """Copies the WAL back into the database file (PASSIVE: never waits for
        a writer or blocks one), so the log stays small and reads stay fast."""
        conn = _sqlite_connect(self.path)
        done = 0
        try:
            while not self._closed:
                self._checkpoint_due.wait(1.0)
                self._checkpoint_due.clear()
                if self._commits == done:
                    continue
                done = self._commits
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:
                    log.warning("WAL checkpoint failed (retried later): %s", exc)
        finally:
            conn.close()

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
        if self._checkpointer is not None:
            self._checkpoint_due.set()
            self._checkpointer.join(timeout=10)
        # The writer last: closing the last connection checkpoints and removes the WAL.
        # Under its lock: a hot write the loop is running finishes first.
        with self._wlock:
            for c in [*self._reader_conns, self._writer_conn]:
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


def _pg_transient(exc: BaseException) -> bool:
    """A deadlock or serialization failure: the transaction may simply run again."""
    return getattr(exc, "sqlstate", None) in ("40P01", "40001")


class _HotWriter:
    """A hot writer thread, its queue (lists of jobs; None: stop) and its own connection."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.jobs: stdqueue.SimpleQueue = stdqueue.SimpleQueue()
        self.conn: Any = None
        self.thread: threading.Thread | None = None

    def broken(self) -> bool:
        """The connection is gone (not just a statement failed: a deadlock is an OperationalError
        too, and stays one write's own failure)."""
        return self.conn is None or self.conn.closed or self.conn.broken


def lane_key(lane: str) -> int:
    """A lane's advisory lock key (31 bits: a positive int4). Two lanes sharing a key are
    only ordered one after the other, never mixed up."""
    return zlib.crc32(lane.encode()) & 0x7FFFFFFF


class PostgresDatabase(Database):
    """Hot writes (`write_hot`) go to writer threads, each with a connection of
    its own, in groups: the writes of one loop turn are handed over together,
    and a writer takes everything queued for it meanwhile (up to _GROUP_MAX)
    into one transaction. Callers are answered after the group committed.

    Every hot write names a lane: what it must be ordered with (a window's
    calls and actions, a category's numbers). A lane always goes to the same
    writer of a process, so its writes there follow each other without waiting
    for a commit (no queueing on a window's row); writes of other lanes commit
    in parallel on other writers. A group first takes a transaction-level
    advisory lock per lane it holds, in key order: groups of the same lanes,
    in any process, run one at a time, and two groups can never each wait for
    a row the other holds because of the order they took them in (PostgreSQL
    breaks such a deadlock only after deadlock_timeout, 1 s). A deadlock with
    an ordinary write (which takes no lane) runs the group again.

    Other writes and reads: a pool of threads, each with its own connection,
    one transaction each. psycopg prepares a statement on a connection once it
    ran PREPARE_THRESHOLD times (the hot statements run thousands of times).
    """

    dialect = "postgresql"
    HOT_LOCK = 0x6F77686F  # 'owho': the lanes' advisory lock class; the audit chain's lock is another key
    HOT_WRITERS = 4  # a hall's windows and categories spread over them
    RETRIES = 3  # a group that deadlocked with an ordinary write runs again
    PREPARE_THRESHOLD = 2
    PREPARED_MAX = 512  # distinct statements kept prepared per connection (psycopg's default is 100)

    def __init__(self, url: str, threads: int = 8, hot_writers: int | None = None):
        import psycopg
        from psycopg.rows import dict_row

        self._psycopg = psycopg
        self._dict_row = dict_row
        self._conninfo = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="onewindow-pg")
        self._conns: list = []
        self._lock = threading.Lock()
        self._closed = False
        # this loop turn's hot writes, by writer
        self._pending: dict[asyncio.AbstractEventLoop, dict[int, list[_Job]]] = {}
        self.groups = 0  # hot groups committed (tests and figures)
        self._writers = [_HotWriter(i) for i in range(hot_writers or self.HOT_WRITERS)]
        for w in self._writers:
            w.thread = threading.Thread(target=self._hot_loop, args=(w,), name=f"onewindow-pg-hot-{w.index}",
                                        daemon=True)
            w.thread.start()

    def _connect(self):
        conn = self._psycopg.connect(self._conninfo, row_factory=self._dict_row, autocommit=False)
        conn.prepare_threshold = self.PREPARE_THRESHOLD
        conn.prepared_max = self.PREPARED_MAX
        with self._lock:
            self._conns.append(conn)
        return conn

    def _conn(self):
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = self._connect()
        return conn

    def _run(self, fn, args):
        conn = self._conn()
        try:
            with conn.transaction():
                return fn(_PgTx(_PgCursorConn(conn), "postgresql", self.audit_key), *args)
        except Exception as exc:
            if conn.closed or conn.broken:
                self._local.conn = None
            raise _map_error(exc) from exc

    async def write(self, fn, *args, **kwargs):
        if self._closed:
            raise DatabaseError("database is closed")
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self._run, fn, args)

    read = write

    async def write_hot(self, fn, *args, lane: str = "", **kwargs):
        """A short write on the hot path (issuing, calling), committed in a group
        with the hot writes queued with it; its own failure is its alone."""
        if self._closed:
            raise DatabaseError("database is closed")
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        turn = self._pending.get(loop)
        if turn is None:
            turn = self._pending[loop] = {}
            loop.call_soon(self._hand_over, loop)
        key = lane_key(lane)
        turn.setdefault(key % len(self._writers), []).append(_Job(fn, args, loop=loop, future=fut, lane=key))
        return await fut

    def _hand_over(self, loop) -> None:
        """End of the loop turn: its hot writes go to their writers, one piece (one wake-up) each."""
        turn = self._pending.pop(loop)
        with self._lock:  # not after close() let a writer go
            if not self._closed:
                for index, jobs in turn.items():
                    self._writers[index].jobs.put(jobs)
                return
        jobs = [j for js in turn.values() for j in js]
        for j in jobs:
            j.error = DatabaseError("database is closed")
        _settle_all(jobs)

    def _hot_loop(self, w: _HotWriter) -> None:
        while True:
            first = w.jobs.get()
            if first is None:
                _refuse_left(w.jobs, list.extend)
                return
            group = list(first)
            _take_more(w.jobs, group, list.extend)
            self._run_hot_group(w, group)
            _hand_back(group)

    def _run_hot_group(self, w: _HotWriter, group: list[_Job]) -> None:
        """One transaction for the group. When a write fails, the group runs again
        with each write in a savepoint of its own, so the failure is its alone
        (store functions only touch `tx`, so running one twice is safe); a
        deadlock or serialization failure runs the group again as it was."""
        each = False
        tries = 0
        lanes = sorted({j.lane for j in group})
        while True:
            for j in group:
                j.result, j.error = None, None
            try:
                if w.broken():
                    w.conn = self._connect()
                conn = w.conn
                with conn.transaction():
                    # In key order, in one round trip (a function scan yields the array in order).
                    conn.execute("SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int4[]) AS k",
                                 (self.HOT_LOCK, lanes))
                    tx = _PgTx(_PgCursorConn(conn), "postgresql", self.audit_key)
                    if each:
                        self._run_each(w, tx, group)
                    else:
                        for j in group:
                            j.result = j.fn(tx, *j.args)
                with self._lock:
                    self.groups += 1
                return
            except Exception as exc:
                if _pg_transient(exc) and tries < self.RETRIES:
                    tries += 1
                    continue
                if len(group) == 1 and not w.broken():
                    group[0].result, group[0].error = None, _map_error(exc)  # its own failure
                    return
                if not each and not w.broken():
                    each = True  # some write failed: find which, and commit the others
                    continue
                log.exception("hot write group failed")
                for j in group:
                    j.result, j.error = None, DatabaseError(f"write failed: {exc}")
                return

    def _run_each(self, w: _HotWriter, tx: Tx, group: list[_Job]) -> None:
        for j in group:
            for attempt in range(self.RETRIES + 1):
                try:
                    with w.conn.transaction():  # a savepoint: its failure undoes only its own writes
                        j.result, j.error = j.fn(tx, *j.args), None
                    break
                except Exception as exc:
                    j.result, j.error = None, _map_error(exc)
                    if w.broken():
                        raise
                    if not (_pg_transient(exc) and attempt < self.RETRIES):
                        break

    def write_sync(self, fn, *args, **kwargs):
        if kwargs:
            fn = functools.partial(fn, **kwargs)
        return self._pool.submit(self._run, fn, args).result()

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for w in self._writers:
                w.jobs.put(None)
        for w in self._writers:
            if w.thread is not None:
                w.thread.join(timeout=10)
        self._pool.shutdown(wait=True)
        for c in self._conns:
            try:
                c.close()
            except Exception:
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
