"""The one check of a correlation ID given to the API, with the 400 it answers."""

import correlation_id
from widget_server.errors import ApiError

MESSAGE = "correlation_id must be O- followed by 7 letters or digits"


def checked(reference: str, *, retyped: bool = False) -> str:
    """Return reference if it is shaped like an ID, else raise a 400.

    retyped accepts a lowercase `o-` as keyboards write it; lookups then ignore case anyway.
    """
    shaped = reference[:1].upper() + reference[1:] if retyped else reference
    if not correlation_id.is_valid(shaped):
        raise ApiError(400, MESSAGE)
    return reference
