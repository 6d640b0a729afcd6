"""The attribution API: list, read and label a site's web sessions."""

from flask import Blueprint, g, jsonify, request

import correlation_id
from widget_server import attribution
from widget_server.api import auth, body, cursor, params
from widget_server.errors import ApiError, envelope

bp = Blueprint("attribution", __name__, url_prefix="/integrations/external/attribution")
bp.register_error_handler(auth.AuthError, auth.render)

LEAD_TYPE_MAX = 64


@bp.get("")
@auth.require_scope("attribution:read")
def list_rows():
    """List the site's rows, newest first, one page at a time."""
    query = params.list_query(g.site.id, request.args)
    rows, last = attribution.page(g.site.id, query.filters, query.limit, query.after)
    next_cursor = cursor.encode(g.site.id, query.filters, last) if last else None
    return jsonify(
        status=200,
        message="ok",
        data=[row.to_row() for row in rows],
        has_more=next_cursor is not None,
        next_cursor=next_cursor,
    )


@bp.get("/<reference>")
@auth.require_scope("attribution:read")
def get_row(reference):
    """Show one row of the site."""
    row = attribution.one(g.site.id, _checked(reference))
    return envelope(200, "ok", row.to_row())


@bp.patch("/<reference>")
@auth.require_scope("attribution:write")
def patch_row(reference):
    """Set or clear a row's lead type."""
    reference = _checked(reference)
    fields = body.json_object({"lead_type"})
    if "lead_type" not in fields:
        raise ApiError(400, "lead_type is required (a string, or null to clear it)")
    lead_type = body.text_field(fields, "lead_type", LEAD_TYPE_MAX, required=False)
    row = attribution.set_lead_type(g.site.id, reference, lead_type)
    return envelope(200, "ok", row.to_row())


def _checked(reference: str) -> str:
    if not correlation_id.is_valid(reference):
        raise ApiError(400, "correlation_id must be O- followed by 7 letters or digits")
    return reference
