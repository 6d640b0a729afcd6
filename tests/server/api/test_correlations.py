"""POST /integrations/external/correlations: link once, idempotently, announce once."""

import threading

import pytest
import sqlalchemy as sa
from api_support import bearer, events, other_site, seed, stored
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import profile_name
from widget_server.db import db
from widget_server.models import WebSession, utcnow

URL = "/integrations/external/correlations"


@pytest.fixture
def plugin(site, make_key):
    return bearer(make_key(site, "correlations:write"))


def link(client, headers, reference, message_id="wamid.A", **extra):
    body = {"correlation_id": reference, "whatsapp_id": "15557654321", "message_id": message_id}
    return client.post(URL, json=body | extra, headers=headers)


def test_links_the_session_and_announces_it_once(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    response = link(client, plugin, reference, profile_name="Ana")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["message"]) == (200, "ok")
    row = body["data"]
    assert row["correlation_id"] == reference
    assert row["correlated_at"].endswith("Z")
    assert row["parsed_params"] == {"utm_source": "news", "utm_campaign": "c0"}
    saved = stored(app, reference)
    assert (saved["whatsapp_id"], saved["message_id"], saved["profile_name"]) == (
        "15557654321",
        "wamid.A",
        "Ana",
    )
    [(kind, data)] = events(app)
    assert kind == "conversation.correlated"
    assert data == row | {
        "whatsapp_id": "15557654321",
        "whatsapp_phone": None,
        "profile_name": "Ana",
        "message_id": "wamid.A",
        "consent": "unknown",
        "browser_ids": {},
    }


def test_the_same_message_again_gets_the_same_answer_and_no_second_event(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    first = link(client, plugin, reference).get_json()
    again = link(client, plugin, reference)
    assert again.status_code == 200
    assert again.get_json() == first
    assert len(events(app)) == 1


def test_a_later_message_leaves_the_first_link(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    first = link(client, plugin, reference, profile_name="Ana").get_json()
    later = link(client, plugin, reference, message_id="wamid.B", profile_name="Bob")
    assert later.status_code == 200
    assert later.get_json() == first
    saved = stored(app, reference)
    assert (saved["message_id"], saved["profile_name"]) == ("wamid.A", "Ana")
    assert len(events(app)) == 1


def test_a_retyped_id_in_another_case_is_accepted(app, client, site, plugin):
    reference = seed(app, site, 1, start=utcnow(), correlation_id="O-aB3dE9z")[0]
    response = link(client, plugin, "o-ab3de9Z")
    assert response.status_code == 200
    assert response.get_json()["data"]["correlation_id"] == reference
    assert stored(app, reference)["correlated_at"] is not None


def test_an_id_matching_two_sessions_only_in_case_is_404(app, client, site, plugin):
    seed(app, site, 1, start=utcnow(), correlation_id="O-abcdefg")
    seed(app, site, 1, start=utcnow(), correlation_id="O-ABCDEFG")
    response = link(client, plugin, "O-AbCdEfG")
    assert response.status_code == 404
    assert response.get_json() == {
        "status": 404,
        "message": "correlation_id O-AbCdEfG matches several sessions in another case",
        "data": None,
    }
    assert link(client, plugin, "O-abcdefg").status_code == 200
    assert stored(app, "O-ABCDEFG")["correlated_at"] is None
    assert len(events(app)) == 1


def test_unknown_and_other_sites_ids_are_404(app, client, site, plugin):
    theirs = seed(app, other_site(app), 1)[0]
    for reference in ("O-zzzzzzz", theirs):
        response = link(client, plugin, reference)
        assert response.status_code == 404
        message = f"no attribution row with correlation_id {reference}"
        assert response.get_json()["message"] == message
    assert stored(app, theirs)["correlated_at"] is None
    assert events(app) == []


def test_simultaneous_posts_announce_the_conversation_once(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    start = threading.Barrier(6)
    answers = []

    def post(n):
        start.wait()
        answers.append(link(app.test_client(), plugin, reference, message_id=f"wamid.{n}"))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [200] * 6
    assert len({a.get_data() for a in answers}) == 1
    [(_, data)] = events(app)
    assert data["message_id"] == stored(app, reference)["message_id"]


def test_a_username_user_is_linked_by_business_scoped_user_id(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    response = link(client, plugin, reference, whatsapp_id="US.13491208655302741918")
    assert response.status_code == 200
    assert set(response.get_json()["data"]) == set(seed_row_keys())
    saved = stored(app, reference)
    assert (saved["whatsapp_id"], saved["whatsapp_phone"]) == ("US.13491208655302741918", None)
    [(_, data)] = events(app)
    assert (data["whatsapp_id"], data["whatsapp_phone"]) == ("US.13491208655302741918", None)


def test_the_user_id_and_the_phone_travel_as_two_fields(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    parent = "US.ENT.11815799212886844830"
    response = link(client, plugin, reference, whatsapp_id=parent, whatsapp_phone="16315551111")
    assert response.status_code == 200
    [(_, data)] = events(app)
    assert (data["whatsapp_id"], data["whatsapp_phone"]) == (parent, "16315551111")


def test_a_bsuid_of_128_characters_fits(app, client, site, plugin):
    reference = seed(app, site, 1)[0]
    longest = "BR.ENT." + "a1" * 64
    assert link(client, plugin, reference, whatsapp_id=longest).status_code == 200
    assert stored(app, reference)["whatsapp_id"] == longest


def seed_row_keys():
    """Return the keys of a row exactly as the seed API shows it."""
    return (
        "correlation_id",
        "device_id",
        "created_at",
        "correlated_at",
        "click_url",
        "parsed_params",
        "ip_address",
        "user_agent",
        "lead_type",
    )


SHAPE = "correlation_id must be O- followed by 7 letters or digits"
FIELDS = "correlation_id, message_id, profile_name, whatsapp_id, whatsapp_phone"
ID_SHAPE = "whatsapp_id must be 1 to 32 digits or a business-scoped user id such as " + (
    "US.13491208655302741918"
)
BASE = {"correlation_id": "O-aB3dE9z", "whatsapp_id": "15557654321", "message_id": "wamid.A"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**BASE, "correlation_id": None}, "correlation_id is required"),
        (
            {**BASE, "correlation_id": "O-aB3"},
            "correlation_id must be O- followed by 7 letters or digits",
        ),
        (
            {**BASE, "correlation_id": "X-aB3dE9z"},
            "correlation_id must be O- followed by 7 letters or digits",
        ),
        ({**BASE, "correlation_id": 7}, "correlation_id must be a string"),
        ({**BASE, "whatsapp_id": "+15557654321"}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "12 34"}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "1" * 33}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "us.1349120865"}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "US."}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "US.1-2"}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "US." + "1" * 129}, ID_SHAPE),
        ({**BASE, "whatsapp_id": "US." + "1" * 133}, "whatsapp_id must be at most 135 characters"),
        ({**BASE, "whatsapp_phone": "+1555"}, "whatsapp_phone must be 1 to 32 digits"),
        ({**BASE, "whatsapp_phone": 1555}, "whatsapp_phone must be a string"),
        ({**BASE, "whatsapp_phone": "  "}, "whatsapp_phone must not be empty"),
        ({**BASE, "whatsapp_id": 15557654321}, "whatsapp_id must be a string"),
        ({k: v for k, v in BASE.items() if k != "message_id"}, "message_id is required"),
        ({**BASE, "message_id": "m" * 201}, "message_id must be at most 200 characters"),
        ({**BASE, "message_id": " \t\r\n"}, "message_id must not be empty"),
        ({**BASE, "profile_name": ["Ana"]}, "profile_name must be a string"),
        ({**BASE, "profile_name": "A" * 201}, "profile_name must be at most 200 characters"),
        (
            {**BASE, "lead": "x"},
            f"unknown field 'lead'; allowed fields: {FIELDS}",
        ),
    ],
)
def test_bad_bodies_are_400_and_write_nothing(app, client, site, plugin, body, message):
    seed(app, site, 1, correlation_id="O-aB3dE9z")
    response = client.post(URL, json=body, headers=plugin)
    assert response.status_code == 400
    assert response.get_json() == {"status": 400, "message": message, "data": None}
    assert stored(app, "O-aB3dE9z")["correlated_at"] is None
    assert events(app) == []


