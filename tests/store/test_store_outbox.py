"""Endpoints, events and the outbox: what the delivery loop leases and settles."""

from __future__ import annotations

import asyncio

from crowdframe_gateway.core.events import assignment_data, task_completed_data
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Attempt, now
from crowdframe_gateway.runtime import Store
from store_world import endpoint_with_messages, make_client, make_endpoint, make_project, make_tasks


async def test_endpoints_are_listed_in_creation_order(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    first = await make_endpoint(store, client, ["assignment.submitted"])
    second = await make_endpoint(store, client)
    await make_endpoint(store, other)
    assert await store.list_endpoints(client.id) == [first, second]
    assert await store.get_endpoint(first.id) == first
    assert await store.get_endpoint("whe_unknown") is None


async def test_each_change_becomes_one_message_per_interested_endpoint(store: Store) -> None:
    client = await make_client(store)
    everything = await make_endpoint(store, client)
    submissions = await make_endpoint(store, client, ["assignment.submitted"])
    await make_endpoint(store, client, status="disabled")
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1)
    claimed = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())
    assert claimed is not None
    done = await store.submit(claimed.id, Submission({"label": "cat"}), now=now())
    leased = []
    while batch := await store.lease_messages(now=now(), limit=100, lease_seconds=30):
        leased += batch  # a task's next message comes once the one before it is delivered
        for m in batch:
            await store.finish_attempt(
                Attempt(m.id, now(), 200, 1.0, "", None), "delivered", next_attempt_at=None
            )
    got = sorted((m.endpoint.id, m.event.type) for m in leased)
    assert got == sorted(
        [
            (everything.id, "assignment.accepted"),
            (everything.id, "assignment.submitted"),
            (everything.id, "task.completed"),
            (everything.id, "project.completed"),
            (submissions.id, "assignment.submitted"),
        ]
    )
    by_type = {m.event.type: m for m in leased if m.endpoint.id == everything.id}
    assert by_type["assignment.accepted"].event.data == assignment_data(claimed, task)
    assert by_type["assignment.submitted"].event.data == assignment_data(done, task)
    assert by_type["task.completed"].event.data == task_completed_data(task, [done])
    assert {m.event.client_id for m in leased} == {client.id}
    assert all(m.attempts == 0 and m.status == "pending" for m in leased)
    assert len({m.id for m in leased}) == 5


async def test_a_leased_message_is_not_leased_again_until_its_lease_runs_out(store: Store) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    event, [message_id] = await store.record_event(client.id, "endpoint.test", {"hello": "é"})
    assert event.data == {"hello": "é"}
    at = now()
    [leased] = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    assert leased.id == message_id and leased.event.id == event.id
    assert leased.event.data == {"hello": "é"}
    assert await store.lease_messages(now=at + 29, limit=10, lease_seconds=30) == []
    [again] = await store.lease_messages(now=at + 31, limit=10, lease_seconds=30)
    assert again.id == message_id, "a lease whose holder died runs out; someone else goes on"


async def test_a_delivered_message_is_done_and_its_attempts_are_logged(store: Store) -> None:
    _, [message_id] = await endpoint_with_messages(store, 1)
    at = now()
    await store.lease_messages(now=at, limit=10, lease_seconds=30)
    failed = Attempt(message_id, at, 500, 12.5, "oops", None)
    await store.finish_attempt(failed, "retry", next_attempt_at=at + 5)
    assert await store.lease_messages(now=at + 4, limit=10, lease_seconds=30) == []
    [retry] = await store.lease_messages(now=at + 5, limit=10, lease_seconds=30)
    assert (retry.id, retry.attempts) == (message_id, 1)
    ok = Attempt(message_id, at + 5, 204, 3.0, "", None)
    await store.finish_attempt(ok, "delivered", next_attempt_at=None)
    assert await store.lease_messages(now=at + 10_000, limit=10, lease_seconds=30) == []
    assert await store.list_attempts(message_id) == [failed, ok]
    assert await store.list_attempts("msg_unknown") == []


async def test_a_message_that_failed_for_good_is_never_leased_again(store: Store) -> None:
    _, [message_id] = await endpoint_with_messages(store, 1)
    at = now()
    await store.lease_messages(now=at, limit=10, lease_seconds=30)
    gone = Attempt(message_id, at, None, 10_000.0, "", "ConnectTimeout: timed out")
    await store.finish_attempt(gone, "failed", next_attempt_at=None)
    assert await store.lease_messages(now=at + 10_000, limit=10, lease_seconds=30) == []
    assert await store.list_attempts(message_id) == [gone]


async def test_an_event_for_one_endpoint_reaches_only_that_one(store: Store) -> None:
    client = await make_client(store)
    chosen = await make_endpoint(store, client, ["assignment.submitted"])
    await make_endpoint(store, client)
    _, message_ids = await store.record_event(client.id, "endpoint.test", {}, endpoint_id=chosen.id)
    [leased] = await store.lease_messages(now=now(), limit=10, lease_seconds=30)
    assert message_ids == [leased.id] and leased.endpoint == chosen


async def test_a_lease_takes_at_most_its_limit(store: Store) -> None:
    await endpoint_with_messages(store, 5)
    at = now()
    first = await store.lease_messages(now=at, limit=3, lease_seconds=30)
    rest = await store.lease_messages(now=at, limit=3, lease_seconds=30)
    assert (len(first), len(rest)) == (3, 2)
    assert sorted(m.event.data["i"] for m in first + rest) == [0, 1, 2, 3, 4]


async def test_a_new_message_wakes_a_waiting_delivery_loop(store: Store) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    waiting = asyncio.create_task(store.wait_for_messages(60))
    await asyncio.sleep(0)  # one turn of the loop: the delivery loop is waiting
    await store.record_event(client.id, "endpoint.test", {})
    async with asyncio.timeout(20):  # a failure bound only: the wait ends at the commit
        await waiting
