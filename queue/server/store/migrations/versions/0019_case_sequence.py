"""case numbers unique across the deployment (issue 17): counted per prefix and day
(case_sequence), not per hall, seeded from the numbers already given; case_file.number indexed for
look-ups across outlets. case_counter stays (unwritten) for the previous release's workers.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""
import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

# HP-20261123-0001, HP-VAN1-20261203-0001: split from the right (frozen here, not imported).
_NUMBER = re.compile(r"^(?P<prefix>.+)-(?P<day>\d{8})-(?P<seq>\d{4,})$")


def upgrade() -> None:
    op.create_table('case_sequence',
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('service_day', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', 'service_day')
    )
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.create_index('ix_case_number', ['number'], unique=False)
    # The highest sequence given per prefix and day, whichever hall gave it: the next number of
    # today continues after every one already quoted (two halls that both gave HP-...-0003: 0004).
    last: dict[tuple[str, str], int] = {}
    for (number,) in op.get_bind().execute(sa.text("SELECT number FROM case_file")):
        m = _NUMBER.match(number or "")
        if m is None or len(m["prefix"]) > 16:
            continue
        d = m["day"]
        key = (m["prefix"], f"{d[:4]}-{d[4:6]}-{d[6:]}")
        last[key] = max(last.get(key, 0), int(m["seq"]))
    if last:
        op.bulk_insert(sa.table('case_sequence', sa.column('prefix'), sa.column('service_day'), sa.column('last')),
                       [{"prefix": p, "service_day": d, "last": n} for (p, d), n in sorted(last.items())])


def downgrade() -> None:
    with op.batch_alter_table('case_file', schema=None) as batch_op:
        batch_op.drop_index('ix_case_number')
    op.drop_table('case_sequence')
