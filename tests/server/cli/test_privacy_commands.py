"""`flask privacy erase|export`: the API's erasure and export, for operators."""

import json

import pytest
from cli_support import json_of
from privacy_support import click_from, dump

DEVICE, ADDRESS = "dev-ana-7f3a", "198.51.100.23"


@pytest.fixture
def reference(client, site):
    return click_from(client, site, ADDRESS, device_id=DEVICE).get_json()["correlation_id"]


def test_export_prints_everything_held_as_json(run, site, reference):
    result = run("privacy", "export", "--site", site, "--device-id", DEVICE)
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    [session] = exported["sessions"]
    assert (session["correlation_id"], session["ip_address"]) == (reference, ADDRESS)
    assert [event["event_type"] for event in exported["webhook_events"]] == ["widget.click"]


def test_erase_removes_the_person_and_says_which_sessions(app, run, site, reference):
    assert json_of(run("privacy", "erase", "--site", site, "--device-id", DEVICE, "--json")) == {
        "erased": [reference]
    }
    assert DEVICE not in dump(app) and ADDRESS not in dump(app)
    again = run("privacy", "erase", "--site", site, "--correlation-id", reference)
    assert again.output.strip() == "Erased 0 sessions."


def test_erase_text_names_the_sessions(run, site, reference):
    result = run("privacy", "erase", "--site", site, "--correlation-id", reference)
    assert result.output.strip() == f"Erased 1 sessions: {reference}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of correlation_id, device_id, whatsapp_id"),
        (["--device-id", "a", "--whatsapp-id", "1"], "give exactly one of"),
        (["--correlation-id", "O-1"], "correlation_id must be O- followed by 7 letters or digits"),
        (["--device-id", "a b"], "device_id must be 1 to 128 visible ASCII characters"),
    ],
)
@pytest.mark.parametrize("command", ["erase", "export"])
def test_bad_requests_exit_2_with_one_line(app, run, site, reference, command, args, message):
    result = run("privacy", command, "--site", site, *args)
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message in error
    assert DEVICE in dump(app)


def test_an_unknown_site_exits_2(run, reference):
    result = run("privacy", "erase", "--site", "s_nope", "--device-id", DEVICE)
    assert result.exit_code == 2 and "no site with key 's_nope'" in result.output
