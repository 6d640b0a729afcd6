"""Keep the WhatsApp user id (a BSUID, up to 135 characters) and the phone number apart

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('web_session') as batch:
        batch.alter_column(
            'whatsapp_id', existing_type=sa.String(length=32), type_=sa.String(length=135)
        )
        batch.add_column(sa.Column('whatsapp_phone', sa.String(length=32), nullable=True))
    _restore_expression_index()
    # Rows linked before BSUIDs carry the phone number as their user id.
    op.execute(
        "UPDATE web_session SET whatsapp_phone = whatsapp_id WHERE whatsapp_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table('web_session') as batch:
        batch.drop_column('whatsapp_phone')
        batch.alter_column(
            'whatsapp_id', existing_type=sa.String(length=135), type_=sa.String(length=32)
        )
    _restore_expression_index()


def _restore_expression_index() -> None:
    # On SQLite a batch copies the table, and the copy cannot carry an expression index (0003).
    if op.get_bind().dialect.name == 'sqlite':
        op.create_index(
            'ix_web_session_site_lower_cid',
            'web_session',
            ['site_id', sa.text('lower(correlation_id)')],
            unique=False,
        )
