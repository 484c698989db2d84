"""issue 15: a case's statutory deadline (and whether it is provisional), the visits the
applicant made for it (最多跑一次), and a suspension's list of defects (一次性告知)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statutory_deadline_at', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('statutory_provisional', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('visits', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missing', sa.Text(), server_default='[]', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('case_suspension', schema=None) as batch_op:
        batch_op.drop_column('missing')
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_column('visits')
        batch_op.drop_column('statutory_provisional')
        batch_op.drop_column('statutory_deadline_at')
