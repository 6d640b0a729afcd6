"""The click's hand-written SQL writes what the Core paths write, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from webhooks_support import add_endpoint

from widget_server.clicks.click_sql import Found, Outbox, click_writer
from widget_server.db import db
from widget_server.models import Site, WebSession
from widget_server.webhooks import enqueue
from widget_server.webhooks.tables import WebhookDelivery, WebhookEvent

NOW = datetime(2026, 12, 1, 9, 30, 0, 0, tzinfo=UTC)  # no microseconds: the text format shows
DATA = {"correlation_id": "O-aB3dE9z", "parsed_params": {"utm_source": "ü"}, "click_count": 1}


def _site_id(site: str) -> int:
    return db.session.scalar(sa.select(Site.id).where(Site.key == site))


def _row(site_id: int, reference: str, **changes) -> dict:
    row = {
        "site_id": site_id,
        "correlation_id": reference,
        "device_id": "d1",
        "created_at": NOW,
        "last_click_at": NOW,
        "click_count": 1,
        "click_url": "https://shop.example/p?utm_source=%C3%BC",
        "referrer": None,
        "parsed_params": {"utm_source": "ü", "gclid": "x"},
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0",
        "consent": "granted",
        "fbp": "fb.1.1.2",
        "fbc": None,
        "ga": "GA1.1.3.4",
    }
    return {**row, **changes}


def _issue(site_id: int, row: dict, uid: str = "msg_sql") -> bool:
    with click_writer(db.engine) as writer:
        return writer.issue(
            row, Outbox(uid, site_id, {**DATA, "correlation_id": row["correlation_id"]}, NOW)
        )


def _columns(session: WebSession) -> dict:
    return {column: getattr(session, column) for column in _row(0, "")}


def test_a_session_reads_back_as_the_orm_writes_it(app, site):
    with app.app_context():
        site_id = _site_id(site)
        assert _issue(site_id, _row(site_id, "O-sqlRow1"))
        db.session.add(WebSession(**_row(site_id, "O-ormRow1")))
        db.session.commit()
        by_sql, by_orm = db.session.scalars(sa.select(WebSession).order_by(WebSession.id)).all()
        assert {**_columns(by_sql), "correlation_id": None} == {
            **_columns(by_orm),
            "correlation_id": None,
        }
        # The stored time is the same text (SQLite) or value (PostgreSQL), so ranges and order
        # treat both rows alike.
        stored = db.session.execute(sa.text("SELECT created_at FROM web_session")).scalars().all()
        assert stored[0] == stored[1]


def test_the_outbox_rows_equal_those_of_enqueue(app, site):
    every, _ = add_endpoint(app, site, "http://127.0.0.1:9/all")
    clicks, _ = add_endpoint(app, site, "http://127.0.0.1:9/clicks", ["widget.click"])
    add_endpoint(app, site, "http://127.0.0.1:9/chats", ["conversation.correlated"])
    disabled, _ = add_endpoint(app, site, "http://127.0.0.1:9/off")
    with app.app_context():
        db.session.execute(
            sa.text("UPDATE webhook_endpoint SET disabled_at = created_at WHERE id = :id"),
            {"id": disabled},
        )
        db.session.commit()
        site_id = _site_id(site)
        assert _issue(site_id, _row(site_id, "O-aB3dE9z"))
        with db.engine.begin() as connection:
            enqueue(site_id, "widget.click", DATA, connection)
        by_sql, by_core = db.session.scalars(sa.select(WebhookEvent).order_by(WebhookEvent.id))
        assert (by_sql.site_id, by_sql.event_type, by_sql.data) == (
            by_core.site_id,
            by_core.event_type,
            by_core.data,
        )
        # The same JSON text, so a webhook body reads the same whichever path wrote it.
        texts = db.session.execute(sa.text("SELECT data FROM webhook_event ORDER BY id")).all()
        assert str(texts[0][0]) == str(texts[1][0])
        for event in (by_sql, by_core):
            rows = db.session.execute(
                sa.select(
                    WebhookDelivery.endpoint_id,
                    WebhookDelivery.state,
                    WebhookDelivery.attempts,
                    WebhookDelivery.next_attempt_at == WebhookDelivery.created_at,
                )
                .where(WebhookDelivery.event_id == event.id)
                .order_by(WebhookDelivery.endpoint_id)
            ).all()
            assert [tuple(row) for row in rows] == [
                (every, "pending", 0, True),
                (clicks, "pending", 0, True),
            ]


def test_a_taken_reference_writes_nothing(app, site):
    add_endpoint(app, site, "http://127.0.0.1:9/all")
    with app.app_context():
        site_id = _site_id(site)
        assert _issue(site_id, _row(site_id, "O-taken01"), uid="msg_first")
        assert not _issue(site_id, _row(site_id, "O-taken01", device_id="d2"), uid="msg_second")
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebSession)) == 1
        assert db.session.scalars(sa.select(WebhookEvent.uid)).all() == ["msg_first"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 1


def test_counting_keeps_or_forgets_the_browser_ids(app, site):
    with app.app_context():
        site_id = _site_id(site)
        assert _issue(site_id, _row(site_id, "O-count01"))
        session_id = db.session.scalar(sa.select(WebSession.id))
        later = NOW + timedelta(minutes=5)
        kept = {"consent": "granted", "fbp": None, "fbc": "fb.1.1.c", "ga": None}
        with click_writer(db.engine) as writer:
            found = writer.count(site_id, "d1", NOW - timedelta(hours=12), kept, later)
        assert found == Found(session_id, "O-count01", NOW, 2)
        row = db.session.get(WebSession, session_id)
        assert (row.click_count, row.last_click_at, row.fbp, row.fbc, row.ga) == (
            2,
            later,
            "fb.1.1.2",
            "fb.1.1.c",
            "GA1.1.3.4",
        )
        denied = {"consent": "denied", "fbp": "fb.new", "fbc": None, "ga": None}
        with click_writer(db.engine) as writer:
            assert writer.count(site_id, "d1", NOW - timedelta(hours=12), denied, later)
        db.session.refresh(row)
        assert (row.click_count, row.consent, row.fbp, row.fbc, row.ga) == (
            3,
            "denied",
            None,
            None,
            None,
        )


def test_only_the_newest_session_inside_the_window_is_counted(app, site):
    ids = {"consent": "unknown", "fbp": None, "fbc": None, "ga": None}
    with app.app_context():
        site_id = _site_id(site)
        assert _issue(site_id, _row(site_id, "O-older01", created_at=NOW - timedelta(hours=2)))
        assert _issue(site_id, _row(site_id, "O-newer01"), uid="msg_newer")
        with click_writer(db.engine) as writer:
            # The window opens exactly at the newest session's start: it is not inside it.
            assert writer.count(site_id, "d1", NOW, ids, NOW) is None
            assert writer.count(site_id, "d2", NOW - timedelta(days=1), ids, NOW) is None
            found = writer.count(site_id, "d1", NOW - timedelta(seconds=1), ids, NOW)
        assert found.correlation_id == "O-newer01"
        counts = dict(
            db.session.execute(sa.select(WebSession.correlation_id, WebSession.click_count)).all()
        )
        assert counts == {"O-older01": 1, "O-newer01": 2}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEvent)) == 2


def test_a_thread_keeps_its_click_connection_and_gives_back_one_that_failed(app, site):
    with app.app_context():
        pool = db.engine.pool
        with click_writer(db.engine) as writer:
            first = writer.cursor.connection
        with click_writer(db.engine) as writer:
            assert writer.cursor.connection is first  # no checkout from the pool per click
        assert pool.checkedout() == 1
        try:
            with click_writer(db.engine) as writer:
                writer.cursor.execute("SELECT * FROM no_such_table")
        except db.engine.dialect.loaded_dbapi.Error:
            pass
        assert pool.checkedout() == 0  # back to the pool, which would drop a broken one
        with click_writer(db.engine) as writer:
            assert writer.cursor.execute("SELECT 1").fetchone()[0] == 1
        assert pool.checkedout() == 1
