"""Keep an open day's devices up to a moment later than its counts: devices_until

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Kept days without it hold their devices up to computed_at, as before: nothing to count again.
    with op.batch_alter_table('funnel_day', schema=None) as batch_op:
        batch_op.add_column(sa.Column('devices_until', sa.DateTime(), nullable=True))


def downgrade() -> None:
    # A sketch holding devices after computed_at stays right: those counted again are the same.
    with op.batch_alter_table('funnel_day', schema=None) as batch_op:
        batch_op.drop_column('devices_until')
