"""an index of open tickets, for closing past service days

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_OPEN = "status IN ('waiting', 'called', 'serving', 'parked')"


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_open', ['hall', 'service_day'], unique=False,
                              sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_open', sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))
