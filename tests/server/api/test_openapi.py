"""The OpenAPI document is true: schemathesis drives every endpoint and checks each answer."""

import re
from datetime import datetime

import pytest
import schemathesis
from api_support import bearer, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from widget_server.api.openapi import DOCUMENT
from widget_server.clicks.script import current_script
from widget_server.models import utcnow

LIST = "/integrations/external/attribution"
SCOPES = (
    "attribution:read",
    "attribution:write",
    "correlations:write",
    "privacy:read",
    "privacy:write",
)
EXPORTS = "/integrations/external/exports"
METRICS_TOKEN = "metrics-scrape-token"
# Valid input may still be refused as the document says: schemathesis' defaults, plus 413 for
# strings each within their maxLength that add up, JSON-escaped, to more than the 8 KB body limit.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]
OPERATIONS = [
    pytest.param(path, method, mode, id=f"{method.upper()} {path} {mode.value}")
    for path, operations in DOCUMENT["paths"].items()
    for method, operation in operations.items()
    if method != "parameters"
    for mode in GenerationMode
    # Negative data needs something to negate: a parameter or a body.
    if mode.is_positive or {"parameters", "requestBody"} & (set(operation) | set(operations))
]


@pytest.fixture
def known(app, site, make_key):
    """Seed rows, some linked, and return the site key, an all-scopes key and the IDs."""
    ids = seed(app, site, 3) + seed(app, site, 2, correlated_at=utcnow(), lead_type="hot")
    key = make_key(site, *SCOPES)
    page = app.test_client().get(f"{LIST}?limit=2", headers=bearer(key)).get_json()
    return {"site": site, "key": key, "ids": ids, "cursor": page["next_cursor"]}


# The pytest plugin's fixture-based loader needs pytest < 9, so each operation is driven here.
@pytest.mark.parametrize(("path", "method", "mode"), OPERATIONS)
def test_every_answer_matches_the_document(app, known, path, method, mode):
    # Given as the document's bearerAuth scheme, so negative cases may leave the key out.
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    with app.app_context():
        version = current_script().version
    config = schemathesis.Config.from_dict(
        {"auth": {"openapi": {"bearerAuth": {"bearer": known["key"]},
                              "metricsToken": {"bearer": METRICS_TOKEN}}},
         "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
    )  # fmt: skip
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    operation = schema[path][method.upper()]

    @given(
        case=operation.as_strategy(generation_mode=mode), real=st.booleans(), pick=st.integers(0, 4)
    )
    @settings(
        max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case, real, pick):
        # Half the cases aim at the site and rows that exist, so that 200 answers get checked too.
        real = real and mode.is_positive
        if real and "site_key" in (case.path_parameters or {}):
            case.path_parameters["site_key"] = known["site"]
        if real and "correlation_id" in (case.path_parameters or {}):
            case.path_parameters["correlation_id"] = known["ids"][pick]
        if real and "version" in (case.path_parameters or {}):
            case.path_parameters["version"] = version
        if real and isinstance(case.body, dict) and "correlation_id" in case.body:
            case.body["correlation_id"] = known["ids"][pick]
        if real and isinstance(case.body, dict) and "device_id" in case.body:
            case.body["device_id"] = f"dev-{pick % 3}"
        if mode.is_positive and path == EXPORTS:
            one_person(case, real, known["ids"][pick])
        elif mode.is_positive and case.query:
            meaningful(case.query, known["cursor"])
        statuses.append(case.call_and_validate().status_code)

    statuses = []
    run()
    # The key is really sent, and valid input really served: not everything ends in a 4xx.
    if mode.is_positive:
        assert any(status < 400 for status in statuses), sorted(set(statuses))


def meaningful(query, cursor):
    """Meet what the document states in words only: a cursor comes from a page, since < until."""
    if "cursor" in query:
        # A cursor carries its filters; repeating different ones is refused.
        for name in ("cursor", "since", "until", "correlated"):
            query.pop(name, None)
        query["cursor"] = cursor
    if "since" in query and "until" in query:
        since, until = (datetime.fromisoformat(query[name]) for name in ("since", "until"))
        if since >= until:
            query["since"], query["until"] = query["until"], query["since"]
            if since == until:
                del query["until"]


def one_person(case, real, reference):
    """Meet what the export states in words only: exactly one of its parameters."""
    query = case.query or {}
    name = next(iter(sorted(query)), "correlation_id")
    case.query = {name: query.get(name, reference)}
    if real:
        case.query = {"correlation_id": reference}


def test_the_document_lists_every_endpoint(app, client):
    paths = client.get("/openapi.json").get_json()["paths"]
    documented = {
        (re.sub(r"\{\w+\}", "{}", path), m)
        for path, ops in paths.items()
        for m in ops
        if m != "parameters"
    }
    # Every route but the dashboard's pages (HTML for people, not an API) and static files.
    served = {
        (re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/dashboard", "/static"))
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == served
    assert ("/integrations/external/attribution/{}", "patch") in documented
