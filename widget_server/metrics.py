"""The counters operators scrape: one place that names every metric the server keeps."""

from prometheus_client import Counter

# Under gunicorn set PROMETHEUS_MULTIPROC_DIR (an empty folder, the same for every worker and
# the webhook worker) before start: prometheus_client then keeps these in files there.
CLICKS = Counter(
    "wah_clicks", "Clicks on the click link by outcome", ["outcome"]
)  # stored, reused, preview, limited, failed_over
CORRELATIONS = Counter(
    "wah_correlations", "Correlation requests by outcome", ["outcome"]
)  # linked, repeated, refused, throttled, expired
DELIVERIES = Counter(
    "wah_deliveries", "Delivery attempts by kind and resulting state", ["kind", "state"]
)


def count_click(outcome: str) -> None:
    """Count one click with its outcome."""
    _CLICK_OUTCOMES[outcome].inc()


# Each click counts itself: its five children are looked up once, as prometheus_client advises.
_CLICK_OUTCOMES = {
    outcome: CLICKS.labels(outcome)
    for outcome in ("stored", "reused", "preview", "limited", "failed_over")
}


def count_correlation(outcome: str) -> None:
    """Count one correlation request with its outcome."""
    CORRELATIONS.labels(outcome).inc()


def count_delivery(kind: str, state: str, amount: int = 1) -> None:
    """Count delivery attempts of kind (`webhook`, `conversion`) that ended in state."""
    DELIVERIES.labels(kind, state).inc(amount)
