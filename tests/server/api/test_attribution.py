"""The attribution API: rows, newest first, keyset pages, filters, one row and lead types."""

import threading
from datetime import timedelta

import pytest
from api_support import START, bearer, events, other_site, seed, stored

from widget_server.models import utcnow

LIST = "/integrations/external/attribution"
ROW_KEYS = {
    "correlation_id",
    "device_id",
    "created_at",
    "correlated_at",
    "click_url",
    "parsed_params",
    "ip_address",
    "user_agent",
    "lead_type",
}


@pytest.fixture
def reader(site, make_key):
    return bearer(make_key(site, "attribution:read"))


@pytest.fixture
def writer(site, make_key):
    return bearer(make_key(site, "attribution:read", "attribution:write"))


def walk(client, headers, query):
    """Follow next_cursor from the first page to the last; return the IDs and the page count."""
    seen, pages, url = [], 0, f"{LIST}?{query}"
    while True:
        body = client.get(url, headers=headers).get_json()
        assert body["status"] == 200
        pages += 1
        seen += [row["correlation_id"] for row in body["data"]]
        assert body["has_more"] is (body["next_cursor"] is not None)
        if not body["has_more"]:
            return seen, pages
        url = f"{LIST}?limit={query.split('limit=')[1].split('&')[0]}&cursor={body['next_cursor']}"


def test_list_shows_the_rows_newest_first(app, client, site, reader):
    ids = seed(app, site, 3)
    body = client.get(LIST, headers=reader).get_json()
    assert set(body) == {"status", "message", "data", "has_more", "next_cursor"}
    assert (body["status"], body["message"], body["has_more"], body["next_cursor"]) == (
        200,
        "ok",
        False,
        None,
    )
    assert [row["correlation_id"] for row in body["data"]] == ids[::-1]
    newest = body["data"][0]
    assert set(newest) == ROW_KEYS
    assert newest["parsed_params"] == {"utm_source": "news", "utm_campaign": "c2"}
    assert newest["created_at"] == "2026-03-01T12:02:00.000Z"
    assert newest["correlated_at"] is None
    assert newest["lead_type"] is None
    assert newest["click_url"] == "https://shop.example/p/2?utm_source=news&utm_campaign=c2"


def test_default_page_is_twenty_rows(app, client, site, reader):
    seed(app, site, 21)
    body = client.get(LIST, headers=reader).get_json()
    assert len(body["data"]) == 20
    assert body["has_more"] is True


def test_pages_walk_every_row_exactly_once(app, client, site, reader):
    ids = seed(app, site, 17)
    # Rows created in the same instant are ordered by insertion, newest first, across pages.
    ids += seed(app, site, 6, start=START + timedelta(hours=1), step=timedelta(0))
    seen, pages = walk(client, reader, "limit=5")
    assert seen == ids[::-1]
    assert pages == 5


def test_a_full_last_page_says_no_more(app, client, site, reader):
    seed(app, site, 4)
    body = client.get(f"{LIST}?limit=4", headers=reader).get_json()
    assert (len(body["data"]), body["has_more"], body["next_cursor"]) == (4, False, None)


def test_since_is_inclusive_and_until_exclusive(app, client, site, reader):
    ids = seed(app, site, 10)  # 12:00 .. 12:09
    query = "since=2026-03-01T12:02:00Z&until=2026-03-01T14:07:00%2B02:00"
    body = client.get(f"{LIST}?{query}", headers=reader).get_json()
    assert [row["correlation_id"] for row in body["data"]] == ids[2:7][::-1]


def test_an_unencoded_plus_in_the_offset_is_read_back(app, client, site, reader):
    ids = seed(app, site, 3)
    body = client.get(f"{LIST}?since=2026-03-01T13:01:00+01:00", headers=reader).get_json()
    assert [row["correlation_id"] for row in body["data"]] == ids[1:][::-1]


def test_correlated_filter(app, client, site, reader):
    plain = seed(app, site, 3)
    linked = seed(app, site, 2, start=START + timedelta(hours=2), correlated_at=utcnow())
    got = client.get(f"{LIST}?correlated=true", headers=reader).get_json()["data"]
    assert [row["correlation_id"] for row in got] == linked[::-1]
    assert all(row["correlated_at"] for row in got)
    got = client.get(f"{LIST}?correlated=false", headers=reader).get_json()["data"]
    assert [row["correlation_id"] for row in got] == plain[::-1]


