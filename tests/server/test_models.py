"""The tables' own behaviour: keys hashed, messages rendered, times kept in UTC."""

from datetime import UTC, datetime, timedelta, timezone

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import ApiKey, Site, WebSession, isoformat, render_message


def test_an_api_key_is_kept_as_a_hash_and_matched_in_full():
    site = Site(key=Site.new_key(), name="Shop", whatsapp_number="15551234567")
    key, plaintext = ApiKey.issue(site, ["attribution:read"])
    assert plaintext.startswith(f"wah_{key.prefix}_")
    assert plaintext not in (key.digest, key.prefix)
    assert key.matches(plaintext) and not key.matches(plaintext + "x")
    assert ApiKey.prefix_of(plaintext) == key.prefix
    assert ApiKey.prefix_of("Bearer nonsense") is None
    assert key.allows("attribution:read") and not key.allows("attribution:write")


def test_the_message_carries_the_reference():
    site = Site(message_template="Hi {reference}!")
    assert (
        site.message_for("O-aB3dE9z")
        == "Hi O-aB3dE9z!"
        == render_message("Hi {reference}!", "O-aB3dE9z")
    )


def test_isoformat_is_utc_with_a_z():
    moment = datetime(2026, 3, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert isoformat(moment) == "2026-03-01T12:00:00.123Z"
    assert isoformat(None) is None


def test_times_are_stored_as_utc_and_read_back_aware(app, site):
    local = datetime(2026, 3, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    with app.app_context():
        site_id = db.session.execute(sa.select(Site.id).filter_by(key=site)).scalar_one()
        db.session.add(WebSession(site_id=site_id, correlation_id="O-aB3dE9z", created_at=local))
        db.session.commit()
        db.session.expire_all()
        row = db.session.execute(sa.select(WebSession)).scalar_one()
        assert row.created_at == local and row.created_at.tzinfo is UTC
        assert row.to_row()["created_at"] == "2026-03-01T12:00:00.000Z"


def test_the_database_derives_a_sessions_facets_and_keeps_them_in_step(app, site):
    with app.app_context():
        site_id = db.session.execute(sa.select(Site.id).filter_by(key=site)).scalar_one()
        params = {"utm_source": "news", "gclid": "G1"}
        row = WebSession(site_id=site_id, correlation_id="O-aB3dE9z", parsed_params=params,
                         click_url="https://shop.example/p/1?utm_source=news#top",
                         referrer="https://mail.example:8443/inbox?x=1")  # fmt: skip
        bare = WebSession(site_id=site_id, correlation_id="O-bB3dE9z")
        db.session.add_all([row, bare])
        db.session.commit()
        facets = (WebSession.utm_source, WebSession.utm_medium, WebSession.utm_campaign,
                  WebSession.landing, WebSession.referrer_netloc)  # fmt: skip
        ordered = sa.select(*facets).order_by(WebSession.correlation_id)
        assert db.session.execute(ordered).all() == [
            ("news", "", "", "https://shop.example/p/1", "mail.example:8443"),
            ("", "", "", "", ""),
        ]
        row.parsed_params = {"utm_campaign": "spring"}
        db.session.commit()
        assert db.session.execute(ordered).first()[:3] == ("", "", "spring")
