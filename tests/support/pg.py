"""PostgreSQL on 127.0.0.1:5432 (trust): whether it answers, and a fresh database
per test, copied from a template migrated once per session."""
from __future__ import annotations

import contextlib
import os
import queue
import secrets
import threading

import pytest

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
_TEMPLATE: list[str] = []


def pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=2):
            return True
    except Exception:
        return False


def require_pg() -> None:
    """Skip the test when PostgreSQL does not answer (fail it on CI, where it must)."""
    if not pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not answering on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not answering on 127.0.0.1:5432")


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _template() -> str:
    """A database migrated once per session; each test's database is a copy of it."""
    if not _TEMPLATE:
        from onewindow.server.store import migrate

        name = f"ow_tpl_{secrets.token_hex(4)}"
        _admin(f'CREATE DATABASE "{name}"')
        migrate.upgrade(PG_URL.format(name=name))
        _TEMPLATE.append(name)
    return _TEMPLATE[0]


class _Databases:
    """The tests' databases, made and dropped by a thread of its own while the tests run:
    READY copies of the template wait for the next tests; a test's database is dropped
    after it, meanwhile. (One CREATE at a time: copies of one template are made in turn.)"""

    READY = 2

    def __init__(self):
        self.jobs: queue.Queue = queue.Queue()  # ("create", None) or ("drop", name)
        self.ready: queue.Queue = queue.Queue()  # a new database's name, or the exception that stopped it
        self.pending = 0  # creates asked for and not taken yet
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.errors: list[str] = []

    def _ask(self, job: str, name: str | None = None) -> None:
        with self.lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="pg-databases", daemon=True)
                self.thread.start()
            if job == "create":
                self.pending += 1
        self.jobs.put((job, name))

    def take(self) -> str:
        """A fresh copy of the template (made ahead, or now)."""
        _template()
        while self.pending < self.READY + 1:
            self._ask("create")
        got = self.ready.get(timeout=120)
        with self.lock:
            self.pending -= 1
        if isinstance(got, BaseException):
            raise got
        return got

    def drop(self, name: str) -> None:
        self._ask("drop", name)

    def _run(self) -> None:
        while True:
            job, name = self.jobs.get()
            try:
                if job == "create":
                    name = f"ow_{secrets.token_hex(6)}"
                    _admin(f'CREATE DATABASE "{name}" TEMPLATE "{_TEMPLATE[0]}"')
                    self.ready.put(name)
                else:
                    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # a create's goes to the test that takes it, a drop's to the end
                if job == "create":
                    self.ready.put(exc)
                else:
                    self.errors.append(f"{name}: {exc}")
            finally:
                self.jobs.task_done()

    def finish(self) -> None:
        """Drop what was made ahead and not taken; wait for every drop."""
        self.jobs.join()
        while True:
            try:
                got = self.ready.get_nowait()
            except queue.Empty:
                break
            if isinstance(got, str):
                self.drop(got)
        self.jobs.join()
        assert not self.errors, f"test databases not dropped: {self.errors}"


_DATABASES = _Databases()


@contextlib.contextmanager
def fresh_pg_database(migrated: bool = True):
    """The URL of a new PostgreSQL database for one test (a copy of the migrated template, made
    ahead; or empty when migrated=False), dropped after the test (in the background)."""
    if migrated:
        name = _DATABASES.take()
    else:
        name = f"ow_{secrets.token_hex(6)}"
        _admin(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.format(name=name)
    finally:
        _DATABASES.drop(name)


def drop_template() -> None:
    """At the end of the session: once every test's database is gone, the template too."""
    _DATABASES.finish()
    if _TEMPLATE:
        _admin(f'DROP DATABASE IF EXISTS "{_TEMPLATE.pop()}" WITH (FORCE)')