def test_the_cursor_carries_the_filters(app, client, site, reader):
    ids = seed(app, site, 12)
    seed(app, site, 3, start=START + timedelta(hours=3), correlated_at=utcnow())
    seen, pages = walk(client, reader, "limit=4&correlated=false&since=2026-03-01T12:01:00Z")
    assert seen == ids[1:][::-1]
    assert pages == 3


def test_repeating_the_filters_with_the_cursor_is_allowed_changing_them_is_not(
    app, client, site, reader
):
    ids = seed(app, site, 6)
    first = client.get(f"{LIST}?limit=2&correlated=false", headers=reader).get_json()
    again = f"{LIST}?limit=2&correlated=false&cursor={first['next_cursor']}"
    assert [r["correlation_id"] for r in client.get(again, headers=reader).get_json()["data"]] == [
        ids[3],
        ids[2],
    ]
    changed = client.get(f"{LIST}?correlated=true&cursor={first['next_cursor']}", headers=reader)
    assert changed.status_code == 400
    assert changed.get_json()["message"] == (
        "correlated differs from the cursor's; repeat it unchanged or leave it out"
    )


def test_a_cursor_of_another_site_is_refused(app, client, site, reader, make_key):
    other = other_site(app)
    seed(app, other, 3)
    theirs = client.get(f"{LIST}?limit=1", headers=bearer(make_key(other))).get_json()
    response = client.get(f"{LIST}?cursor={theirs['next_cursor']}", headers=reader)
    assert response.status_code == 400
    assert response.get_json() == {
        "status": 400,
        "message": "cursor was altered or issued for another site: start from page one",
        "data": None,
    }


def test_a_tampered_cursor_is_refused(app, client, site, reader):
    seed(app, site, 3)
    cursor = client.get(f"{LIST}?limit=1", headers=reader).get_json()["next_cursor"]
    flipped = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    response = client.get(f"{LIST}?cursor={flipped}", headers=reader)
    assert response.status_code == 400
    assert "altered" in response.get_json()["message"]


MALFORMED = "cursor is malformed: pass next_cursor exactly as the previous page returned it"
ALTERED = "cursor was altered or issued for another site: start from page one"
ALLOWED = "correlated, cursor, limit, since, until"
ZONED = "must be an ISO 8601 time with a zone, e.g. 2024-05-01T00:00:00Z"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be an integer from 1 to 100"),
        ("limit=101", "limit must be an integer from 1 to 100"),
        ("limit=ten", "limit must be an integer from 1 to 100"),
        ("limit=-1", "limit must be an integer from 1 to 100"),
        ("limit=", "limit must be an integer from 1 to 100"),
        ("limit=1&limit=2", "query parameter limit is given more than once"),
        (
            "page=2",
            "unknown query parameter 'page'; allowed: correlated, cursor, limit, since, until",
        ),
        ("since=yesterday", f"since {ZONED}"),
        ("since=2026-03-01T12:00:00", f"since {ZONED}"),
        ("until=2026-13-01T00:00:00Z", f"until {ZONED}"),
        (
            "since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z",
            "since must be earlier than until",
        ),
        ("since=0001-01-01T00:00:00%2B01:00", "since is out of range"),
        ("correlated=yes", "correlated must be true or false"),
        ("cursor=%%%", MALFORMED),
        ("cursor=", MALFORMED),
        ("cursor=abc", MALFORMED),
        (
            "cursor=" + "A" * 40,
            "cursor was altered or issued for another site: start from page one",
        ),
    ],
)
def test_bad_parameters_are_400_with_a_precise_message(client, site, reader, query, message):
    response = client.get(f"{LIST}?{query}", headers=reader)
    assert response.status_code == 400
    assert response.get_json() == {"status": 400, "message": message, "data": None}


def test_one_row(app, client, site, reader):
    ids = seed(app, site, 2)
    body = client.get(f"{LIST}/{ids[0]}", headers=reader).get_json()
    assert body["status"] == 200
    assert body["data"]["correlation_id"] == ids[0]
    assert set(body["data"]) == ROW_KEYS


def test_one_row_accepts_a_retyped_case(app, client, site, reader):
    (reference,) = seed(app, site, 1)
    retyped = reference[:2] + reference[2:].swapcase()
    body = client.get(f"{LIST}/{retyped}", headers=reader).get_json()
    assert body["status"] == 200
    assert body["data"]["correlation_id"] == reference


