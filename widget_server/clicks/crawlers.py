"""Link previewers and crawlers: they follow the click link but are not visitors."""

import re
from functools import lru_cache

# Kept by hand on purpose: CrawlerDetect's maintained list also flags HTTP clients (curl,
# python-requests, okhttp, which Android apps open links with), so those visitors would lose
# their reference, and it costs 50 to 90 times this search for each agent not seen lately
# (bench/crawlers.py). Matched anywhere in the lowercased User-Agent. WhatsApp's previewer sends
# "WhatsApp/2.x"; its in-app browsing uses the phone's own browser UA, so this is safe.
_AGENTS = re.compile(
    r"whatsapp/|facebookexternalhit|facebookcatalog|meta-externalagent|slackbot|slack-imgproxy"
    r"|twitterbot|googlebot|google-inspectiontool|adsbot-google|mediapartners-google|bingbot"
    r"|bingpreview|linkedinbot|telegrambot|discordbot|applebot|pinterestbot|redditbot"
    r"|skypeuripreview|yandexbot|baiduspider|duckduckbot|embedly|iframely|vkshare"
    r"|mastodon/|cardyb|petalbot|semrushbot|ahrefsbot|\bbot\b|crawler|spider"
)

MAX_CACHED = 512  # longer agents are searched every time: the cache stays small whatever is sent


def is_crawler(user_agent: str | None) -> bool:
    """Tell whether user_agent belongs to a link previewer or crawler."""
    if not user_agent:
        return False
    if len(user_agent) > MAX_CACHED:
        return _is_crawler.__wrapped__(user_agent)
    return _is_crawler(user_agent)


@lru_cache(maxsize=1024)  # most visitors share a few hundred agents; an odd one costs one search
def _is_crawler(user_agent: str) -> bool:
    # Lowercasing first is several times faster than IGNORECASE, and this runs on every click.
    return _AGENTS.search(user_agent.lower()) is not None
