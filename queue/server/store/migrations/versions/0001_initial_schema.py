"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_username'), ['username'], unique=True)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('data', sa.Text(), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('service_day', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('track_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('issued_at', sa.Float(), nullable=False),
    sa.Column('arrived_at', sa.Float(), nullable=False),
    sa.Column('called_at', sa.Float(), nullable=True),
    sa.Column('last_called_at', sa.Float(), nullable=True),
    sa.Column('started_at', sa.Float(), nullable=True),
    sa.Column('finished_at', sa.Float(), nullable=True),
    sa.Column('call_count', sa.Integer(), nullable=False),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('first_clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('origin_category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('target_window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('wait_s', sa.Float(), nullable=True),
    sa.Column('walk_s', sa.Float(), nullable=True),
    sa.Column('service_s', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall', 'service_day', 'number', name='uq_ticket_number')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_day', ['hall', 'service_day', 'status'], unique=False)
        batch_op.create_index('ix_ticket_targeted', ['hall', 'target_window', 'arrived_at', 'id'], unique=False, sqlite_where=sa.text("status = 'waiting' AND target_window IS NOT NULL"), postgresql_where=sa.text("status = 'waiting' AND target_window IS NOT NULL"))
        batch_op.create_index('ix_ticket_waiting', ['hall', 'category', 'priority', 'arrived_at', 'id'], unique=False, sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))

    op.create_table('ticket_counter',
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('service_day', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'category', 'service_day')
    )
    op.create_table('ticket_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('data', sa.Text(), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.create_index('ix_event_hall_at', ['hall', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_event_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('window_post',
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('a_clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('b_clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('changed_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('hall', 'window')
    )
    op.create_table('window_state',
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('signed_in_at', sa.Float(), nullable=True),
    sa.Column('away', sa.Text(), server_default='', nullable=False),
    sa.Column('current_ticket', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('hall', 'window')
    )
    op.create_table('auth_session',
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_session_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_session_user_id'))

    op.drop_table('auth_session')
    op.drop_table('window_state')
    op.drop_table('window_post')
    with op.batch_alter_table('ticket_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_event_ticket_id'))
        batch_op.drop_index('ix_event_hall_at')

    op.drop_table('ticket_event')
    op.drop_table('ticket_counter')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_waiting', sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))
        batch_op.drop_index('ix_ticket_targeted', sqlite_where=sa.text("status = 'waiting' AND target_window IS NOT NULL"), postgresql_where=sa.text("status = 'waiting' AND target_window IS NOT NULL"))
        batch_op.drop_index('ix_ticket_day')

    op.drop_table('ticket')
    op.drop_table('audit_log')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_username'))

    op.drop_table('app_user')
