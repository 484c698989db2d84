"""complaints and the 12369 flow: complaints, their clocks (milestones), steps and callbacks (issue 15,
points 1-4)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'complaint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('hall', S(length=32), nullable=False),
        sa.Column('number', S(length=32), nullable=False),
        sa.Column('source', S(length=16), nullable=False),
        sa.Column('external_ref', S(length=64), nullable=True),
        sa.Column('type_code', S(length=64), nullable=False),
        sa.Column('grade', S(length=8), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('place', sa.Text(), nullable=False),
        sa.Column('place_key', S(length=64), nullable=False),
        sa.Column('name_enc', sa.Text(), server_default='', nullable=False),
        sa.Column('phone_enc', sa.Text(), server_default='', nullable=False),
        sa.Column('real_name', sa.Boolean(), nullable=False),
        sa.Column('has_phone', sa.Boolean(), nullable=False),
        sa.Column('received_at', sa.Float(), nullable=False),
        sa.Column('entered_at', sa.Float(), nullable=False),
        sa.Column('entered_by', S(length=64), nullable=False),
        sa.Column('window_id', S(length=32), nullable=True),
        sa.Column('status', S(length=12), nullable=False),
        sa.Column('department', S(length=32), nullable=True),
        sa.Column('result', sa.Text(), server_default='', nullable=False),
        sa.Column('closed_at', sa.Float(), nullable=True),
        sa.Column('evaluation', S(length=8), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hall', 'external_ref', name='uq_complaint_external_ref'),
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_hall_status', ['hall', 'status', 'received_at'], unique=False)
        batch_op.create_index('ix_complaint_hall_place', ['hall', 'type_code', 'place_key', 'received_at'],
                              unique=False)
    op.create_table(
        'complaint_clock',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('hall', S(length=32), nullable=False),
        sa.Column('milestone', S(length=12), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('unit', S(length=16), nullable=False),
        sa.Column('started_at', sa.Float(), nullable=False),
        sa.Column('due_at', sa.Float(), nullable=False),
        sa.Column('provisional', sa.Boolean(), nullable=False),
        sa.Column('done_at', sa.Float(), nullable=True),
        sa.Column('card', S(length=8), nullable=False),
        sa.Column('card_at', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('complaint_id', 'milestone', 'round', name='uq_complaint_clock'),
    )
    with op.batch_alter_table('complaint_clock', schema=None) as batch_op:
        batch_op.create_index('ix_complaint_clock_open', ['hall', 'done_at', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_clock_complaint_id'), ['complaint_id'], unique=False)
    op.create_table(
        'complaint_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('hall', S(length=32), nullable=False),
        sa.Column('step', S(length=16), nullable=False),
        sa.Column('at', sa.Float(), nullable=False),
        sa.Column('actor', S(length=64), nullable=True),
        sa.Column('outcome', S(length=32), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('data', sa.Text(), server_default='{}', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('complaint_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_step_complaint_id'), ['complaint_id'], unique=False)
    op.create_table(
        'complaint_callback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('hall', S(length=32), nullable=False),
        sa.Column('at', sa.Float(), nullable=False),
        sa.Column('actor', S(length=64), nullable=False),
        sa.Column('outcome', S(length=12), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('complaint_callback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_callback_complaint_id'), ['complaint_id'], unique=False)


def downgrade() -> None:
    for table, indexes in (('complaint_callback', ['ix_complaint_callback_complaint_id']),
                           ('complaint_step', ['ix_complaint_step_complaint_id']),
                           ('complaint_clock', ['ix_complaint_clock_complaint_id', 'ix_complaint_clock_open']),
                           ('complaint', ['ix_complaint_hall_place', 'ix_complaint_hall_status'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for ix in indexes:
                batch_op.drop_index(ix)
        op.drop_table(table)
