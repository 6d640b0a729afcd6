"""Derive each session's UTM parameters, landing page and referrer host in the database

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 13:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

UTM = {
    'sqlite': "coalesce(CAST(JSON_EXTRACT(parsed_params, '$.\"{name}\"') AS VARCHAR), '')",
    'postgresql': "coalesce(CAST(parsed_params ->> '{name}' AS VARCHAR), '')",
}
LANDING = {
    'sqlite': (
        "coalesce(substr(click_url, 1, min(instr(click_url || '?', '?'), "
        "instr(click_url || '#', '#')) - 1), '')"
    ),
    'postgresql': "coalesce(regexp_replace(click_url, '[?#].*$', ''), '')",
}
NETLOC = {
    'sqlite': (
        "coalesce(substr(substr(referrer, instr(referrer, '://') + 3), 1, "
        "instr(substr(referrer, instr(referrer, '://') + 3) || '/', '/') - 1), '')"
    ),
    'postgresql': "coalesce(SUBSTRING(referrer FROM '://([^/]*)'), '')",
}
NAMES = ('utm_source', 'utm_medium', 'utm_campaign', 'landing', 'referrer_netloc')


def _columns(dialect: str) -> list[sa.Column]:
    sql = {name: UTM[dialect].format(name=name) for name in NAMES[:3]}
    sql.update(landing=LANDING[dialect], referrer_netloc=NETLOC[dialect])
    return [
        sa.Column(name, sa.Text(), sa.Computed(sql[name], persisted=True), nullable=False)
        for name in NAMES
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        for column in _columns(dialect):
            op.add_column('web_session', column)
        return
    # SQLite adds no stored column in place: the table is copied, which computes them.
    with op.batch_alter_table('web_session', recreate='always') as batch:
        for column in _columns(dialect):
            batch.add_column(column)
    _restore_expression_index()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name in NAMES:
            op.drop_column('web_session', name)
        return
    with op.batch_alter_table('web_session', recreate='always') as batch:
        for name in NAMES:
            batch.drop_column(name)
    _restore_expression_index()


def _restore_expression_index() -> None:
    # On SQLite a batch copies the table, and the copy cannot carry an expression index (0003).
    op.create_index(
        'ix_web_session_site_lower_cid',
        'web_session',
        ['site_id', sa.text('lower(correlation_id)')],
        unique=False,
    )
