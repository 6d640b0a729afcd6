"""`flask sites`: create and list sites, for people and for scripts."""

import base64
import hashlib

import pytest
import sqlalchemy as sa
from cli_support import json_of
from clicks_support import click

from widget_server.db import db
from widget_server.models import Site

ATTRIBUTION = "/integrations/external/attribution"


def create_site(run, *extra):
    return run("sites", "create", "--name", "Shop", "--whatsapp-number", "15551234567", *extra)


def test_sites_create_json(app, run):
    site = json_of(create_site(run, "--json", "--reuse-hours", "3", "--message", "Hi {reference}"))
    assert site["site_key"].startswith("s_")
    assert site["reuse_hours"] == 3
    with app.app_context():
        row = db.session.execute(sa.select(Site)).scalar_one()
        assert (row.key, row.name, row.whatsapp_number) == (site["site_key"], "Shop", "15551234567")
        assert (row.message_template, row.reuse_hours) == ("Hi {reference}", 3)
        assert row.whatsapp_base_url == "https://wa.me"


def test_created_site_answers_clicks(run, client):
    site = json_of(create_site(run, "--json", "--whatsapp-base-url", "http://127.0.0.1:8/wa/"))
    location = click(client, site["site_key"]).headers["Location"]
    assert location.startswith("http://127.0.0.1:8/wa/15551234567?text=Reference%3A%20O-")


