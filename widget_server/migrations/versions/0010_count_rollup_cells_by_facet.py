"""Count the rollup cells by facet: campaign, landing page or referrer

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:41:03.597388

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD = ('source', 'medium', 'campaign', 'landing', 'referrer')
NEW = ('a', 'b', 'c')


def _forget_rollups() -> None:
    # Rollups are counted again from the sessions on the next overview: nothing is lost.
    op.execute('DELETE FROM funnel_cell')
    op.execute('DELETE FROM funnel_day')


def upgrade() -> None:
    _forget_rollups()
    with op.batch_alter_table('funnel_cell', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facet', sa.String(length=16), nullable=False))
        for name in NEW:
            batch_op.add_column(sa.Column(name, sa.String(length=200), nullable=False))
        for name in OLD:
            batch_op.drop_column(name)


def downgrade() -> None:
    _forget_rollups()
    with op.batch_alter_table('funnel_cell', schema=None) as batch_op:
        for name in OLD:
            batch_op.add_column(sa.Column(name, sa.String(length=200), nullable=False))
        for name in NEW:
            batch_op.drop_column(name)
        batch_op.drop_column('facet')
