"""waiting tickets whose holder opted in to messages, indexed (issue 17 point 3): every call looks
for them ("your turn is near"), and without it scanned every waiting ticket of the hall.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

_NOTIFY = "status = 'waiting' AND notify = TRUE"


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_notify', ['hall'], unique=False,
                              sqlite_where=sa.text(_NOTIFY), postgresql_where=sa.text(_NOTIFY))


def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_notify', sqlite_where=sa.text(_NOTIFY), postgresql_where=sa.text(_NOTIFY))
