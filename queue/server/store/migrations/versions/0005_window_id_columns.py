"""rename the `window` columns to `window_id`

`window` is a reserved word in PostgreSQL: every statement naming it had to
be rewritten (quoted) on the way to the database. `window_id` needs nothing.

The rename is done in place (ALTER TABLE ... RENAME COLUMN, SQLite 3.25+ and
PostgreSQL alike), so the rows, the primary keys of window_state and
window_post, and every index stay as they are; no table is copied. No index
names the column (ix_ticket_targeted is on target_window, which keeps its name).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ('ticket', 'ticket_event', 'window_state', 'window_post', 'case_file', 'rating', 'rectification_task')


def _rename(old: str, new: str) -> None:
    for table in TABLES:
        # recreate="never": a plain RENAME COLUMN on SQLite too, not batch mode's copy of the table.
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.alter_column(old, new_column_name=new)


def upgrade() -> None:
    _rename('window', 'window_id')


def downgrade() -> None:
    _rename('window_id', 'window')
