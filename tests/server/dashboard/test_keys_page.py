"""API keys: created with scopes and shown once, listed by prefix, revoked."""

import re

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import ApiKey


def test_a_key_is_shown_once_and_works(app, signed_in, site):
    url = f"/dashboard/sites/{site}/keys"
    page = signed_in.post(url, {"scopes": ["attribution:read", "correlations:write"]})
    plaintext = re.search(r'value="(wah_[^"]+)"', page.text).group(1)
    assert "never shown again" in page.text
    api = signed_in.client.get(
        "/integrations/external/attribution", headers={"Authorization": f"Bearer {plaintext}"}
    )
    assert api.status_code == 200
    again = signed_in.get(url).text
    assert plaintext not in again and "attribution:read correlations:write" in again


def test_a_key_needs_a_known_scope(signed_in, site):
    url = f"/dashboard/sites/{site}/keys"
    assert signed_in.post(url, {}).status_code == 400
    response = signed_in.post(url, {"scopes": ["everything"]})
    assert response.status_code == 400 and "is not a valid choice" in response.text


def test_a_revoked_key_stops_working(app, signed_in, site):
    page = signed_in.post(f"/dashboard/sites/{site}/keys", {"scopes": ["attribution:read"]})
    plaintext = re.search(r'value="(wah_[^"]+)"', page.text).group(1)
    with app.app_context():
        prefix = db.session.scalars(sa.select(ApiKey.prefix)).one()
    response = signed_in.post(f"/dashboard/sites/{site}/keys/{prefix}/revoke")
    assert response.status_code == 302
    assert "revoked" in signed_in.get(response.location).text
    api = signed_in.client.get(
        "/integrations/external/attribution", headers={"Authorization": f"Bearer {plaintext}"}
    )
    assert api.status_code == 401
