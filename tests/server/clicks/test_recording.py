"""The click link: issuing, reusing and handing over correlation IDs."""

from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import sqlalchemy as sa
from clicks_support import BROWSER, PAGE, click, events, reference, sessions

import correlation_id
from widget_server.clicks.recording import whatsapp_url
from widget_server.clicks.site_cache import CachedSite
from widget_server.db import db
from widget_server.models import Site, WebSession, render_message
from widget_server.webhooks.tables import WebhookEvent


def test_click_redirects_to_whatsapp_with_a_fresh_reference(app, client, site):
    response = click(client, site, device_id="d1", url=PAGE)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "wa.me", "/15551234567")
    text = parse_qs(location.query)["text"][0]
    assert text.startswith("Reference: O-")
    assert correlation_id.is_valid(text.split()[1])
    assert response.headers["Cache-Control"] == "no-store"
    [row] = sessions(app)
    assert row.correlation_id == text.split()[1]
    assert row.device_id == "d1"
    assert row.click_url == PAGE
    assert row.parsed_params == {"utm_source": "google", "utm_campaign": "spring"}
    assert row.user_agent == BROWSER
    assert row.ip_address == "127.0.0.1"
    assert row.click_count == 1


def test_widget_style_query_with_a_raw_page_url(app, client, site):
    url = "https://shop.example/p?utm_source=google%26utm_campaign=spring"
    response = client.get(f"/c/{site}?device_id=d1&url={url}", headers={"User-Agent": BROWSER})
    assert response.status_code == 302
    assert correlation_id.is_valid(reference(response))
    [row] = sessions(app)
    assert row.click_url == PAGE
    assert row.parsed_params == {"utm_source": "google", "utm_campaign": "spring"}


def test_message_is_url_encoded_in_the_redirect(client, site):
    location = click(client, site, device_id="d1").headers["Location"]
    assert " " not in location
    assert "?text=Reference%3A%20O-" in location


def test_same_device_reuses_the_id_and_counts_clicks(app, client, site):
    first = reference(click(client, site, device_id="d1", url=PAGE))
    second = reference(click(client, site, device_id="d1", url="https://shop.example/other"))
    assert first == second
    [row] = sessions(app)
    assert row.click_count == 2
    assert row.last_click_at >= row.created_at
    assert row.click_url == PAGE  # the first click's attribution is kept


def test_another_device_gets_another_id(app, client, site):
    assert reference(click(client, site, device_id="d1")) != reference(
        click(client, site, device_id="d2")
    )
    assert len(sessions(app)) == 2


def test_no_device_id_always_gets_a_new_id(app, client, site):
    assert reference(click(client, site)) != reference(click(client, site))
    assert [row.device_id for row in sessions(app)] == [None, None]


def test_same_device_on_another_site_gets_another_id(app, client, site):
    with app.app_context():
        other = Site(key=Site.new_key(), name="Other", whatsapp_number="4915112345678")
        db.session.add(other)
        db.session.commit()
        other_key = other.key
    assert reference(click(client, site, device_id="d1")) != reference(
        click(client, other_key, device_id="d1")
    )


def age_sessions(app, hours: float) -> None:
    """Move every session's first click hours into the past."""
    with app.app_context():
        for row in db.session.execute(sa.select(WebSession)).scalars():
            row.created_at -= timedelta(hours=hours)
            row.last_click_at -= timedelta(hours=hours)
        db.session.commit()


def test_window_runs_from_the_first_click(app, client, site):
    first = reference(click(client, site, device_id="d1"))
    age_sessions(app, 11)
    assert reference(click(client, site, device_id="d1")) == first  # 11 h after the first
    age_sessions(app, 1.01)
    # The last click was only 1 h ago, but the first was over 12 h ago: a new ID.
    renewed = reference(click(client, site, device_id="d1"))
    assert renewed != first
    assert reference(click(client, site, device_id="d1")) == renewed
    assert [row.click_count for row in sessions(app)] == [2, 2]


def test_window_follows_the_sites_reuse_hours(app, client, site):
    with app.app_context():
        db.session.execute(sa.update(Site).values(reuse_hours=1))
        db.session.commit()
    first = reference(click(client, site, device_id="d1"))
    age_sessions(app, 0.9)
    assert reference(click(client, site, device_id="d1")) == first
    age_sessions(app, 0.2)
    assert reference(click(client, site, device_id="d1")) != first


def test_site_settings_shape_the_link(app, client, site):
    with app.app_context():
        db.session.execute(
            sa.update(Site).values(
                whatsapp_base_url="http://127.0.0.1:9/wa/",
                message_template="Hola! Ref {reference} gracias",
            )
        )
        db.session.commit()
    location = urlsplit(click(client, site).headers["Location"])
    assert location.netloc == "127.0.0.1:9"
    assert location.path == "/wa/15551234567"
    text = parse_qs(location.query)["text"][0]
    assert text.startswith("Hola! Ref O-") and text.endswith(" gracias")


