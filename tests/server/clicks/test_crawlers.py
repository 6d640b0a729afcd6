"""Link previewers and crawlers are told apart from visitors and plain HTTP clients."""

import pytest

from widget_server.clicks.crawlers import is_crawler

PREVIEWERS = [
    "WhatsApp/2.23.20.0 A",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Mastodon/4.2.0; +https://mastodon.social/)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
]
VISITORS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.29.99]",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
    "Mobile Safari/537.36 Instagram 309.0.0.40.113 Android",
    "okhttp/4.9.0",  # Android apps open links with it: a visitor, not a crawler
    "curl/8.5.0",
    "python-requests/2.32.3",
]


@pytest.mark.parametrize("agent", PREVIEWERS)
def test_previewers_are_crawlers(agent):
    assert is_crawler(agent)
    assert is_crawler(agent.upper())


@pytest.mark.parametrize("agent", [*VISITORS, "", None])
def test_browsers_in_app_browsers_and_http_clients_are_visitors(agent):
    assert not is_crawler(agent)


def test_an_agent_too_long_to_cache_is_still_searched_whole():
    padded = "Mozilla/5.0 " + "x" * 600
    assert is_crawler(padded + " Googlebot/2.1") and not is_crawler(padded)
    assert is_crawler("Mozilla/5.0 Googlebot/2.1") and is_crawler("Mozilla/5.0 Googlebot/2.1")
