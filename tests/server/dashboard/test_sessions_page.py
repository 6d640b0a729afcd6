"""The sessions page: the API's filters and cursor pages; one session with its refused senders
and deliveries."""

import re
from datetime import timedelta

import sqlalchemy as sa
from dashboard_support import Dashboard, add_session, make_site, make_user, utc
from sessions_support import add_conflict

from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import endpoints, enqueue


def references(html: str) -> list[str]:
    return re.findall(r'/sessions/(O-[A-Za-z0-9]{7})"', html)


def test_sessions_come_newest_first_in_pages_of_fifty(app, signed_in, site):
    made = [add_session(app, site, utc(2026, 11, 1) + timedelta(minutes=n)) for n in range(60)]
    first = signed_in.get(f"/dashboard/sites/{site}/sessions")
    assert references(first.text) == made[::-1][:50]
    next_url = re.search(r'href="\?([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = signed_in.get(f"/dashboard/sites/{site}/sessions?{next_url}")
    assert references(second.text) == made[::-1][50:]
    assert 'rel="next"' not in second.text


def test_sessions_filter_by_day_and_conversation(app, signed_in, site):
    early = add_session(app, site, utc(2026, 11, 1, 10))
    linked = add_session(app, site, utc(2026, 11, 2, 10), correlated_at=utc(2026, 11, 2, 11))
    late = add_session(app, site, utc(2026, 11, 3, 10))
    url = f"/dashboard/sites/{site}/sessions"
    assert references(signed_in.get(url + "?since=2026-11-02").text) == [late, linked]
    assert references(signed_in.get(url + "?until=2026-11-02").text) == [early]
    assert references(signed_in.get(url + "?correlated=true").text) == [linked]
    assert references(signed_in.get(url + "?correlated=false").text) == [late, early]


def test_a_bad_filter_or_cursor_is_a_400_with_the_apis_message(signed_in, site):
    url = f"/dashboard/sites/{site}/sessions"
    response = signed_in.get(url + "?since=2026-11-03&until=2026-11-02")
    assert response.status_code == 400 and "since must be earlier than until" in response.text
    response = signed_in.get(url + "?cursor=not-a-cursor-at-all-xxxxxxxxxxx")
    assert response.status_code == 400 and "cursor" in response.text


def test_a_session_shows_its_click_conversation_lead_and_deliveries(app, signed_in, site):
    reference = add_session(
        app, site, utc(2026, 11, 1, 10), click_url="https://shop.example/?utm_source=ads",
        parsed_params={"utm_source": "ads"}, correlated_at=utc(2026, 11, 1, 11),
        whatsapp_id="15550001111", profile_name="Ana", lead_type="qualified",
    )  # fmt: skip
    with app.app_context():
        endpoints.add(site, "http://127.0.0.1:9/hook", [])
        site_id = db.session.scalars(sa.select(Site.id).filter_by(key=site)).one()
        enqueue(site_id, "conversation.correlated", {"correlation_id": reference})
        enqueue(site_id, "widget.click", {"correlation_id": "O-Zzzzzz9"})
        db.session.commit()
    html = signed_in.get(f"/dashboard/sites/{site}/sessions/{reference}").text
    for text in ("https://shop.example/?utm_source=ads", "Ana 15550001111", "qualified",
                 "conversation.correlated", "http://127.0.0.1:9/hook", "Redeliver #"):  # fmt: skip
        assert text in html, text
    assert "widget.click" not in html  # another session's event
    assert signed_in.get(f"/dashboard/sites/{site}/sessions/O-Nothere").status_code == 404
    assert signed_in.get(f"/dashboard/sites/{site}/sessions/nonsense").status_code == 404


def refused_rows(html: str) -> list[tuple[str, str, str]]:
    """The rows of the refused senders' table: (when, WhatsApp id, message id)."""
    table = html.split('aria-label="Refused senders"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>", table)
    return [tuple(cell.strip() for cell in row) for row in cells]


def test_a_session_lists_its_refused_senders_newest_first(app, signed_in, site):
    linked = dict(correlated_at=utc(2026, 11, 1, 11), whatsapp_id="15550001111")
    reference = add_session(app, site, utc(2026, 11, 1, 10), **linked)
    other = add_session(app, site, utc(2026, 11, 1, 10), **linked)
    add_conflict(app, site, reference, "15550002222", utc(2026, 11, 1, 12), "wamid.<b>1</b>")
    add_conflict(app, site, reference, "US.13491208655302741918", utc(2026, 11, 2, 8), "wamid.2")
    add_conflict(app, site, other, "15550003333", utc(2026, 11, 3, 8), "wamid.3")
    html = signed_in.get(f"/dashboard/sites/{site}/sessions/{reference}").text
    assert refused_rows(html) == [
        ("2026-11-02 08:00:00", "US.13491208655302741918", "wamid.2"),
        ("2026-11-01 12:00:00", "15550002222", "wamid.&lt;b&gt;1&lt;/b&gt;"),
    ]
    assert "No other sender has sent this reference." not in html


def test_a_session_without_refused_senders_says_so(app, signed_in, site):
    reference = add_session(app, site, utc(2026, 11, 1, 10))
    html = signed_in.get(f"/dashboard/sites/{site}/sessions/{reference}").text
    assert '<h2 id="refused-title">Refused senders</h2>' in html
    assert refused_rows(html) == []
    assert "No other sender has sent this reference." in html


def test_the_sessions_list_counts_each_sessions_refused_senders(app, signed_in, site):
    quiet = add_session(app, site, utc(2026, 11, 1, 10))
    contested = add_session(app, site, utc(2026, 11, 1, 11))
    for n in range(2):
        add_conflict(app, site, contested, f"1555000000{n}", utc(2026, 11, 1, 12, n))
    html = signed_in.get(f"/dashboard/sites/{site}/sessions").text
    counts = dict(
        re.findall(r'/sessions/(O-\w{7})">.*?<td class="num">(\d+)</td>\s*</tr>', html, re.S)
    )
    assert counts == {contested: "2", quiet: "0"}


def test_refused_senders_never_show_on_another_sites_pages(app, signed_in, site):
    mine = add_session(app, site, utc(2026, 11, 1, 10))
    other = make_site(app, "Site B")
    theirs = add_session(app, other, utc(2026, 11, 1, 10), correlation_id="O-Bbbbbb1")
    add_conflict(app, other, theirs, "15550009999", utc(2026, 11, 1, 12))
    # A row of site B naming site A's reference must stay site B's.
    add_conflict(app, other, mine, "15550008888", utc(2026, 11, 1, 12))
    assert signed_in.get(f"/dashboard/sites/{other}/sessions/{theirs}").status_code == 404
    assert signed_in.get(f"/dashboard/sites/{site}/sessions/{theirs}").status_code == 404
    page = signed_in.get(f"/dashboard/sites/{site}/sessions/{mine}").text
    listing = signed_in.get(f"/dashboard/sites/{site}/sessions").text
    assert refused_rows(page) == []
    assert "1555000" not in page and "1555000" not in listing
    assert '<td class="num">0</td>' in listing
    # Site B's own member sees both of site B's refusals where they belong.
    member_of_b = Dashboard(app.test_client())
    assert member_of_b.login(make_user(app, "b@site-b.example", other)).status_code == 302
    html = member_of_b.get(f"/dashboard/sites/{other}/sessions/{theirs}").text
    assert [sender for _, sender, _ in refused_rows(html)] == ["15550009999"]
