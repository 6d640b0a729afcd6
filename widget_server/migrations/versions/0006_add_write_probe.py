"""Add the write probe the readiness check rewrites

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'write_probe',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('written_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_write_probe')),
    )


def downgrade() -> None:
    op.drop_table('write_probe')
