"""PostgreSQL on 127.0.0.1:5432 (trust): whether it answers, and a fresh database
per test, copied from a template migrated once per session."""
from __future__ import annotations

import contextlib
import os
import secrets

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


@contextlib.contextmanager
def fresh_pg_database(migrated: bool = True):
    """The URL of a new PostgreSQL database for one test (already migrated unless told),
    dropped afterwards."""
    name = f"ow_{secrets.token_hex(6)}"
    template = f' TEMPLATE "{_template()}"' if migrated else ""
    _admin(f'CREATE DATABASE "{name}"{template}')
    try:
        yield PG_URL.format(name=name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_template() -> None:
    """At the end of the session."""
    if _TEMPLATE:
        _admin(f'DROP DATABASE IF EXISTS "{_TEMPLATE.pop()}" WITH (FORCE)')
