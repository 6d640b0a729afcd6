"""The click link never blocks a visitor: junk is dropped, crawlers and proxies handled."""

from urllib.parse import quote

import pytest
import sqlalchemy as sa
from clicks_support import BROWSER, PAGE, click, events, reference, sessions

import correlation_id
from widget_server.db import db
from widget_server.models import WebSession

JUNK_URLS = {
    "javascript": "javascript:alert(document.cookie)",
    "data": "data:text/html,<script>alert(1)</script>",
    "relative": "/p?utm_source=google",
    "no host": "https:///p",
    "control chars": "https://shop.example/p\r\nSet-Cookie: a=b",
    "nul": "https://shop.example/\x00",
    "bad port": "https://shop.example:99999999/",
    "bracket": "http://[::1/",
}


@pytest.mark.parametrize("junk", JUNK_URLS.values(), ids=JUNK_URLS.keys())
def test_junk_url_and_ref_are_dropped_and_the_visitor_still_goes(app, client, site, junk):
    response = click(client, site, device_id="d1", url=junk, ref=junk)
    assert response.status_code == 302
    assert correlation_id.is_valid(reference(response))
    [row] = sessions(app)
    assert (row.click_url, row.referrer, row.parsed_params) == (None, None, {})
    assert row.device_id == "d1"


@pytest.mark.parametrize("junk", ["x" * 129, "has space", "tab\there", "ünïcode", "", "new\nline"])
def test_junk_device_id_is_dropped(app, client, site, junk):
    response = click(client, site, device_id=junk, url="https://shop.example/")
    assert response.status_code == 302
    [row] = sessions(app)
    assert row.device_id is None
    assert row.click_url == "https://shop.example/"


def test_longest_device_id_is_kept(app, client, site):
    click(client, site, device_id="d" * 128)
    assert sessions(app)[0].device_id == "d" * 128


def test_non_utf8_query_is_dropped(app, client, site):
    response = client.get(
        f"/c/{site}?device_id=%FF%FE&url=https%3A%2F%2Fshop.example%2F%FF&ref=%C3%28",
        headers={"User-Agent": BROWSER},
    )
    assert response.status_code == 302
    [row] = sessions(app)
    assert (row.device_id, row.click_url, row.referrer) == (None, None, None)


def test_junk_inside_the_page_url_keeps_only_clean_params(app, client, site):
    page = (
        "https://shop.example/p?utm_source=ok&utm_medium=%FF&utm_term=a%0Ab&utm_content="
        f"&utm_campaign={'y' * 600}&UTM_Id=42&gclid=abc&ScCid=sn1&foo=bar&utm_=x"
    )
    click(client, site, url=page)
    assert sessions(app)[0].parsed_params == {
        "utm_source": "ok",
        "utm_id": "42",
        "gclid": "abc",
        "ScCid": "sn1",
    }


def test_junk_user_agent_is_dropped_and_long_one_cut(app, client, site):
    click(client, site, headers={"User-Agent": "a\x01b"})
    click(client, site, headers={"User-Agent": "M" * 5000})
    assert [row.user_agent for row in sessions(app)] == [None, "M" * 512]


def test_huge_query_still_redirects(app, client, site):
    response = client.get(
        f"/c/{site}?device_id=d1&url={quote('https://x.example/?' + 'a=b&' * 2000)}&junk=1"
    )
    assert response.status_code == 302
    assert sessions(app)[0].click_url == "https://x.example/"


def test_an_over_long_page_url_keeps_its_campaign_and_is_stored_trimmed(app, client, site):
    page = "https://shop.example/p?utm_source=ads&q=" + "x" * 3000 + "&gclid=G1#top"
    ref = "https://search.example/?q=" + "y" * 3000
    click(client, site, url=page, ref=ref)
    [row] = sessions(app)
    assert row.parsed_params == {"utm_source": "ads", "gclid": "G1"}
    assert row.click_url == "https://shop.example/p?utm_source=ads&gclid=G1"
    assert row.referrer == "https://search.example/"


def test_personal_data_and_the_fragment_never_reach_the_row_or_the_webhook(app, client, site):
    page = "https://shop.example/p?email=a%40b.example&utm_source=x#frag"
    ref = "https://shop.example/login?E-Mail=a%40b&reset_token=r&session_id=s&accessToken=t&page=2"
    click(client, site, url=page, ref=ref)
    [row] = sessions(app)
    assert row.click_url == "https://shop.example/p?utm_source=x"
    assert row.referrer == "https://shop.example/login?page=2"
    [event] = events(app)
    assert event.data["click_url"] == "https://shop.example/p?utm_source=x"
    assert event.data["referrer"] == "https://shop.example/login?page=2"


def test_the_widgets_consent_and_browser_ids_are_accepted(app, client, site):
    response = click(client, site, url=PAGE, consent="granted", fbp="fb.1.2.3", ga="GA1.1.2.3")
    assert response.status_code == 302
    assert sessions(app)[0].parsed_params == {"utm_source": "google", "utm_campaign": "spring"}


