"""Migrations: an empty database upgraded to head matches the models exactly."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade

from widget_server import create_app
from widget_server.db import db


def drop_everything():
    """Drop every table of the models and alembic's version table."""
    db.metadata.drop_all(db.engine)
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture
def empty_app(database_url):
    """Yield an app, inside its context, on a database without any table."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        drop_everything()
        yield app
        db.session.remove()
        drop_everything()
        db.engine.dispose()


def upgrade(app):
    """Run `flask db upgrade` as an operator would."""
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output + repr(result.exception)


# SQLite cannot reflect expression indexes, so those are compared on PostgreSQL only.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_upgrade_to_head_matches_the_models(empty_app):
    upgrade(empty_app)
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_upgrade_is_idempotent_and_downgrade_empties(empty_app):
    upgrade(empty_app)
    upgrade(empty_app)
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}


def test_models_are_all_migrated(empty_app):
    upgrade(empty_app)
    assert set(db.metadata.tables) <= set(sa.inspect(db.engine).get_table_names())


def test_revisions_form_one_line(empty_app):
    config = empty_app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
