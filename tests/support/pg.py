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


class _Dropper:
    """Drops the tests' databases in a thread of its own, while the next test runs."""

    def __init__(self):
        self.q: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.errors: list[str] = []

    def drop(self, name: str) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._run, name="pg-dropper", daemon=True)
            self.thread.start()
        self.q.put(name)

    def _run(self) -> None:
        while True:
            name = self.q.get()
            try:
                _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            except Exception as exc:  # reported at the end of the session
                self.errors.append(f"{name}: {exc}")
            finally:
                self.q.task_done()

    def wait(self) -> None:
        self.q.join()
        assert not self.errors, f"test databases not dropped: {self.errors}"


_DROPPER = _Dropper()


@contextlib.contextmanager
def fresh_pg_database(migrated: bool = True):
    """The URL of a new PostgreSQL database for one test (already migrated unless told),
    dropped afterwards (in the background: see drop_template)."""
    name = f"ow_{secrets.token_hex(6)}"
    template = f' TEMPLATE "{_template()}"' if migrated else ""
    _admin(f'CREATE DATABASE "{name}"{template}')
    try:
        yield PG_URL.format(name=name)
    finally:
        _DROPPER.drop(name)


def drop_template() -> None:
    """At the end of the session: once every test's database is gone, the template too."""
    _DROPPER.wait()
    if _TEMPLATE:
        _admin(f'DROP DATABASE IF EXISTS "{_TEMPLATE.pop()}" WITH (FORCE)')
