"""Destinations in the dashboard: status, last success and error, a test, disable and remove."""

import sqlalchemy as sa
from conversions_support import CLICK, Standin, add_destination

from widget_server.conversions.conversion_tables import Destination
from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import enqueue


def test_destinations_show_their_status_and_a_test_records_the_verdict(app, signed_in, site):
    standin = Standin()
    try:
        analytics = add_destination(app, site, "ga4", standin.url)
        meta = add_destination(app, site, "meta_web", standin.url)
        page = signed_in.get(f"/dashboard/sites/{site}/destinations").text
        assert "correlated &rarr; generate_lead" in page and "never" in page
        assert "standin-ga4-secret" not in page and "standin-meta-token" not in page
        tested = signed_in.post(f"/dashboard/sites/{site}/destinations/{analytics}/test")
        assert tested.status_code == 302
        page = signed_in.get(f"/dashboard/sites/{site}/destinations").text
        assert f"Destination {analytics} accepted the test" in page
        signed_in.post(f"/dashboard/sites/{site}/destinations/{meta}/test")
        page = signed_in.get(f"/dashboard/sites/{site}/destinations").text
        assert "--test-event-code" in page
    finally:
        standin.stop()
    with app.app_context():
        assert db.session.get(Destination, analytics).status == "ok"


def test_conversions_are_listed_and_a_destination_disabled_then_removed(app, signed_in, site):
    destination = add_destination(app, site, "ga4", "http://127.0.0.1:9")
    with app.app_context():
        site_id = db.session.scalar(sa.select(Site.id).where(Site.key == site))
        enqueue(site_id, "conversation.correlated", CLICK)
        db.session.commit()
    page = signed_in.get(f"/dashboard/sites/{site}/destinations").text
    assert "correlated &rarr; generate_lead" in page and CLICK["correlation_id"] in page
    signed_in.post(f"/dashboard/sites/{site}/destinations/{destination}/disable")
    assert f"Enable {destination}" in signed_in.get(f"/dashboard/sites/{site}/destinations").text
    signed_in.post(f"/dashboard/sites/{site}/destinations/{destination}/remove")
    with app.app_context():
        assert db.session.get(Destination, destination) is None


def test_another_sites_destination_is_404(app, signed_in, site):
    with app.app_context():
        other = Site(key="s_other", name="Other", whatsapp_number="15557654321")
        db.session.add(other)
        db.session.commit()
    destination = add_destination(app, "s_other", "ga4", "http://127.0.0.1:9")
    response = signed_in.post(f"/dashboard/sites/{site}/destinations/{destination}/remove")
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Destination, destination) is not None
