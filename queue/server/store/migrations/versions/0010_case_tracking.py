"""case tracking and phones on tickets (issue 14): a case's tracking token (keyed hash), its
message opt-in, language and look-up count; a ticket's encrypted phone and opt-in; a rating of
a case besides the rating of the visit (once each per ticket)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# 0003 made rating's unique key on ticket_id without a name: PostgreSQL called it
# rating_ticket_id_key; SQLite's batch mode needs a naming convention to find it.
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique() -> str:
    return "rating_ticket_id_key" if op.get_bind().dialect.name == "postgresql" else "uq_rating_ticket_id"


def upgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_enc', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('notify', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('track_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('notify', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('lang', sa.String(length=8), server_default='zh', nullable=False))
        batch_op.add_column(sa.Column('lookups', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('rating', schema=None, naming_convention=_NAMES) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=8), server_default='visit', nullable=False))
        batch_op.drop_constraint(_old_unique(), type_='unique')
        batch_op.create_unique_constraint('uq_rating_once', ['ticket_id', 'kind'])


def downgrade() -> None:
    op.execute("DELETE FROM rectification_task WHERE rating_id IN (SELECT id FROM rating WHERE kind <> 'visit')")
    op.execute("DELETE FROM rating WHERE kind <> 'visit'")
    with op.batch_alter_table('rating', schema=None, naming_convention=_NAMES) as batch_op:
        batch_op.drop_constraint('uq_rating_once', type_='unique')
        batch_op.create_unique_constraint(_old_unique(), ['ticket_id'])
        batch_op.drop_column('kind')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('lookups')
        batch_op.drop_column('lang')
        batch_op.drop_column('notify')
        batch_op.drop_column('track_token')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('notify')
        batch_op.drop_column('phone_enc')
