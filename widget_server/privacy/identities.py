"""The one check of how a request names a person: exactly one id, shaped as that id is."""

import re
from typing import Any

import correlation_id
from widget_server.clicks.cleaning import MAX_DEVICE_ID, clean_device_id
from widget_server.errors import OperatorError

NAMES = ("correlation_id", "device_id", "whatsapp_id")
# Phone-number ids are digits; business-scoped user ids have other shapes: a lookup takes any.
WHATSAPP_ID = re.compile(r"[\x21-\x7e]{1,135}")


class InvalidIdentity(OperatorError):
    """A request that names nobody, several ids at once, or an id of the wrong shape."""


def identity(given: dict[str, Any], names: tuple[str, ...] = NAMES) -> tuple[str, str]:
    """Return the one (name, value) given among names, or raise InvalidIdentity saying why."""
    present = [name for name in names if given.get(name) is not None]
    if len(present) != 1:
        raise InvalidIdentity(f"give exactly one of {', '.join(names)}")
    [name] = present
    value = given[name]
    if not isinstance(value, str):
        raise InvalidIdentity(f"{name} must be a string")
    if name == "correlation_id" and not correlation_id.is_valid(value):
        raise InvalidIdentity("correlation_id must be O- followed by 7 letters or digits")
    if name == "device_id" and clean_device_id(value) is None:
        raise InvalidIdentity(f"device_id must be 1 to {MAX_DEVICE_ID} visible ASCII characters")
    if name == "whatsapp_id" and not WHATSAPP_ID.fullmatch(value):
        raise InvalidIdentity("whatsapp_id must be 1 to 135 visible ASCII characters")
    return name, value
