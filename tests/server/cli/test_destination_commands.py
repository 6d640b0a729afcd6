"""`flask destinations ...`: add, list, test, disable, enable and remove from the command line."""

import json

import pytest
import sqlalchemy as sa
from cli_support import json_of
from conversions_support import Standin, authorized_user

from examples.ads_standin import DEFAULTS
from widget_server.conversions.conversion_tables import ConversionDelivery, Destination
from widget_server.db import db

META = ["--dataset-id", "1234567890", "--access-token", DEFAULTS["META_ACCESS_TOKEN"]]
GA4 = ["--measurement-id", "G-STANDIN01", "--api-secret", DEFAULTS["GA4_API_SECRET"]]


@pytest.fixture
def standin():
    standin = Standin()
    yield standin
    standin.stop()


@pytest.fixture
def cli(run):
    return lambda *args: run("destinations", *args)


def add(cli, site, kind, *options):
    return json_of(cli("add", "--site", site, "--kind", kind, *options, "--json"))


def test_add_prints_the_id_and_no_secret_and_list_shows_the_status(cli, site, standin):
    added = add(cli, site, "meta_web", *META, "--api-base", standin.url)
    assert isinstance(added["destination_id"], int)
    assert added["options"]["events"] == {
        "correlated": "Lead",
        "qualified": "QualifiedLead",
        "won": "Purchase",
    }
    assert added["status"] == "new"
    listed = cli("list", "--json")
    assert DEFAULTS["META_ACCESS_TOKEN"] not in listed.output + json.dumps(added)
    [row] = json.loads(listed.output)
    assert (row["id"], row["kind"], row["status"]) == (added["destination_id"], "meta_web", "new")
    assert "last success: never" in cli("list").output


def test_every_kind_defaults_to_the_real_platform(cli, site):
    added = add(cli, site, "ga4", *GA4)
    assert added["options"]["api_base"] == "https://www.google-analytics.com"
    meta = add(cli, site, "meta_messaging", *META, "--waba-id", "200000000000002")
    assert meta["options"]["api_base"] == "https://graph.facebook.com"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--kind", "meta_web", "--dataset-id", "123"], "meta_web needs --access-token"),
        (["--kind", "ga4", "--measurement-id", "UA-1", "--api-secret", "s"],
         "--measurement-id must be G- and letters or digits"),
        (["--kind", "meta_messaging", *META, "--waba-id", "2", "--event", "correlated=Lead"],
         "Meta refuses 'Lead' for business messaging"),
        (["--kind", "ga4", *GA4, "--event", "won"], "must be LEAD_TYPE=EVENT_NAME"),
        (["--kind", "google_ads", "--customer-id", "123-456-7890", "--conversion-action-id", "9",
          "--credentials-file", "/nonexistent.json"], "--credentials-file: [Errno 2]"),
        (["--kind", "ga4", *GA4, "--api-base", "ftp://example.com"], "--api-base"),
    ],
)  # fmt: skip
def test_bad_options_get_a_one_line_error_and_store_nothing(app, cli, site, options, message):
    result = cli("add", "--site", site, *options)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    with app.app_context():
        assert db.session.scalars(sa.select(Destination)).all() == []


def test_a_mapping_adds_and_drops_lead_types(cli, site):
    added = add(cli, site, "ga4", *GA4, "--event", "booked=schedule", "--event", "qualified=")
    assert added["options"]["events"] == {
        "correlated": "generate_lead",
        "won": "purchase",
        "booked": "schedule",
    }


def test_test_sends_a_sample_in_test_mode_and_records_the_verdict(
    app, cli, site, standin, tmp_path
):
    analytics = add(cli, site, "ga4", *GA4, "--api-base", standin.url)["destination_id"]
    result = cli("test", str(analytics))
    assert result.exit_code == 0, result.output
    assert "accepted the test" in result.output
    credentials = tmp_path / "key.json"
    credentials.write_text(json.dumps(authorized_user(standin.url)))
    google = add(cli, site, "google_ads", "--customer-id", "123-456-7890",
                 "--conversion-action-id", "987654321", "--credentials-file", str(credentials),
                 "--api-base", standin.url)["destination_id"]  # fmt: skip
    assert cli("test", str(google)).exit_code == 0
    [validated] = standin.received("google_validate")
    assert validated["body"]["validateOnly"] is True
    meta = add(cli, site, "meta_web", *META, "--api-base", standin.url)["destination_id"]
    refused = cli("test", str(meta))
    assert refused.exit_code == 2 and "--test-event-code" in refused.output
    assert cli("test", str(meta), "--test-event-code", "TEST123").exit_code == 0
    assert standin.received("meta")[0]["test_event_code"] == "TEST123"
    # Tests never count as conversions.
    assert standin.received("ga4") == standin.received("google") == []
    statuses = {row["id"]: row["status"] for row in json.loads(cli("list", "--json").output)}
    assert statuses == {analytics: "ok", google: "ok", meta: "ok"}


def test_a_failing_test_marks_the_destination_failing(cli, site, standin):
    bad = add(cli, site, "ga4", "--measurement-id", "G-STANDIN01", "--api-secret", "wrong",
              "--api-base", standin.url)["destination_id"]  # fmt: skip
    result = cli("test", str(bad))
    assert result.exit_code == 2 and "api_secret" in result.output
    [row] = json.loads(cli("list", "--json").output)
    assert row["status"] == "failing" and "api_secret" in row["last_error"]


def test_disable_parks_enable_resumes_and_remove_deletes(app, cli, site, standin):
    from conversions_support import CLICK

    from widget_server.models import Site
    from widget_server.webhooks import enqueue

    destination = add(cli, site, "ga4", *GA4, "--api-base", standin.url)["destination_id"]
    with app.app_context():
        site_id = db.session.scalar(sa.select(Site.id).where(Site.key == site))
        enqueue(site_id, "conversation.correlated", CLICK)
        db.session.commit()
    assert cli("disable", str(destination)).exit_code == 0
    assert json.loads(cli("list", "--json").output)[0]["status"] == "disabled"
    [row] = json.loads(cli("conversions", "--json").output)
    assert row["state"] == "disabled"
    assert "1 conversions resumed" in cli("enable", str(destination)).output
    assert json.loads(cli("conversions", "--json").output)[0]["state"] == "pending"
    assert cli("remove", str(destination)).exit_code == 0
    with app.app_context():
        assert db.session.scalars(sa.select(ConversionDelivery)).all() == []
    missing = cli("remove", str(destination))
    assert missing.exit_code == 2 and f"no destination with id {destination}" in missing.output
