"""References that cannot be stolen cheaply: one sender, a link window, throttled guessing."""

from datetime import timedelta

import sqlalchemy as sa
from api_support import bearer, events, seed, stored

from widget_server.db import db
from widget_server.metrics import CORRELATIONS
from widget_server.models import CorrelationConflict, utcnow

URL = "/integrations/external/correlations"
OWNER, THIEF = "15557654321", "15550000001"


def link(client, headers, reference, whatsapp_id=OWNER, message_id="wamid.A"):
    body = {"correlation_id": reference, "whatsapp_id": whatsapp_id, "message_id": message_id}
    return client.post(URL, json=body, headers=headers)


def counted(outcome: str) -> float:
    return CORRELATIONS.labels(outcome)._value.get()


def conflicts(app):
    with app.app_context():
        return [row.to_dict() for row in db.session.scalars(sa.select(CorrelationConflict))]


def test_a_second_sender_of_a_linked_reference_is_refused_and_recorded(app, client, site, make_key):
    plugin = bearer(make_key(site, "correlations:write"))
    [reference] = seed(app, site, 1)
    assert link(client, plugin, reference).status_code == 200
    before = counted("refused")
    response = link(client, plugin, reference, whatsapp_id=THIEF, message_id="wamid.X")
    assert response.status_code == 409
    assert response.get_json() == {
        "status": 409,
        "message": f"correlation_id {reference} is linked to another WhatsApp sender",
        "data": None,
    }
    assert stored(app, reference)["whatsapp_id"] == OWNER
    assert len(events(app)) == 1
    [conflict] = conflicts(app)
    assert conflict | {"created_at": None} == {
        "correlation_id": reference,
        "whatsapp_id": THIEF,
        "message_id": "wamid.X",
        "created_at": None,
    }
    assert counted("refused") - before == 1
    # The owner's later messages still get their session.
    assert link(client, plugin, reference, message_id="wamid.B").status_code == 200


def test_a_refused_sender_with_the_longest_business_scoped_id_is_kept_in_full(
    app, client, site, make_key
):
    plugin = bearer(make_key(site, "correlations:write"))
    [reference] = seed(app, site, 1)
    assert link(client, plugin, reference).status_code == 200
    longest = "BR.ENT." + "a1" * 64
    assert link(client, plugin, reference, whatsapp_id=longest).status_code == 409
    assert [conflict["whatsapp_id"] for conflict in conflicts(app)] == [longest]


def test_a_reference_older_than_the_link_window_is_not_linked(app, client, site, make_key):
    plugin = bearer(make_key(site, "correlations:write"))
    old = utcnow() - timedelta(hours=169)
    [reference] = seed(app, site, 1, start=old, last_click_at=old)
    response = link(client, plugin, reference)
    assert response.status_code == 404
    assert response.get_json()["message"] == (
        f"correlation_id {reference} expired: no click in the last 168 hours"
    )
    assert stored(app, reference)["correlated_at"] is None
    assert events(app) == []


def test_the_link_window_is_a_setting(app, client, site, make_key):
    app.config["LINK_WINDOW_HOURS"] = 200.0
    plugin = bearer(make_key(site, "correlations:write"))
    old = utcnow() - timedelta(hours=169)
    [reference] = seed(app, site, 1, start=old, last_click_at=old)
    assert link(client, plugin, reference).status_code == 200


def test_another_case_is_accepted_only_within_the_reuse_window(app, client, site, make_key):
    plugin = bearer(make_key(site, "correlations:write"))
    seed(app, site, 1, start=utcnow() - timedelta(hours=13), correlation_id="O-aB3dE9z")
    assert link(client, plugin, "O-AB3DE9Z").status_code == 404
    assert link(client, plugin, "O-aB3dE9z").status_code == 200


def test_attempts_of_one_sender_are_throttled(app, client, site, make_key):
    app.config["CORRELATION_LIMIT_WHATSAPP"] = "3 per minute"
    plugin = bearer(make_key(site, "correlations:write"))
    [reference] = seed(app, site, 1)
    statuses = [link(client, plugin, "O-nothing", whatsapp_id="15551110000").status_code
                for _ in range(3)]  # fmt: skip
    assert statuses == [404, 404, 404]
    response = link(client, plugin, reference, whatsapp_id="15551110000")
    assert response.status_code == 429
    assert stored(app, reference)["correlated_at"] is None
    assert link(client, plugin, reference).status_code == 200  # another sender is not held up


def test_a_key_that_keeps_missing_is_throttled(app, client, site, make_key):
    app.config["CORRELATION_LIMIT_KEY"] = "3 per minute"
    plugin = bearer(make_key(site, "correlations:write"))
    [reference] = seed(app, site, 1)
    # Hits do not use up the key's allowance; misses (guesses) do.
    assert link(client, plugin, reference).status_code == 200
    assert link(client, plugin, reference).status_code == 200
    for n in range(3):
        assert link(client, plugin, "O-guess00", whatsapp_id=f"1555000000{n}").status_code == 404
    before = counted("throttled")
    assert link(client, plugin, reference).status_code == 429
    assert counted("throttled") - before == 1
    other = bearer(make_key(site, "correlations:write"))
    assert link(client, other, reference).status_code == 200
