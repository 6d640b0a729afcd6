"""Erasure and export on request: by correlation ID, device id or WhatsApp id."""

from flask import Response, g, request

from widget_server.api import auth, body
from widget_server.api.references import checked
from widget_server.errors import ApiError, envelope
from widget_server.privacy import erasure, export
from widget_server.privacy.identities import NAMES, InvalidIdentity, identity
from widget_server.sessions import rows


@auth.require_scope("privacy:write")
def erase_row(reference: str) -> Response:
    """Erase one session and everything mentioning it."""
    session = rows.one(g.site.id, checked(reference))
    erased = erasure.erase(g.site.id, "correlation_id", session.correlation_id)
    return envelope(200, "ok", {"erased": erased})


@auth.require_scope("privacy:write")
def erase_person() -> Response:
    """Erase every session of a device id or a WhatsApp id."""
    fields = body.json_object({"device_id", "whatsapp_id"})
    name, value = _identity(fields, ("device_id", "whatsapp_id"))
    return envelope(200, "ok", {"erased": erasure.erase(g.site.id, name, value)})


@auth.require_scope("privacy:read")
def export_person() -> Response:
    """Answer everything held about one correlation ID, device id or WhatsApp id."""
    for name in request.args:
        if name not in NAMES:
            raise ApiError(400, f"unknown query parameter {name!r}; allowed: {', '.join(NAMES)}")
        if len(request.args.getlist(name)) > 1:
            raise ApiError(400, f"query parameter {name} is given more than once")
    name, value = _identity(request.args.to_dict(), NAMES)
    return envelope(200, "ok", export.export(g.site.id, name, value))


def _identity(given: dict, names: tuple[str, ...]) -> tuple[str, str]:
    try:
        return identity(given, names)
    except InvalidIdentity as error:
        raise ApiError(400, str(error)) from None