def test_only_ascii_white_space_is_blank_as_the_document_says(app, client, site, plugin):
    (reference,) = seed(app, site, 1)
    response = link(client, plugin, reference, message_id="\u0085")
    assert response.status_code == 200
    assert stored(app, reference)["correlated_at"] is not None


def test_non_json_and_oversized_bodies(client, site, plugin):
    response = client.post(URL, data="correlation_id=O-aB3dE9z", headers=plugin)
    assert (response.status_code, response.get_json()["message"]) == (
        415,
        "Content-Type must be application/json",
    )
    response = client.post(URL, json={**BASE, "profile_name": "x" * 10_000}, headers=plugin)
    assert response.status_code == 413
    assert response.get_json()["status"] == 413


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=220))
def test_the_server_takes_every_profile_name_the_plugin_would_send(app, client, site, plugin, name):
    app.config["CORRELATION_LIMIT_WHATSAPP"] = "100000 per minute"  # 300 posts of one sender
    (reference,) = (
        seed(app, site, 1, correlation_id="O-nAmEs00") if not _seeded(app) else ("O-nAmEs00",)
    )
    response = link(client, plugin, reference, profile_name=name)
    if profile_name.clean(name) == name:
        assert response.status_code == 200, response.get_json()
    elif profile_name.clean(name) is None:
        assert response.status_code == 400
    sent = profile_name.clean(name)
    if sent is not None:
        assert link(client, plugin, reference, profile_name=sent).status_code == 200


def _seeded(app):
    """Tell whether the names test already seeded its session in this app."""
    with app.app_context():
        return (
            db.session.execute(
                sa.select(WebSession).filter_by(correlation_id="O-nAmEs00")
            ).scalar_one_or_none()
            is not None
        )
