"""Helpers of the privacy tests: a dump of the whole database, and a click from an address."""

import sqlalchemy as sa
from clicks_support import BROWSER

from widget_server.db import db


def dump(app) -> str:
    """Return every row of every table as text: SQLite's iterdump, PostgreSQL's row::text."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            raw = db.engine.raw_connection()
            try:
                return "\n".join(raw.driver_connection.iterdump())
            finally:
                raw.close()
        lines = []
        with db.engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                quoted = connection.dialect.identifier_preparer.quote(table)
                rows = connection.execute(sa.text(f"SELECT t::text FROM {quoted} AS t")).scalars()
                lines += [f"{table}: {row}" for row in rows]
        return "\n".join(lines)


def click_from(client, site, address, **params):
    """Click the widget's link as a visitor at address."""
    return client.get(
        f"/c/{site}",
        query_string=params,
        headers={"User-Agent": BROWSER, "Accept": "application/json"},
        environ_base={"REMOTE_ADDR": address},
    )
