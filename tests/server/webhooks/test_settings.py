"""The retry schedule and Retry-After parsing, as documented in the README."""

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from widget_server.webhooks.sender import parse_retry_after
from widget_server.webhooks.settings import DEFAULTS, Settings

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DOCUMENTED = [5, 20, 80, 320, 1280, 5120, 20480, 81920, 86400, 86400]


def test_the_default_schedule_spans_about_three_days():
    settings = Settings.from_config(DEFAULTS)
    for attempt, nominal in enumerate(DOCUMENTED, start=1):
        delays = [settings.backoff(attempt) for _ in range(200)]
        assert nominal * 0.8 <= min(delays) <= max(delays) <= nominal * 1.2
        assert max(delays) - min(delays) > nominal * 0.1  # jittered, not fixed
    assert settings.max_attempts == len(DOCUMENTED) + 1
    assert 3 * 86400 < sum(DOCUMENTED) < 3.5 * 86400


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        (format_datetime(NOW + timedelta(minutes=5), usegmt=True), 300.0),
        (format_datetime(NOW - timedelta(minutes=5), usegmt=True), 0.0),
        ("soon", None),
        ("-3", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_reads_seconds_and_dates(header, seconds):
    assert parse_retry_after(header, NOW) == seconds


def test_settings_come_from_the_environment_as_strings_too():
    settings = Settings.from_config(
        {**DEFAULTS, "WEBHOOK_ALLOW_PRIVATE": "true", "WEBHOOK_BATCH_SIZE": "7"}
    )
    assert settings.allow_private is True and settings.batch_size == 7
    with pytest.raises(ValueError, match="WEBHOOK_TIMEOUT must be a number, not 'soon'"):
        Settings.from_config({**DEFAULTS, "WEBHOOK_TIMEOUT": "soon"})
