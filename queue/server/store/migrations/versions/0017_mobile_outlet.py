"""the mobile outlet (issue 18): published visits, and the sync of a van's rows (the centre's id
mapping and received batches; the van's acknowledged marks)

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0017'
down_revision = '0015'  # there is no 0016: revisions chain by down_revision, not by number
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('mobile_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('town', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('day', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('end', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('categories', sa.Text(), server_default='[]', nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('published_at', sa.Float(), nullable=False),
    sa.Column('changed_at', sa.Float(), nullable=False),
    sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mobile_visit', schema=None) as batch_op:
        batch_op.create_index('ix_mobile_visit_hall_day', ['hall', 'day'], unique=False)
    op.create_table('visit_subscriber',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('town', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('phone_enc', sa.Text(), nullable=False),
    sa.Column('phone_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hall', 'town', 'phone_hash', name='uq_visit_subscriber')
    )
    op.create_table('sync_map',
    sa.Column('outlet', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('origin_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('central_id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.PrimaryKeyConstraint('outlet', 'kind', 'origin_id')
    )
    op.create_table('sync_batch',
    sa.Column('outlet', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('device', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.Float(), nullable=False),
    sa.Column('sent_at', sa.Float(), nullable=False),
    sa.Column('offset_s', sa.Float(), nullable=False),
    sa.Column('marks', sa.Text(), server_default='{}', nullable=False),
    sa.Column('counts', sa.Text(), server_default='{}', nullable=False),
    sa.PrimaryKeyConstraint('outlet', 'seq')
    )
    op.create_table('sync_state',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('value', sa.Text(), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('sync_state')
    op.drop_table('sync_batch')
    op.drop_table('sync_map')
    op.drop_table('visit_subscriber')
    with op.batch_alter_table('mobile_visit', schema=None) as batch_op:
        batch_op.drop_index('ix_mobile_visit_hall_day')
    op.drop_table('mobile_visit')
