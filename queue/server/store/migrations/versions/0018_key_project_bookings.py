"""key-project bookings: green channel by appointment (issue 16 point 6)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointment_key_project',
    sa.Column('appointment_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('case_number', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('project', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('liaison', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('appointment_id')
    )
    with op.batch_alter_table('appointment_key_project', schema=None) as batch_op:
        batch_op.create_index('ix_appointment_key_project_liaison', ['hall', 'liaison'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('appointment_key_project', schema=None) as batch_op:
        batch_op.drop_index('ix_appointment_key_project_liaison')
    op.drop_table('appointment_key_project')
