"""Sites as plain functions: create with checked fields, find by key or id, list oldest first."""

import pytest

from widget_server.models import DEFAULT_MESSAGE
from widget_server.sites.fields import InvalidSite
from widget_server.sites.registry import UnknownSite, create_site, find_site, list_sites, site_info


def make(name="Shop"):
    return create_site(name, "15551234567", DEFAULT_MESSAGE, 12, "https://wa.me/")


def test_a_created_site_is_found_by_key_and_by_id(app):
    with app.app_context():
        site = make()
        assert site.key.startswith("s_") and site.whatsapp_base_url == "https://wa.me"
        assert find_site(site.key) is site
        assert find_site(str(site.id)) is site
        info = site_info(site)
        assert info["site_key"] == site.key and info["reuse_hours"] == 12


def test_an_unknown_site_says_where_to_look(app):
    with app.app_context(), pytest.raises(UnknownSite, match=r"no site with key 's_nope' \(see"):
        find_site("s_nope")


def test_sites_are_listed_oldest_first(app):
    with app.app_context():
        first, second = make("A"), make("B")
        assert list_sites() == [first, second]


def test_a_bad_field_creates_nothing(app):
    with app.app_context():
        with pytest.raises(InvalidSite):
            create_site("Shop", "+1 555", DEFAULT_MESSAGE, 12, "https://wa.me")
        assert list_sites() == []
