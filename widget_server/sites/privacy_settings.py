"""The checks of a site's privacy settings: IP policy, retention, extra private parameters."""

import re

from click_ids import CLICK_IDS
from widget_server.models import IP_POLICIES

LONGEST_RETENTION = 36500  # a hundred years: beyond it, "keep" says what is meant
MAX_PRIVATE_PARAMS = 50
PARAM_NAME = re.compile(r"[a-z0-9_.\[\]-]{1,64}")
ALWAYS_KEPT = {name.lower() for name in CLICK_IDS}


def clean_ip_policy(value: str) -> str:
    """Return an IP policy, or raise ValueError naming the choices."""
    if value not in IP_POLICIES:
        raise ValueError(f"must be one of {', '.join(IP_POLICIES)}, not {value!r}")
    return value


def clean_retention_days(value: int | None) -> int | None:
    """Return a retention in days, or None to keep sessions; raise ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LONGEST_RETENTION:
        raise ValueError(f"must be a whole number of days from 1 to {LONGEST_RETENTION}, or none")
    return value


def clean_private_params(value: str) -> str:
    """Return comma- or space-separated parameter names as one lowercase, space-separated list."""
    names = list(dict.fromkeys(name.lower() for name in re.split(r"[\s,]+", value) if name))
    for name in names:
        if not PARAM_NAME.fullmatch(name):
            raise ValueError(f"{name!r} is not a query parameter name (letters, digits, _.-[])")
        if name.startswith("utm_") or name in ALWAYS_KEPT:
            raise ValueError(f"{name} is always kept: UTM parameters and click ids are attribution")
    if len(names) > MAX_PRIVATE_PARAMS:
        raise ValueError(f"at most {MAX_PRIVATE_PARAMS} names")
    return " ".join(names)
