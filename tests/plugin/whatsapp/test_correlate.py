"""Linking a conversation to its web session: inline, or kept and swept while the server is down."""

import asyncio
import uuid

from plugin.server import WidgetServer
from plugin.whatsapp.correlate import Correlator
from plugin.whatsapp.payload import Inbound
from plugin.whatsapp.pending import Link, MemoryPending, RedisPending, now

DOWN = "http://127.0.0.1:9"


def inbound(message_id, sender="15550007777", phone=None):
    """Return the message that carries a reference."""
    return Inbound(sender, message_id, "Reference: ...", "text", wa_id=phone, profile_name="Kerry")


def correlated(widget_server, reference):
    """Return the session's correlated_at as the widget server shows it."""
    return widget_server.attribution(reference).json()["data"]["correlated_at"]


def run(correlator, work):
    """Run work(correlator) in a fresh loop and close the correlator's connections after."""

    async def go():
        try:
            return await work(correlator)
        finally:
            await correlator.server.close()
            await correlator.pending.close()

    return asyncio.run(go())


def test_a_known_reference_is_linked_inline(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    correlator = Correlator(WidgetServer(widget_server.url, widget_server.api_key))
    linked, row = run(correlator, lambda c: c.link(inbound(f"wamid.{uuid.uuid4()}"), [reference]))
    assert (linked, row["correlation_id"]) == (reference, reference)
    assert correlated(widget_server, reference) is not None


def test_every_candidate_is_tried_in_order_until_the_server_knows_one(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    correlator = Correlator(WidgetServer(widget_server.url, widget_server.api_key))
    candidates = ["O-Zz9Zz9Z", reference, "O-Yy8Yy8Y"]
    linked, row = run(correlator, lambda c: c.link(inbound(f"wamid.{uuid.uuid4()}"), candidates))
    assert (linked, row["correlation_id"]) == (reference, reference)


def test_a_username_user_is_linked_by_bsuid_with_the_phone_beside_it(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    correlator = Correlator(WidgetServer(widget_server.url, widget_server.api_key))
    user = inbound(f"wamid.{uuid.uuid4()}", sender="US.13491208655302741918", phone="16315551111")
    linked, _ = run(correlator, lambda c: c.link(user, [reference]))
    assert linked == reference


def test_a_server_that_is_down_is_swept_until_it_links(widget_server):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    server = WidgetServer(DOWN, widget_server.api_key, timeout=1)
    correlator = Correlator(server, MemoryPending(), retry_delays=(0,))

    async def work(c):
        assert await c.link(inbound(f"wamid.{uuid.uuid4()}"), [reference]) == (None, None)
        assert await c.sweep() == 1  # still down: kept
        server.url = widget_server.url  # the server comes back
        assert await c.sweep() == 1
        return await c.sweep()

    assert run(correlator, work) == 0
    assert correlated(widget_server, reference) is not None


def test_a_link_kept_in_redis_is_made_by_the_next_process(widget_server, redis_url):
    reference = widget_server.click("https://shop.example/?utm_campaign=spring")
    namespace = uuid.uuid4().hex
    before = Correlator(WidgetServer(DOWN, "key", timeout=1), RedisPending(redis_url, namespace))
    message = inbound(f"wamid.{uuid.uuid4()}")
    assert run(before, lambda c: c.link(message, ["O-Zz9Zz9Z", reference])) == (None, None)
    # A new process (Rasa restarted) with the same Redis and settings.
    server = WidgetServer(widget_server.url, widget_server.api_key)
    after = Correlator(server, RedisPending(redis_url, namespace), retry_delays=(0,))

    async def work(c):
        while not await c.sweep():  # due after the first delay (2 s)
            await asyncio.sleep(0.2)
        return await c.sweep()

    assert run(after, work) == 0
    assert correlated(widget_server, reference) is not None


def test_two_sweepers_on_one_redis_never_take_the_same_link(redis_url):
    namespace = uuid.uuid4().hex
    first, second = RedisPending(redis_url, namespace), RedisPending(redis_url, namespace)
    correlator = Correlator(WidgetServer(DOWN, "key", timeout=1), first, retry_delays=(0,))

    async def work(c):
        await c.link(inbound(f"wamid.{uuid.uuid4()}"), ["O-aB3dE9z"])
        claims = await asyncio.gather(first.claim(now()), second.claim(now()))
        await second.close()
        return sorted(len(claimed) for claimed in claims)

    assert run(correlator, work) == [0, 1]


def test_a_refusal_is_not_retried(widget_server):
    pending = MemoryPending()
    correlator = Correlator(WidgetServer(widget_server.url, "wah_not_a_key"), pending)

    async def work(c):
        linked = await c.link(inbound(f"wamid.{uuid.uuid4()}"), ["O-aB3dE9z"])
        return linked, await pending.claim(now() + 10_000)

    assert run(correlator, work) == ((None, None), [])


def test_a_link_older_than_max_age_is_given_up():
    pending = MemoryPending()
    server = WidgetServer(DOWN, "key", timeout=1)
    correlator = Correlator(server, pending, retry_delays=(0,), max_age=0)

    async def work(c):
        await c.link(inbound(f"wamid.{uuid.uuid4()}"), ["O-aB3dE9z"])
        await asyncio.sleep(0.01)
        assert await c.sweep() == 1
        return await pending.claim(now() + 10_000)

    assert run(correlator, work) == []


def ad_row(widget_server, clid):
    """Return the rows the widget server lists for one ad click id."""
    return [r for r in widget_server.rows() if r["parsed_params"].get("ctwa_clid") == clid]


def test_an_ad_is_recorded_inline_once_per_message(widget_server):
    clid = f"ARAk-{uuid.uuid4().hex}"
    correlator = Correlator(WidgetServer(widget_server.url, widget_server.api_key))
    message = inbound(f"wamid.{uuid.uuid4()}")

    async def work(c):
        return [await c.refer(message, {"ctwa_clid": clid, "source_type": "ad"}) for _ in "12"]

    (first, row), again = run(correlator, work)
    assert first == row["correlation_id"] and again == (first, row)
    [listed] = ad_row(widget_server, clid)
    assert (listed["correlation_id"], listed["parsed_params"]["ctwa_clid"]) == (first, clid)


def test_an_ad_kept_in_redis_while_the_server_is_down_is_recorded_by_the_next_process(
    widget_server, redis_url
):
    clid = f"ARAk-{uuid.uuid4().hex}"
    namespace = uuid.uuid4().hex
    before = Correlator(WidgetServer(DOWN, "key", timeout=1), RedisPending(redis_url, namespace))
    message = inbound(f"wamid.{uuid.uuid4()}")
    assert run(before, lambda c: c.refer(message, {"ctwa_clid": clid})) == (None, None)
    assert not ad_row(widget_server, clid)
    server = WidgetServer(widget_server.url, widget_server.api_key)
    after = Correlator(server, RedisPending(redis_url, namespace), retry_delays=(0,))

    async def work(c):
        while not await c.sweep():  # due after the first delay (2 s)
            await asyncio.sleep(0.2)
        return await c.sweep()

    assert run(after, work) == 0
    [listed] = ad_row(widget_server, clid)
    assert widget_server.stored(listed["correlation_id"])["whatsapp_id"] == "15550007777"


def test_a_refused_ad_is_not_retried(widget_server):
    pending = MemoryPending()
    correlator = Correlator(WidgetServer(widget_server.url, "wah_not_a_key"), pending)

    async def work(c):
        recorded = await c.refer(inbound(f"wamid.{uuid.uuid4()}"), {"ctwa_clid": "ARAk"})
        return recorded, await pending.claim(now() + 10_000)

    assert run(correlator, work) == ((None, None), [])


def test_a_stored_link_without_a_referral_reads_back_as_before():
    raw = Link("wamid.1", ("O-aB3dE9z",), "15550007777", None, None).to_json()
    old = raw.replace(', "referral": null', "")
    assert Link.from_json(old) == Link.from_json(raw)
    assert Link.from_json(raw).referral is None
