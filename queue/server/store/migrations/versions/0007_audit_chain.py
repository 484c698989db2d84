"""an append-only, hash-chained audit log

Adds `prev_hash` and `hash` to audit_log (store/audit.py says what they hold)
and chains the rows already there, in id order from the genesis value, with
the audit key: the server passes it (`migrate.upgrade(url, audit_key=...)`,
from its secret key material). A database that has audit rows cannot be
upgraded without it (the rows would stay outside the chain, indistinguishable
from forged ones). `onewindow audit verify` accepts a database migrated so.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
import sqlmodel
from alembic import context, op

from onewindow.server.store import audit

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, at, actor, action, data FROM audit_log ORDER BY id")).mappings().all()
    key = context.config.attributes.get("audit_key")
    if rows and key is None:  # refused before any change (SQLite does not roll DDL back here)
        raise RuntimeError("migration 0007 chains the existing audit rows and needs the audit key: "
                           "let the server migrate (onewindow serve), or pass migrate.upgrade(url, audit_key=...)")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prev_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    prev = audit.GENESIS
    for r in rows:
        h = audit.row_hash(key, r["id"], r["at"], r["actor"], r["action"], r["data"], prev)
        bind.execute(sa.text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id"),
                     {"p": prev, "h": h, "id": r["id"]})
        prev = h


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
