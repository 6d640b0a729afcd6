"""The attribution API: list, read and label a site's web sessions."""

import math
import re

from flask import Response, g, jsonify, request

from widget_server.api import auth, body, cursor, list_query
from widget_server.api.references import checked
from widget_server.errors import ApiError, envelope
from widget_server.sessions import rows

LEAD_TYPE_MAX = 64
CURRENCY = re.compile(r"[A-Z]{3}")
MAX_VALUE = 1e12


@auth.require_scope("attribution:read")
def list_rows() -> Response:
    """List the site's rows, newest first, one page at a time."""
    query = list_query.list_query(g.site.id, request.args)
    found, last = rows.page(g.site.id, query.filters, query.limit, query.after)
    next_cursor = cursor.encode(g.site.id, query.filters, last) if last else None
    return jsonify(
        status=200,
        message="ok",
        data=[row.to_row() for row in found],
        has_more=next_cursor is not None,
        next_cursor=next_cursor,
    )


@auth.require_scope("attribution:read")
def get_row(reference: str) -> Response:
    """Show one row of the site."""
    row = rows.one(g.site.id, checked(reference))
    return envelope(200, "ok", row.to_row())


@auth.require_scope("attribution:write")
def patch_row(reference: str) -> Response:
    """Set or clear a row's lead type, with the value of the sale when there is one."""
    reference = checked(reference)
    fields = body.json_object({"lead_type", "value", "currency"})
    if "lead_type" not in fields:
        raise ApiError(400, "lead_type is required (a string, or null to clear it)")
    lead_type = body.optional_text(fields, "lead_type", LEAD_TYPE_MAX)
    value, currency = _value(fields)
    if value is not None and lead_type is None:
        raise ApiError(400, "value needs a lead_type")
    row = rows.set_lead_type(g.site.id, reference, lead_type, value, currency)
    return envelope(200, "ok", row.to_row())


def _value(fields: dict) -> tuple[float | None, str | None]:
    if ("value" in fields) != ("currency" in fields):
        raise ApiError(400, "value and currency go together: give both or neither")
    if "value" not in fields:
        return None, None
    value, currency = fields["value"], fields["currency"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ApiError(400, "value must be a number")
    if not 0 <= value <= MAX_VALUE:
        raise ApiError(400, f"value must be from 0 to {MAX_VALUE:.0e}")
    if not isinstance(currency, str) or not CURRENCY.fullmatch(currency):
        raise ApiError(400, "currency must be an ISO 4217 code of 3 capital letters, e.g. EUR")
    return float(value), currency
