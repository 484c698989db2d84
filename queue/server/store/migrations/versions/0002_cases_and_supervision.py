"""cases, calendar years and supervision alerts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holidays', sa.Text(), server_default='[]', nullable=False),
    sa.Column('workdays', sa.Text(), server_default='[]', nullable=False),
    sa.Column('source', sa.Text(), server_default='', nullable=False),
    sa.Column('loaded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('loaded_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('case_counter',
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('service_day', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'service_day')
    )
    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('data', sa.Text(), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_event_case_id'), ['case_id'], unique=False)

    op.create_table('case_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('item', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('ticket_number', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('applicant_name_enc', sa.Text(), server_default='', nullable=False),
    sa.Column('applicant_phone_enc', sa.Text(), server_default='', nullable=False),
    sa.Column('project', sa.Text(), server_default='', nullable=False),
    sa.Column('accepted_at', sa.Float(), nullable=False),
    sa.Column('clock_from', sa.Float(), nullable=False),
    sa.Column('deadline_at', sa.Float(), nullable=False),
    sa.Column('deadline_provisional', sa.Boolean(), nullable=False),
    sa.Column('promised_amount', sa.Integer(), nullable=False),
    sa.Column('promised_unit', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('statutory_amount', sa.Integer(), nullable=True),
    sa.Column('statutory_unit', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('instant', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('first_clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('wait_s', sa.Float(), nullable=True),
    sa.Column('walk_s', sa.Float(), nullable=True),
    sa.Column('service_s', sa.Float(), nullable=True),
    sa.Column('completed_at', sa.Float(), nullable=True),
    sa.Column('closed_reason', sa.Text(), server_default='', nullable=False),
    sa.Column('card', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('card_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall', 'number', name='uq_case_number')
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index('ix_case_hall_status', ['hall', 'status', 'deadline_at'], unique=False)
        batch_op.create_index('ix_case_provisional', ['deadline_provisional', 'status'], unique=False)

    op.create_table('case_suspension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('from_at', sa.Float(), nullable=False),
    sa.Column('to_at', sa.Float(), nullable=True),
    sa.Column('notice', sa.Text(), server_default='', nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_suspension_case_id'), ['case_id'], unique=False)

    op.create_table('supervision_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('message', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('resolved_at', sa.Float(), nullable=True),
    sa.Column('resolved_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('supervision_alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_hall_open', ['hall', 'resolved_at', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervision_alert_case_id'), ['case_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('supervision_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervision_alert_case_id'))
        batch_op.drop_index('ix_alert_hall_open')

    op.drop_table('supervision_alert')
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_suspension_case_id'))

    op.drop_table('case_suspension')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_provisional')
        batch_op.drop_index('ix_case_hall_status')
        batch_op.drop_index(batch_op.f('ix_case_file_ticket_id'))

    op.drop_table('case_file')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_case_id'))

    op.drop_table('case_event')
    op.drop_table('case_counter')
    op.drop_table('calendar_year')