def test_sites_create_text_and_list(run):
    result = create_site(run)
    assert result.exit_code == 0
    key = result.output.split()[-1]
    assert key.startswith("s_")
    listed = run("sites", "list")
    assert key in listed.output and "+15551234567" in listed.output
    assert [row["site_key"] for row in json_of(run("sites", "list", "--json"))] == [key]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--whatsapp-number", "+15551234567"], "digits only"),
        (["--whatsapp-number", "0155512345"], "digits only"),
        (["--whatsapp-number", "1555 123 4567"], "digits only"),
        (["--whatsapp-number", "1234567890123456"], "digits only"),
        (["--message", "Hello"], "must contain {reference}"),
        (["--message", "{reference}" + "x" * 1000], "at most 1000"),
        (["--reuse-hours", "0"], "0 is not in the range"),
        (["--reuse-hours", "soon"], "'soon' is not a valid integer"),
        (["--whatsapp-base-url", "ftp://wa.me"], "http(s) URL"),
        (["--whatsapp-base-url", "wa.me"], "http(s) URL"),
        (["--whatsapp-base-url", "https://wa.me\r\nSet-Cookie: a=b"], "control characters"),
        (["--whatsapp-base-url", "https://wa.me/\n"], "control characters"),
        (["--whatsapp-base-url", "https://wa.me/ x"], "spaces"),
        (["--name", "  "], "1 to 200 characters"),
    ],
)
def test_sites_create_rejects_bad_input(app, run, args, message):
    base = {"--name": "Shop", "--whatsapp-number": "15551234567"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("sites", "create", *[part for pair in base.items() for part in pair], "--json")
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message in error
    with app.app_context():
        assert db.session.execute(sa.select(Site)).first() is None


def test_sites_embed_prints_the_tag_and_one_pinned_with_integrity(app, run, client):
    site = json_of(create_site(run, "--json"))["site_key"]
    tags = json_of(run("sites", "embed", site, "--server-url", "https://chat.example/", "--json"))
    assert tags["tag"] == (
        f'<script async src="https://chat.example/widget.js" data-site="{site}"></script>'
    )
    pinned = tags["pinned_tag"]
    path = pinned.split('src="https://chat.example')[1].split('"')[0]
    integrity = pinned.split('integrity="')[1].split('"')[0]
    body = client.get(path).data
    assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    assert 'crossorigin="anonymous"' in pinned and f'data-site="{site}"' in pinned


def test_sites_embed_of_an_unknown_site_is_a_one_line_error(run):
    result = run("sites", "embed", "s_nope", "--server-url", "https://chat.example")
    assert result.exit_code == 2
    assert "Error:" in result.output


def test_a_site_name_with_terminal_escapes_is_listed_harmlessly(app, run):
    with app.app_context():
        db.session.add(
            Site(key="s_evil", name="Shop\x1b]0;pwned\x07\x1b[2J", whatsapp_number="1555123")
        )
        db.session.commit()
    listed = run("sites", "list").output
    assert "\x1b" not in listed and "\x07" not in listed
    assert "Shop\\x1b]0;pwned\\x07\\x1b[2J" in listed


def test_privacy_settings_default_to_keeping_everything(run):
    site = json_of(create_site(run, "--json"))
    assert (site["ip_policy"], site["retention_days"], site["private_params"]) == ("full", None, [])


def test_sites_create_takes_the_privacy_settings(app, run):
    site = json_of(
        create_site(
            run,
            "--json",
            "--ip-policy",
            "truncated",
            "--retention-days",
            "30",
            "--private-params",
            "Customer, voucher  ref_code",
        )
    )
    assert site["ip_policy"] == "truncated"
    assert site["retention_days"] == 30
    assert site["private_params"] == ["customer", "voucher", "ref_code"]
    with app.app_context():
        row = db.session.execute(sa.select(Site)).scalar_one()
        assert (row.ip_policy, row.retention_days) == ("truncated", 30)
        assert row.private_params == "customer voucher ref_code"


def test_sites_update_changes_only_what_is_given(app, run):
    key = json_of(create_site(run, "--json", "--retention-days", "30"))["site_key"]
    site = json_of(run("sites", "update", key, "--ip-policy", "none", "--json"))
    assert (site["ip_policy"], site["retention_days"], site["name"]) == ("none", 30, "Shop")
    site = json_of(
        run("sites", "update", key, "--retention-days", "none", "--name", "Shop 2", "--json")
    )
    assert (site["ip_policy"], site["retention_days"], site["name"]) == ("none", None, "Shop 2")
    updated = run("sites", "update", key, "--reuse-hours", "2", "--message", "{reference}!")
    assert updated.output.strip() == f"Updated site 'Shop 2' ({key})."
    assert run("sites", "update", key, "--private-params", "").exit_code == 0
    [listed] = json_of(run("sites", "list", "--json"))
    assert (listed["reuse_hours"], listed["message"], listed["private_params"]) == (
        2,
        "{reference}!",
        [],
    )
    assert "ip none" in run("sites", "list").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ip-policy", "hashed"], "'hashed' is not one of 'full', 'truncated', 'none'"),
        (["--retention-days", "0"], "from 1 to 36500, or none"),
        (["--retention-days", "-1"], "is not a whole number of days, nor none"),
        (["--retention-days", "forever"], "is not a whole number of days, nor none"),
        (["--private-params", "utm_source"], "utm_source is always kept"),
        (["--private-params", "email,GCLID"], "gclid is always kept"),
        (["--private-params", "a=b"], "'a=b' is not a query parameter name"),
        (["--private-params", ",".join(f"p{n}" for n in range(51))], "at most 50 names"),
        (["--whatsapp-number", "+1555"], "digits only"),
        (["--message", "no place"], "must contain {reference}"),
    ],
)
def test_sites_update_rejects_bad_input_and_changes_nothing(app, run, args, message):
    key = json_of(create_site(run, "--json"))["site_key"]
    result = run("sites", "update", key, *args)
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert message in error
    [listed] = json_of(run("sites", "list", "--json"))
    assert (listed["ip_policy"], listed["retention_days"], listed["private_params"]) == (
        "full",
        None,
        [],
    )


def test_sites_update_needs_a_known_site_and_a_change(run):
    key = json_of(create_site(run, "--json"))["site_key"]
    assert "no site with key 's_nope'" in run("sites", "update", "s_nope", "--name", "X").output
    nothing = run("sites", "update", key)
    assert nothing.exit_code == 2 and "nothing to change" in nothing.output


def test_sites_create_rejects_bad_privacy_settings(app, run):
    result = create_site(run, "--retention-days", "0")
    assert result.exit_code == 2 and "retention days: must be" in result.output
    with app.app_context():
        assert db.session.execute(sa.select(Site)).first() is None
