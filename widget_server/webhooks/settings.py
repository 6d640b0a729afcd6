"""Delivery settings from the app config, and the retry schedule they imply."""

import random
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from widget_server import config

DEFAULTS = config.defaults("WEBHOOK_")


@dataclass(frozen=True)
class Settings:
    """The knobs of delivery; widget_server.config holds their defaults and meaning."""

    allow_private: bool
    timeout: float
    connect_timeout: float
    backoff_base: float
    backoff_factor: float
    backoff_cap: float
    max_attempts: int
    lease_seconds: float
    poll_interval: float
    batch_size: int
    rotation_overlap_hours: float

    @classmethod
    def from_config(cls, values: Mapping[str, Any]) -> "Settings":
        """Read the WEBHOOK_* keys of a Flask config (strings too), falling back to DEFAULTS."""
        read = {}
        for field in fields(cls):
            key = "WEBHOOK_" + field.name.upper()
            read[field.name] = config.read(key, values.get(key, DEFAULTS[key]))
        return cls(**read)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the attempts-th failed attempt: exponential, capped, +-20% jitter.

        With the defaults: 5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, 22.8 h, 24 h, 24 h,
        then the 11th attempt fails for good, about 3.3 days after the first.
        """
        delay = min(self.backoff_cap, self.backoff_base * self.backoff_factor ** (attempts - 1))
        return delay * random.uniform(0.8, 1.2)
