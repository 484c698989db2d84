"""issue 15, point 6: key-project tracking cards (重点项目服务跟踪卡): the liaison of a case marked
key project, and its service steps (limit, actual times, fee against cap, satisfaction). The
sign-off of point 5 needs no table: it is a case event.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('key_project',
    sa.Column('case_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('liaison', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('marked_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('marked_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('key_project_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('fee_cap', sa.Float(), nullable=True),
    sa.Column('started_at', sa.Float(), nullable=True),
    sa.Column('ended_at', sa.Float(), nullable=True),
    sa.Column('due_at', sa.Float(), nullable=True),
    sa.Column('fee', sa.Float(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('rated_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'step', name='uq_key_project_step')
    )
    with op.batch_alter_table('key_project_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_project_step_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('key_project_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_project_step_case_id'))
    op.drop_table('key_project_step')
    op.drop_table('key_project')