def test_one_row_unknown_or_malformed(client, site, reader):
    unknown = client.get(f"{LIST}/O-zzzzzzz", headers=reader)
    assert unknown.status_code == 404
    assert unknown.get_json()["message"] == "no attribution row with correlation_id O-zzzzzzz"
    malformed = client.get(f"{LIST}/nope", headers=reader)
    assert malformed.status_code == 400
    assert malformed.get_json() == {
        "status": 400,
        "message": "correlation_id must be O- followed by 7 letters or digits",
        "data": None,
    }


def test_patch_sets_the_lead_type_and_announces_each_change_once(app, client, site, writer):
    ids = seed(app, site, 1)
    url = f"{LIST}/{ids[0]}"
    response = client.patch(url, json={"lead_type": "qualified"}, headers=writer)
    assert response.status_code == 200
    assert response.get_json()["data"]["lead_type"] == "qualified"
    assert client.patch(url, json={"lead_type": "qualified"}, headers=writer).status_code == 200
    cleared = client.patch(url, json={"lead_type": None}, headers=writer).get_json()
    assert cleared["data"]["lead_type"] is None
    sent = events(app, "lead.updated")
    assert [(d["lead_type"], d["previous_lead_type"]) for _, d in sent] == [
        ("qualified", None),
        (None, "qualified"),
    ]
    assert set(sent[0][1]) == ROW_KEYS | {
        "previous_lead_type", "value", "currency", "whatsapp_id", "whatsapp_phone", "profile_name",
        "message_id",
        "consent", "browser_ids",
    }  # fmt: skip
    assert stored(app, ids[0])["lead_type"] is None


def test_simultaneous_identical_patches_announce_the_change_once(app, site, writer):
    reference = seed(app, site, 1)[0]
    start = threading.Barrier(6)
    answers = []

    def patch():
        start.wait()
        client = app.test_client()
        answers.append(
            client.patch(f"{LIST}/{reference}", json={"lead_type": "hot"}, headers=writer)
        )

    threads = [threading.Thread(target=patch) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 6
    [(_, data)] = events(app, "lead.updated")
    assert (data["lead_type"], data["previous_lead_type"]) == ("hot", None)


def test_patch_of_another_sites_row_is_404_and_changes_nothing(app, client, site, writer):
    theirs = seed(app, other_site(app), 1)[0]
    response = client.patch(f"{LIST}/{theirs}", json={"lead_type": "spam"}, headers=writer)
    assert response.status_code == 404
    assert stored(app, theirs)["lead_type"] is None
    assert events(app) == []


@pytest.mark.parametrize(
    ("kwargs", "status", "message"),
    [
        ({"data": "lead_type=x"}, 415, "Content-Type must be application/json"),
        (
            {"data": "{", "content_type": "application/json"},
            400,
            "body is not valid JSON: Expecting property name enclosed in double quotes: "
            "line 1 column 2 (char 1)",
        ),
        ({"json": ["hot"]}, 400, "body must be a JSON object"),
        ({"json": {}}, 400, "lead_type is required (a string, or null to clear it)"),
        ({"json": {"lead_type": 3}}, 400, "lead_type must be a string"),
        ({"json": {"lead_type": " "}}, 400, "lead_type must not be empty"),
        ({"json": {"lead_type": "x" * 65}}, 400, "lead_type must be at most 64 characters"),
        (
            {"json": {"lead_type": "a\x00b"}},
            400,
            "lead_type must be valid Unicode text without NUL characters",
        ),
        (
            {"data": '{"lead_type": "\\ud800"}', "content_type": "application/json"},
            400,
            "lead_type must be valid Unicode text without NUL characters",
        ),
        (
            {"json": {"lead_type": "hot", "owner": "me"}},
            400,
            "unknown field 'owner'; allowed fields: currency, lead_type, value",
        ),
        (
            {"json": {"lead_type": "hot", "pad": "x" * 9000}},
            413,
            "body is larger than 8192 bytes",
        ),
        (
            {"data": "[" * 4000 + "]" * 4000, "content_type": "application/json"},
            400,
            "body is nested too deeply",
        ),
    ],
)
def test_bad_patch_bodies_are_refused_and_write_nothing(
    app, client, site, writer, kwargs, status, message
):
    ids = seed(app, site, 1)
    response = client.patch(f"{LIST}/{ids[0]}", headers=writer, **kwargs)
    assert response.status_code == status
    assert response.get_json() == {"status": status, "message": message, "data": None}
    assert stored(app, ids[0])["lead_type"] is None
    assert events(app) == []
