"""Keep a refused sender's business-scoped user id in full; index conflicts by reference

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 13:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('correlation_conflict') as batch:
        batch.alter_column(
            'whatsapp_id', existing_type=sa.String(length=32), type_=sa.String(length=135)
        )
    op.create_index(
        'ix_correlation_conflict_site_reference',
        'correlation_conflict',
        ['site_id', 'correlation_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_correlation_conflict_site_reference', table_name='correlation_conflict')
    # The narrower column cannot hold the longer ids; before 0012 they were never stored.
    op.execute("DELETE FROM correlation_conflict WHERE length(whatsapp_id) > 32")
    with op.batch_alter_table('correlation_conflict') as batch:
        batch.alter_column(
            'whatsapp_id', existing_type=sa.String(length=135), type_=sa.String(length=32)
        )
