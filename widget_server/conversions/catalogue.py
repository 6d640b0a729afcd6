"""The destination kinds by name."""

from widget_server.conversions import ga4, google_ads, meta_messaging, meta_web
from widget_server.conversions.kinds import Kind

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (meta_messaging.KIND, meta_web.KIND, google_ads.KIND, ga4.KIND)
}
