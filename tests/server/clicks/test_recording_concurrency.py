"""Clicks arriving at once: every one counted, every one with its outbox row."""

from concurrent.futures import ThreadPoolExecutor

from clicks_support import click, events, reference, sessions

THREADS, CLICKS = 4, 10


def click_many(app, site, device_for):
    """Click THREADS x CLICKS times from parallel threads; return the references handed out."""

    def run(thread):
        client = app.test_client()
        return [
            reference(click(client, site, device_id=device_for(thread, n))) for n in range(CLICKS)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        return [ref for refs in pool.map(run, range(THREADS)) for ref in refs]


def test_parallel_clicks_of_one_device_are_all_counted(app, client, site):
    first = reference(click(client, site, device_id="d1"))
    assert set(click_many(app, site, lambda thread, n: "d1")) == {first}
    [row] = sessions(app)
    assert row.click_count == 1 + THREADS * CLICKS
    assert sorted(event.data["click_count"] for event in events(app)) == list(
        range(1, 2 + THREADS * CLICKS)
    )


def test_parallel_clicks_of_many_devices_get_distinct_ids(app, site):
    handed = click_many(app, site, lambda thread, n: f"d{thread}-{n}")
    assert len(set(handed)) == THREADS * CLICKS
    assert sorted(row.correlation_id for row in sessions(app)) == sorted(handed)
    assert sorted(event.data["correlation_id"] for event in events(app)) == sorted(handed)
