"""Index web sessions by lower(correlation_id) for case-insensitive lookups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_web_session_site_lower_cid',
        'web_session',
        ['site_id', sa.text('lower(correlation_id)')],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_web_session_site_lower_cid', table_name='web_session')
