"""A site's own private parameters leave its stored URLs and webhooks, as the built-in ones do."""

import json

import sqlalchemy as sa
from api_support import other_site
from privacy_support import click_from, dump
from webhooks_support import add_endpoint, run_once

from widget_server.db import db
from widget_server.models import Site, WebSession

PAGE = "https://shop.example/p?Voucher=V-777&customer_no=C-4242&utm_source=x&color=red#top"
REF = "https://ref.example/?voucher=V-999&q=shoes"


def set_private(app, site_key, names):
    with app.app_context():
        db.session.execute(sa.update(Site).filter_by(key=site_key).values(private_params=names))
        db.session.commit()


def stored(app, reference):
    with app.app_context():
        row = db.session.scalars(sa.select(WebSession).filter_by(correlation_id=reference)).one()
        return row.click_url, row.referrer, row.parsed_params


def test_the_sites_list_is_removed_from_the_row_and_the_webhook(app, client, site, receiver):
    set_private(app, site, "voucher customer_no")
    add_endpoint(app, site, receiver.url)
    answer = click_from(client, site, "192.0.2.1", device_id="d1", url=PAGE, ref=REF)
    reference = answer.get_json()["correlation_id"]
    assert stored(app, reference) == (
        "https://shop.example/p?utm_source=x&color=red",
        "https://ref.example/?q=shoes",
        {"utm_source": "x"},
    )
    run_once(app)
    [(_, body)] = receiver.received
    data = json.loads(body)["data"]
    assert (data["click_url"], data["referrer"]) == stored(app, reference)[:2]
    everything = dump(app)
    assert "V-777" not in everything and "C-4242" not in everything and "V-999" not in everything


def test_a_site_without_the_list_keeps_those_parameters(app, client, site):
    other = other_site(app)
    set_private(app, site, "voucher")
    mine = click_from(client, site, "192.0.2.1", device_id="d1", url=PAGE).get_json()
    theirs = click_from(client, other, "192.0.2.1", device_id="d1", url=PAGE).get_json()
    assert "Voucher" not in stored(app, mine["correlation_id"])[0]
    assert "Voucher=V-777" in stored(app, theirs["correlation_id"])[0]
