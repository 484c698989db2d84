"""ratings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), server_default='[]', nullable=False),
    sa.Column('comment', sa.Text(), server_default='', nullable=False),
    sa.Column('at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id')
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_hall_at', ['hall', 'at'], unique=False)

    op.create_table('rectification_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rating_id', sa.Integer(), nullable=False),
    sa.Column('hall', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('window', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('clerk', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('opened_at', sa.Float(), nullable=False),
    sa.Column('due_at', sa.Float(), nullable=False),
    sa.Column('closed_at', sa.Float(), nullable=True),
    sa.Column('steps', sa.Text(), server_default='[]', nullable=False),
    sa.ForeignKeyConstraint(['rating_id'], ['rating.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rating_id')
    )
    with op.batch_alter_table('rectification_task', schema=None) as batch_op:
        batch_op.create_index('ix_rectification_hall_state', ['hall', 'state', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rectification_task', schema=None) as batch_op:
        batch_op.drop_index('ix_rectification_hall_state')

    op.drop_table('rectification_task')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_hall_at')

    op.drop_table('rating')
