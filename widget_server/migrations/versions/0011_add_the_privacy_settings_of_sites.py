"""Add the privacy settings of sites and the table of periodic runs

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:27:03.191992

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('ip_policy', sa.String(length=9), server_default='full', nullable=False)
        )
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('private_params', sa.Text(), server_default='', nullable=False)
        )
    op.create_table(
        'periodic_run',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('started_by', sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic_run')),
    )


def downgrade() -> None:
    op.drop_table('periodic_run')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('private_params')
        batch_op.drop_column('retention_days')
        batch_op.drop_column('ip_policy')
