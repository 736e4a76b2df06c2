"""The live feed of a client's events (``crowdframe listen``), on every store."""

from __future__ import annotations

import asyncio

import pytest

from crowdframe_gateway.core.errors import InvalidInput
from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from store_world import Opener, make_client, make_project, make_tasks


async def test_a_clients_events_from_all_its_projects_come_in_order_with_cursors(
    store: Store,
) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    first, second = await make_project(store, client), await make_project(store, client)
    await make_tasks(store, first, 1)
    await make_tasks(store, second, 1)
    start = await store.event_cursor(client.id)
    a = await store.claim(Claim(first.id, "w1", "p1"), now=now())
    test, _ = await store.record_event(client.id, "endpoint.test", {"n": 1})
    b = await store.claim(Claim(second.id, "w1", "p1"), now=now())
    await store.record_event(other.id, "endpoint.test", {"n": 2})
    assert a is not None and b is not None
    read = await store.read_events(client.id, after=start, limit=10)
    assert [(e.type, e.data.get("assignment_id")) for _, e in read] == [
        ("assignment.accepted", a.id),
        ("endpoint.test", None),
        ("assignment.accepted", b.id),
    ]
    assert read[1][1] == test
    assert await store.read_events(client.id, after=read[0][0], limit=10) == read[1:]
    assert await store.read_events(client.id, after=read[0][0], limit=1) == read[1:2]
    assert await store.event_cursor(client.id) == read[-1][0]
    assert await store.read_events(client.id, after=read[-1][0], limit=10) == []
    everything = await store.read_events(client.id, after=None, limit=100)
    assert everything[-3:] == read


async def test_a_reader_waits_for_an_event_recorded_by_another_process(
    open_stores: Opener,
) -> None:
    reader, writer = await open_stores(), await open_stores()
    client = await make_client(writer)
    cursor = await reader.event_cursor(client.id)

    reading = asyncio.create_task(reader.read_events(client.id, after=cursor, limit=10, wait=60))
    await asyncio.sleep(0)  # the reader is on its way into the wait
    await writer.record_event(client.id, "endpoint.test", {"late": True})
    async with asyncio.timeout(20):  # a failure bound only: the read ends when the event comes
        read = await reading
    assert [e.data for _, e in read] == [{"late": True}]

    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await reader.read_events(client.id, after=read[0][0], limit=10, wait=0.3) == []
    assert loop.time() - started >= 0.3, "waits up to the limit when nothing comes"


async def test_a_malformed_cursor_is_refused(store: Store) -> None:
    client = await make_client(store)
    with pytest.raises(InvalidInput):
        await store.read_events(client.id, after="not-a-cursor", limit=10)


async def test_every_event_reaches_the_feed_whatever_the_clocks_of_its_writers(
    store: Store,
) -> None:
    """Gateway processes stamp events with their own clocks: a later event of one project may
    carry an earlier time. None is lost, and one project's events keep their order."""
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 3)
    at = now()
    claims = [await store.claim(Claim(project.id, f"w{i}", "p"), now=at - i) for i in range(3)]
    read = await store.read_events(client.id, after=None, limit=10)
    assert [e.data["assignment_id"] for _, e in read] == [c.id for c in claims if c is not None]
