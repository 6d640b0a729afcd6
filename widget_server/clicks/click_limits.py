"""Bound what one client, and all clients of a site, can make the click link store."""

import logging

from widget_server.clicks.site_cache import CachedSite
from widget_server.limits import rate_limiter

log = logging.getLogger("widget_server.clicks")


def over_limit(site: CachedSite, client: str | None) -> bool:
    """Count a click against its client's and its site's limits; tell whether one is used up."""
    try:
        strategy = rate_limiter()  # the app's one limiter: memory, or Redis shared by every host
        # The client's own limit first: a client already over it uses up none of the site's.
        for item in site.client_limits:
            if not strategy.hit(item, "click", site.key, client or "unknown"):
                return True
        return not all(strategy.hit(item, "click", site.key) for item in site.site_limits)
    except Exception as error:  # e.g. Redis down: counting must never stop a click
        log.warning("click limits not checked, the limiter's storage failed: %s", error)
        return False
