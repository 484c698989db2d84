"""paired devices (kiosks, rating pads, call screens) and per-channel ticket counts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from alembic import op  # noqa: F401 - used as the schema changes land

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