def test_a_preflight_allows_any_asked_for_headers_and_no_credentials(client, site):
    response = client.options(
        f"/c/{site}",
        headers={
            "Origin": "https://shop.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept, sentry-trace, traceparent",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert response.headers["Access-Control-Allow-Headers"] == "accept, sentry-trace, traceparent"
    assert "Access-Control-Allow-Credentials" not in response.headers


CRAWLERS = [
    "WhatsApp/2.23.20.0 A",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
]


@pytest.mark.parametrize("agent", CRAWLERS)
def test_crawlers_get_a_plain_link_and_no_session(app, client, site, agent):
    response = click(client, site, headers={"User-Agent": agent}, device_id="d1")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://wa.me/15551234567"
    assert sessions(app) == [] and events(app) == []


def test_crawler_json_has_no_reference(app, client, site):
    response = click(
        client, site, headers={"User-Agent": CRAWLERS[0], "Accept": "application/json"}
    )
    assert response.json == {"correlation_id": None, "whatsapp_url": "https://wa.me/15551234567"}
    assert sessions(app) == []


@pytest.mark.parametrize("key", ["s_%00nul", "s_" + "k" * 40, "s_%FF", "s_%E2%80%8B"])
def test_implausible_site_keys_are_404(app, client, site, key):
    response = client.get(f"/c/{key}", headers={"User-Agent": BROWSER})
    assert response.status_code == 404
    assert response.json["message"] == "unknown site"


def test_crawler_on_unknown_site_is_404(client, site):
    assert click(client, "s_nope", headers={"User-Agent": CRAWLERS[0]}).status_code == 404


@pytest.mark.parametrize("header", [{"Sec-Purpose": "prefetch"}, {"Purpose": "prefetch"}])
def test_prefetch_creates_no_session(app, client, site, header):
    assert click(client, site, headers=header).headers["Location"] == "https://wa.me/15551234567"
    assert sessions(app) == []


def test_head_creates_no_session(app, client, site):
    assert client.head(f"/c/{site}", headers={"User-Agent": BROWSER}).status_code == 302
    assert sessions(app) == []


def ip_of(app, client, site, proxies, forwarded_for, remote="10.0.0.9"):
    """Click through proxies and return the stored IP address."""
    app.config["TRUSTED_PROXIES"] = proxies
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    client.get(f"/c/{site}", headers=headers, environ_base={"REMOTE_ADDR": remote})
    with app.app_context():
        row = db.session.execute(sa.select(WebSession).order_by(WebSession.id.desc())).scalar()
        return row.ip_address


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.9"),  # no proxy trusted: the header is the client's lie
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a spoofed hop left of the proxy's
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.8", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than proxies: not trustworthy
        (1, "not-an-ip", "10.0.0.9"),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "fe80::1%" + "e" * 40, "10.0.0.9"),  # a zone id too long to store
        (1, "fe80::1%eth0", "fe80::1%eth0"),
        (1, None, "10.0.0.9"),
    ],
)
def test_trusted_proxies(app, client, site, proxies, forwarded_for, expected):
    assert ip_of(app, client, site, proxies, forwarded_for) == expected


FBP = "fb.1.1700000000000.123456789"
GA = "GA1.1.1234567890.1700000000"


@pytest.mark.parametrize(
    ("consent", "stored"),
    [("granted", "granted"), ("denied", "denied"), ("unknown", "unknown"), ("yes", "unknown"),
     ("", "unknown"), ("GRANTED", "unknown")],
)  # fmt: skip
def test_consent_is_granted_denied_or_unknown(app, client, site, consent, stored):
    assert click(client, site, consent=consent, fbp=FBP).status_code == 302
    [row] = sessions(app)
    assert row.consent == stored
    assert row.fbp == (None if stored == "denied" else FBP)


@pytest.mark.parametrize("junk", ["x" * 256, "has space", "ünïcode", "tab\there", ""])
def test_junk_browser_ids_are_dropped_and_the_visitor_still_goes(app, client, site, junk):
    response = click(client, site, consent="granted", fbp=junk, fbc=junk, ga=GA)
    assert response.status_code == 302
    [row] = sessions(app)
    assert (row.fbp, row.fbc, row.ga) == (None, None, GA)


def test_browser_ids_go_to_the_webhook_and_a_later_denial_forgets_them(app, client, site):
    click(client, site, device_id="d1", consent="granted", fbp=FBP, ga=GA)
    click(client, site, device_id="d1", consent="granted")
    [row] = sessions(app)
    assert (row.fbp, row.ga) == (FBP, GA)  # a click without them keeps those known
    click(client, site, device_id="d1", consent="denied", fbp=FBP)
    [row] = sessions(app)
    assert (row.consent, row.fbp, row.fbc, row.ga) == ("denied", None, None, None)
    sent = [event.data for event in events(app)]
    assert sent[0]["consent"] == "granted" and sent[0]["browser_ids"] == {"fbp": FBP, "ga": GA}
    assert sent[2]["consent"] == "denied" and sent[2]["browser_ids"] == {}
    assert "fbp" not in row.to_row() and "consent" not in row.to_row()
