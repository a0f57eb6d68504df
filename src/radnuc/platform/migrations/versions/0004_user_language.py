"""user language preference

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 12:40:00

``users.language``: the console language a user chose (``en``, ``vi``); NULL follows the browser.
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
