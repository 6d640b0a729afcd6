"""Add the correlation conflicts kept for site owners

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 11:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'correlation_conflict',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('correlation_id', sa.String(length=9), nullable=False),
        sa.Column('whatsapp_id', sa.String(length=32), nullable=False),
        sa.Column('message_id', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['site_id'], ['site.id'], name=op.f('fk_correlation_conflict_site_id_site')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_correlation_conflict')),
    )
    op.create_index(
        op.f('ix_correlation_conflict_site_id'), 'correlation_conflict', ['site_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_correlation_conflict_site_id'), table_name='correlation_conflict')
    op.drop_table('correlation_conflict')
