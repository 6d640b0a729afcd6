"""`flask sessions conflicts`: the WhatsApp senders refused a session someone else had linked."""

from datetime import timedelta

import pytest
from api_support import START, bearer, other_site, seed
from cli_support import json_of
from sessions_support import add_conflict

OWNER, THIEF = "15557654321", "15550000001"
URL = "/integrations/external/correlations"


def send(client, plugin, reference, whatsapp_id, message_id):
    body = {"correlation_id": reference, "whatsapp_id": whatsapp_id, "message_id": message_id}
    return client.post(URL, json=body, headers=plugin).status_code


@pytest.fixture
def plugin(site, make_key):
    return bearer(make_key(site, "correlations:write"))


def test_a_refused_sender_is_listed_with_the_session_when_and_message(
    app, client, run, site, plugin
):
    [reference] = seed(app, site, 1)
    assert send(client, plugin, reference, OWNER, "wamid.A") == 200
    assert send(client, plugin, reference, THIEF, "wamid.X") == 409
    [row] = json_of(run("sessions", "conflicts", "--site", site, "--json"))
    assert row["created_at"].endswith("Z")
    assert row | {"created_at": None} == {
        "correlation_id": reference,
        "whatsapp_id": THIEF,
        "message_id": "wamid.X",
        "created_at": None,
    }
    text = run("sessions", "conflicts", "--site", site)
    assert text.exit_code == 0
    assert text.output == f"{row['created_at']}\t{reference}\t{THIEF}\twamid.X\n"


def test_the_owners_own_repeats_are_no_conflict(app, client, run, site, plugin):
    [reference] = seed(app, site, 1)
    assert send(client, plugin, reference, OWNER, "wamid.A") == 200
    assert send(client, plugin, reference, OWNER, "wamid.B") == 200
    assert run("sessions", "conflicts", "--site", site).output == "no refused senders\n"
    assert json_of(run("sessions", "conflicts", "--site", site, "--json")) == []


def test_what_others_wrote_is_shown_as_escapes_never_run(app, client, run, site, plugin):
    [reference] = seed(app, site, 1)
    assert send(client, plugin, reference, OWNER, "wamid.A") == 200
    assert send(client, plugin, reference, THIEF, "wamid.\x1b]0;pwned\x07\u202e") == 409
    output = run("sessions", "conflicts", "--site", site).output
    assert "\x1b" not in output and "\u202e" not in output
    assert output.endswith("\twamid.\\x1b]0;pwned\\x07\\u202e\n")


def test_since_a_day_or_a_time_of_one_session_newest_first_up_to_a_limit(app, run, site):
    first, second = "O-aaaaaa1", "O-bbbbbb2"
    add_conflict(app, site, first, "15550000001", START - timedelta(minutes=1))
    add_conflict(app, site, second, "15550000002", START)
    add_conflict(app, site, first, "15550000003", START + timedelta(days=1))

    def senders(*args):
        rows = json_of(run("sessions", "conflicts", "--site", site, "--json", *args))
        return [row["whatsapp_id"] for row in rows]

    assert senders() == ["15550000003", "15550000002", "15550000001"]
    assert senders("--since", START.date().isoformat()) == senders()
    assert senders("--since", "2026-03-01T12:00:00Z") == ["15550000003", "15550000002"]
    assert senders("--since", "2026-03-01T13:00:00+01:00") == ["15550000003", "15550000002"]
    assert senders("--since", "2026-03-02") == ["15550000003"]
    assert senders("--correlation-id", first) == ["15550000003", "15550000001"]
    assert senders("--limit", "1") == ["15550000003"]


def test_another_sites_refusals_are_never_listed(app, run, site):
    other = other_site(app)
    add_conflict(app, other, "O-aaaaaa1", "15550000009", START)
    assert json_of(run("sessions", "conflicts", "--site", site, "--json")) == []
    assert len(json_of(run("sessions", "conflicts", "--site", other, "--json"))) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "is neither a day (2026-12-01) nor a time with a zone"),
        (["--since", "2026-03-01T12:00:00"], "is neither a day"),
        (["--since", "0001-01-01T00:00:00+05:00"], "is out of range"),
        (["--correlation-id", "O-1"], "'O-1' is not O- followed by 7 letters or digits"),
        (["--limit", "0"], "0 is not in the range 1<=x<=1000"),
    ],
)
def test_bad_options_exit_2_saying_what_is_wrong(run, site, args, message):
    result = run("sessions", "conflicts", "--site", site, *args)
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message in error


def test_an_unknown_site_exits_2(run):
    result = run("sessions", "conflicts", "--site", "s_nope")
    assert (
        result.exit_code == 2
        and result.output == "Error: no site with key 's_nope' (see `sites list`)\n"
    )
