"""The database handle: SQLite tuned for several writers, and typed helpers over Core."""

import pytest
import sqlalchemy as sa

from widget_server import create_app
from widget_server.db import changed, db, table
from widget_server.models import Site, WebSession


def test_sqlite_connections_run_in_wal_mode_and_wait_for_writers(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/tuned.db"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        db.engine.dispose()


def test_table_gives_a_models_table():
    assert isinstance(table(WebSession), sa.Table)
    assert table(WebSession).name == "web_session"


def test_changed_counts_the_rows_of_an_update(app, site):
    with app.app_context():
        result = db.session.execute(sa.update(Site).values(name="Renamed"))
        assert changed(result) == 1
        with pytest.raises(TypeError):
            changed(db.session.execute(sa.select(Site.id)))
        db.session.rollback()
