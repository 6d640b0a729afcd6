"""Linking a conversation to its session: once, and announced once."""

import sqlalchemy as sa
from api_support import events, seed

from widget_server.db import db
from widget_server.models import Site, utcnow
from widget_server.sessions.correlation import correlate, event_data


def test_the_first_message_links_and_later_ones_leave_the_link(app, site):
    [reference] = seed(app, site, 1, start=utcnow())
    with app.app_context():
        site_id = db.session.execute(sa.select(Site.id).filter_by(key=site)).scalar_one()
        first = correlate(site_id, reference, "15550001111", "wamid.1", "Ana")
        # The same sender again (another sender is refused: see api/test_correlation_guard.py).
        later = correlate(site_id, reference.lower(), "15550001111", "wamid.2", None)
        assert (later.whatsapp_id, later.message_id) == ("15550001111", "wamid.1")
        assert later.correlated_at == first.correlated_at
        expected = event_data(first)
    assert events(app) == [("conversation.correlated", expected)]
    assert expected["profile_name"] == "Ana" and expected["correlation_id"] == reference
