"""Parsing the attribution listing's query string on its own."""

from datetime import UTC, datetime

import pytest
from werkzeug.datastructures import MultiDict

from widget_server.api.list_query import DEFAULT_LIMIT, list_query
from widget_server.errors import ApiError


def test_no_parameters_give_the_default_page():
    query = list_query(1, MultiDict())
    assert (query.limit, query.after) == (DEFAULT_LIMIT, None)
    assert (query.filters.since, query.filters.until, query.filters.correlated) == (None,) * 3


def test_times_are_read_into_utc_and_flags_into_booleans():
    query = list_query(
        1, MultiDict({"since": "2026-03-01T14:00:00+02:00", "correlated": "true", "limit": "5"})
    )
    assert query.filters.since == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert query.filters.correlated is True and query.limit == 5


def test_an_unencoded_plus_comes_back_as_a_sign():
    query = list_query(1, MultiDict({"until": "2026-03-01T14:00:00 02:00"}))
    assert query.filters.until == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"limit": "1000"}, "limit must be an integer from 1 to 100"),
        ({"sort": "x"}, "unknown query parameter 'sort'"),
        ({"since": "2026-03-01"}, "since must be an ISO 8601 time with a zone"),
        ({"correlated": "1"}, "correlated must be true or false"),
    ],
)
def test_mistakes_are_400s(args, message):
    with pytest.raises(ApiError, match=message):
        list_query(1, MultiDict(args))
