"""dashboard alert acknowledgement: who acknowledged which alert, and when (issue 12, point 16)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_ack',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_ack', schema=None) as batch_op:
        batch_op.create_index('ix_alert_ack_hall_key', ['hall', 'key', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_ack', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_ack_hall_key')
    op.drop_table('alert_ack')
