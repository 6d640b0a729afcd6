"""Add per-site click limits and a per-endpoint delivery throttle

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 11:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('site') as batch_op:
        batch_op.add_column(sa.Column('click_limit_client', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('click_limit_site', sa.String(length=100), nullable=True))
    with op.batch_alter_table('webhook_endpoint') as batch_op:
        batch_op.add_column(sa.Column('throttle_rate', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('webhook_endpoint') as batch_op:
        batch_op.drop_column('throttle_rate')
    with op.batch_alter_table('site') as batch_op:
        batch_op.drop_column('click_limit_site')
        batch_op.drop_column('click_limit_client')
