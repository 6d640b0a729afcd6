"""POST /integrations/external/referrals: a username user from an ad is a user like any other."""

import pytest
from api_support import bearer, events

URL = "/integrations/external/referrals"
REFERRAL = {"ctwa_clid": "ARAkLkA8rmlFeiCktEJQ", "source_type": "ad"}


@pytest.fixture
def plugin(site, make_key):
    return bearer(make_key(site, "correlations:write"))


def test_a_username_user_from_an_ad_is_recorded_by_bsuid_with_the_phone_apart(app, client, plugin):
    body = {
        "whatsapp_id": "US.13491208655302741918",
        "message_id": "wamid.ad",
        "referral": REFERRAL,
    }
    assert client.post(URL, json=body, headers=plugin).status_code == 200
    with_phone = {**body, "message_id": "wamid.ad2", "whatsapp_phone": "16315551111"}
    assert client.post(URL, json=with_phone, headers=plugin).status_code == 200
    sent = [(data["whatsapp_id"], data["whatsapp_phone"]) for _, data in events(app)]
    assert sent == [
        ("US.13491208655302741918", None),
        ("US.13491208655302741918", "16315551111"),
    ]


def test_a_malformed_user_id_is_a_400_naming_both_forms(client, plugin):
    body = {"whatsapp_id": "user@example", "message_id": "wamid.ad", "referral": REFERRAL}
    answer = client.post(URL, json=body, headers=plugin)
    assert answer.status_code == 400
    assert answer.get_json()["message"] == (
        "whatsapp_id must be 1 to 32 digits or a business-scoped user id"
        " such as US.13491208655302741918"
    )
