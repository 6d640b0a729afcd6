"""Delivery settings from the app config, and the retry schedule they imply."""

import random
from dataclasses import dataclass, fields

DEFAULTS = {
    "WEBHOOK_ALLOW_PRIVATE": False,
    "WEBHOOK_TIMEOUT": 10.0,
    "WEBHOOK_CONNECT_TIMEOUT": 5.0,
    "WEBHOOK_BACKOFF_BASE": 5.0,
    "WEBHOOK_BACKOFF_FACTOR": 4.0,
    "WEBHOOK_BACKOFF_CAP": 86400.0,
    "WEBHOOK_MAX_ATTEMPTS": 11,
    "WEBHOOK_LEASE_SECONDS": 60.0,
    "WEBHOOK_POLL_INTERVAL": 0.05,
    "WEBHOOK_BATCH_SIZE": 50,
    "WEBHOOK_ROTATION_OVERLAP_HOURS": 24.0,
}


@dataclass(frozen=True)
class Settings:
    """The knobs of delivery; see DEFAULTS for their values."""

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
    def from_config(cls, config) -> "Settings":
        """Read the WEBHOOK_* keys of a Flask config, falling back to DEFAULTS."""
        values = {}
        for field in fields(cls):
            key = "WEBHOOK_" + field.name.upper()
            raw = config.get(key, DEFAULTS[key])
            if field.type is bool and isinstance(raw, str):
                raw = raw.strip().lower() in ("1", "true", "yes", "on")
            try:
                values[field.name] = field.type(raw)
            except (TypeError, ValueError):
                raise ValueError(f"{key} must be a number, not {raw!r}") from None
        return cls(**values)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the attempts-th failed attempt: exponential, capped, +-20% jitter.

        With the defaults: 5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h, 22.8 h, 24 h, 24 h,
        then the 11th attempt fails for good, about 3.3 days after the first.
        """
        delay = min(self.backoff_cap, self.backoff_base * self.backoff_factor ** (attempts - 1))
        return delay * random.uniform(0.8, 1.2)
