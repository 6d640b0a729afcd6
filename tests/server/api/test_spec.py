"""The OpenAPI building blocks describe what the endpoints answer."""

import re

from widget_server.api import spec


def test_secured_operations_list_the_shared_errors_and_the_scope():
    operation = spec.secured("attribution:read", {"200": spec.ok({})}, summary="x")
    assert set(operation["responses"]) == {"200", "400", "401", "403"}
    assert operation["security"] == [{"bearerAuth": []}]
    assert "attribution:read" in operation["description"]
    assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_the_id_pattern_matches_the_reference_format():
    import correlation_id

    pattern = re.compile(spec.ID["pattern"])
    assert pattern.fullmatch(correlation_id.new_id())
    assert not pattern.fullmatch("o-aB3dE9z")


def test_blank_text_is_refused_by_the_text_pattern():
    pattern = re.compile(spec.TEXT["pattern"])
    assert pattern.search("a") and pattern.search("\u00a0")
    assert not pattern.search(" \t") and not pattern.search("a\x00")