def test_unknown_site_is_a_404_envelope(app, client, site):
    response = click(client, "s_nope", device_id="d1")
    assert response.status_code == 404
    assert response.json == {"status": 404, "message": "unknown site", "data": None}
    assert response.headers["Cache-Control"] == "no-store"
    assert sessions(app) == [] and events(app) == []


def test_json_variant(app, client, site):
    response = click(client, site, headers={"Accept": "application/json"}, device_id="d1")
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"correlation_id", "whatsapp_url"}
    assert correlation_id.is_valid(body["correlation_id"])
    assert body["whatsapp_url"].startswith("https://wa.me/15551234567?text=Reference%3A%20O-")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]
    assert reference(click(client, site, device_id="d1")) == body["correlation_id"]


@pytest.mark.parametrize(
    "accept",
    ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", ""],
)
def test_browsers_and_plain_clients_get_the_redirect(client, site, accept):
    assert click(client, site, headers={"Accept": accept}).status_code == 302


def test_click_enqueues_widget_click_in_the_same_commit(app, client, site):
    first = reference(click(client, site, device_id="d1", url=PAGE, ref="https://google.com/"))
    reference(click(client, site, device_id="d1"))
    rows = events(app)
    assert [event.event_type for event in rows] == ["widget.click", "widget.click"]
    data = rows[0].data
    assert {
        key: data[key]
        for key in ("correlation_id", "device_id", "click_url", "parsed_params", "user_agent")
    } == {
        "correlation_id": first,
        "device_id": "d1",
        "click_url": PAGE,
        "parsed_params": {"utm_source": "google", "utm_campaign": "spring"},
        "user_agent": BROWSER,
    }
    assert data["ip_address"] == "127.0.0.1"
    assert data["referrer"] == "https://google.com/"
    assert data["click_count"] == 1
    assert rows[1].data["correlation_id"] == first
    assert rows[1].data["click_count"] == 2
    with app.app_context():
        assert rows[0].site_id == db.session.execute(sa.select(Site.id)).scalar_one()


def assert_plain_whatsapp(response) -> None:
    """The visitor still goes to the site's chat, only without a reference."""
    assert response.status_code == 302
    assert response.headers["Location"] == "https://wa.me/15551234567"


def test_collision_draws_again(app, client, site, monkeypatch):
    taken = reference(click(client, site, device_id="d1"))
    draws = iter([taken, "O-fresh01"])
    monkeypatch.setattr(correlation_id, "new_id", lambda: next(draws))
    assert reference(click(client, site, device_id="d2")) == "O-fresh01"
    assert [row.correlation_id for row in sessions(app)] == [taken, "O-fresh01"]
    assert [event.data["correlation_id"] for event in events(app)] == [taken, "O-fresh01"]


def test_a_failure_after_a_redraw_leaves_no_trace(app, client, site, monkeypatch):
    taken = reference(click(client, site, device_id="d1"))
    draws = iter([taken, "O-fresh01"])
    monkeypatch.setattr(correlation_id, "new_id", lambda: next(draws))

    taken_uid = events(app)[0].uid  # the event insert fails on its unique uid, after the session's
    monkeypatch.setattr(WebhookEvent, "new_uid", staticmethod(lambda: taken_uid))
    assert_plain_whatsapp(click(client, site, device_id="d2"))
    # The redraw did not commit the fresh session ahead of its outbox row.
    assert [row.correlation_id for row in sessions(app)] == [taken]
    assert len(events(app)) == 1


def test_endless_collisions_send_on_without_half_written_rows(app, client, site, monkeypatch):
    taken = reference(click(client, site, device_id="d1"))
    monkeypatch.setattr(correlation_id, "new_id", lambda: taken)
    assert_plain_whatsapp(click(client, site, device_id="d2"))
    assert len(sessions(app)) == 1 and len(events(app)) == 1


@pytest.mark.parametrize("device", ["d1", "d2"], ids=["reused", "new"])
def test_a_failing_outbox_write_leaves_no_trace(app, client, site, monkeypatch, device):
    first = reference(click(client, site, device_id="d1"))

    taken_uid = events(app)[0].uid  # the event insert fails on its unique uid, after the session's
    monkeypatch.setattr(WebhookEvent, "new_uid", staticmethod(lambda: taken_uid))
    assert_plain_whatsapp(click(client, site, device_id=device))
    [row] = sessions(app)
    assert (row.correlation_id, row.click_count) == (first, 1)
    assert len(events(app)) == 1


@pytest.mark.parametrize(
    "template",
    ["Hi! {reference}", "{reference}", "Réf. {reference} — {reference}?&#", "no placeholder"],
)
def test_the_link_text_is_the_template_quoted_whole(template):
    site = CachedSite(1, "s_x", "15551234567", "https://wa.me/", template, 12, "full", "", (), ())
    expected = quote(render_message(template, "O-aB3dE9z"), safe="")
    assert whatsapp_url(site, "O-aB3dE9z") == f"https://wa.me/15551234567?text={expected}"
    assert whatsapp_url(site, None) == "https://wa.me/15551234567"
