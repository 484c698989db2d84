"""accounts: login throttling, deactivation, password resets, session revocation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from alembic import op  # noqa: F401 - used as the schema changes land

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
