"""The models (onewindow.server.store.models) and the Alembic migrations
describe one schema: an empty database migrated to head has exactly the
models' tables, columns, types, nullability, indexes and constraints (and,
on PostgreSQL, server defaults), as alembic's autogenerate comparison sees
them, on SQLite and on PostgreSQL.
A model changed without a migration (or a migration without its model)
fails here, and the message lists what `alembic revision --autogenerate`
would write."""
from __future__ import annotations

import pprint

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, pool
from sqlmodel import SQLModel
from support import pg

from onewindow.server.store import (
    migrate,
    models,  # noqa: F401 - registers the tables on SQLModel.metadata
)


@pytest.fixture(params=["sqlite", "postgres"])
def migrated_url(request, tmp_path):
    """An empty database of each kind, migrated to head by the migrations alone."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'drift.db'}"
        migrate.upgrade(url)
        yield url
        return
    pg.require_pg()
    with pg.fresh_pg_database(migrated=False) as url:
        migrate.upgrade(url)
        yield url


def test_the_migrations_build_exactly_the_models_schema(migrated_url):
    engine = create_engine(migrate.sync_url(migrated_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names()) - {"alembic_version"}
            # Server defaults too on PostgreSQL; SQLite reports a default as its SQL text ("''" for ''),
            # which the comparison cannot tell equal to the model's.
            ctx = MigrationContext.configure(conn, opts={
                "compare_type": True, "compare_server_default": conn.dialect.name == "postgresql"})
            diff = compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()
    assert tables == set(SQLModel.metadata.tables), "the comparison would show nothing of an empty schema"
    assert diff == [], "models and migrations differ:\n" + pprint.pformat(diff)
