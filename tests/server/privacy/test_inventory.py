"""The inventory is complete: a new table or session column fails here until classified."""

from widget_server.db import db
from widget_server.models import WebSession
from widget_server.privacy.inventory import IDENTITIES, MENTIONS, SESSION_COLUMNS, TABLES


def test_every_session_column_is_classified():
    columns = {column.name for column in WebSession.__table__.columns}
    assert columns - set(SESSION_COLUMNS) == set(), "classify these in privacy/inventory.py"
    assert set(SESSION_COLUMNS) - columns == set()
    assert set(SESSION_COLUMNS.values()) == {"personal", "bookkeeping"}


def test_every_table_says_what_erasure_does_with_it():
    assert set(db.metadata.tables) - set(TABLES) == set(), "classify these in privacy/inventory.py"
    assert set(TABLES) - set(db.metadata.tables) == set()


def test_identities_and_mentions_are_personal_columns():
    for name in (*IDENTITIES, *MENTIONS):
        assert SESSION_COLUMNS[name] == "personal"
