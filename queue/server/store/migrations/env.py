"""Alembic environment: the schema is SQLModel's metadata."""
from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

from onewindow.server.store import models  # noqa: F401 - registers the tables

config = context.config
target_metadata = SQLModel.metadata


def _migrate(connection) -> None:
    # batch mode lets later migrations alter SQLite tables.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _migrate(given)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        _migrate(connection)
        connection.commit()


run_migrations_online()
