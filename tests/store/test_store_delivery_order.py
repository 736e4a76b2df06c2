"""Leasing fairly: a task's messages in order, a cap per endpoint across processes, and what a
finished attempt does to its message and endpoint, on every store."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from crowdframe_gateway.core.records import Attempt, Message, now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.store import AttemptResult, DeliveryOutcome
from store_world import make_client, make_endpoint, make_project, make_tasks


def _result(
    m: Message, outcome: DeliveryOutcome, at: float, retry: float | None = None
) -> AttemptResult:
    code = 200 if outcome == "delivered" else 500
    return AttemptResult(Attempt(m.id, at, code, 2.0, "", None), outcome, retry)


async def test_a_tasks_messages_go_out_one_after_another(store: Store) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1)
    claimed = await store.claim(project.id, "w1", "p1", now=now())
    assert claimed is not None
    await store.submit(claimed.id, {"label": "cat"}, now=now())
    seen, tasks = [], set()
    while batch := await store.lease_messages(now=now(), limit=10, lease_seconds=30):
        assert len(batch) == 1, "one message of the task in flight at a time"
        seen.append(batch[0].event.type)
        tasks.add(batch[0].event.data["task_id"])
        assert await store.lease_messages(now=now(), limit=10, lease_seconds=30) == []
        await store.finish_attempts([_result(batch[0], "delivered", now())])
    assert seen == [
        "assignment.accepted",
        "assignment.submitted",
        "task.completed",
        "project.completed",  # its last task closed: after that task's own messages
    ]
    assert tasks == {task.id}


async def test_a_failed_message_waiting_for_its_retry_does_not_hold_back_the_next(
    store: Store,
) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    project = await make_project(store, client)
    await make_tasks(store, project, 1)
    claimed = await store.claim(project.id, "w1", "p1", now=now())
    assert claimed is not None
    at = now()
    [accepted] = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    await store.submit(claimed.id, {"label": "cat"}, now=at)
    await store.finish_attempt(
        Attempt(accepted.id, at, 500, 1.0, "", None), "retry", next_attempt_at=at + 300
    )
    later = await store.lease_messages(now=at + 1, limit=10, lease_seconds=30)
    assert [m.event.type for m in later] == ["assignment.submitted"]


async def test_an_endpoint_holds_at_most_its_share_across_processes(
    open_stores: Callable[[], Awaitable[Store]],
) -> None:
    stores = [await open_stores() for _ in range(3)]
    client = await make_client(stores[0])
    slow, fast = await make_endpoint(stores[0], client), await make_endpoint(stores[0], client)
    for i in range(20):
        await stores[0].record_event(client.id, "endpoint.test", {"i": i}, endpoint_id=slow.id)
    await stores[0].record_event(client.id, "endpoint.test", {"i": 99}, endpoint_id=fast.id)
    at = now()
    at_once = await asyncio.gather(
        *(s.lease_messages(now=at, limit=3, lease_seconds=30, per_endpoint=4) for s in stores * 2)
    )
    leased = [m for lease in at_once for m in lease]
    for s in stores * 2:  # and one after another
        leased += await s.lease_messages(now=at, limit=3, lease_seconds=30, per_endpoint=4)
    assert len({m.id for m in leased}) == len(leased)
    assert len([m for m in leased if m.endpoint.id == slow.id]) == 4
    assert [m.endpoint.id for m in leased].count(fast.id) == 1, "the other endpoint goes ahead"
    first = next(m for m in leased if m.endpoint.id == slow.id)
    await stores[1].finish_attempts([_result(first, "delivered", at)])
    more = await stores[2].lease_messages(now=at, limit=10, lease_seconds=30, per_endpoint=4)
    assert len(more) == 1, "a finished attempt frees its slot at once"
    expired = await stores[0].lease_messages(
        now=at + 31, limit=50, lease_seconds=30, per_endpoint=4
    )
    assert len(expired) == 5, "leases that ran out free their slots (4 + the other endpoint)"


async def test_a_long_backlog_at_its_cap_hides_no_other_endpoints_message(store: Store) -> None:
    client = await make_client(store)
    busy, quiet = await make_endpoint(store, client), await make_endpoint(store, client)
    for i in range(300):  # more than a lease looks at in one go
        await store.record_event(client.id, "endpoint.test", {"i": i}, endpoint_id=busy.id)
    await store.record_event(client.id, "endpoint.test", {"i": -1}, endpoint_id=quiet.id)
    at = now()
    first = await store.lease_messages(now=at, limit=2, lease_seconds=30, per_endpoint=2)
    assert [m.event.data["i"] for m in first] == [0, 1]
    behind = await store.lease_messages(now=at, limit=10, lease_seconds=30, per_endpoint=2)
    assert [(m.endpoint.id, m.event.data["i"]) for m in behind] == [(quiet.id, -1)]
    assert await store.lease_messages(now=at, limit=10, lease_seconds=30, per_endpoint=2) == []
    await store.finish_attempts([_result(m, "delivered", at) for m in first])
    await store.record_event(client.id, "endpoint.test", {"i": -2}, endpoint_id=quiet.id)
    later = await store.lease_messages(now=now(), limit=10, lease_seconds=30, per_endpoint=2)
    assert sorted(m.event.data["i"] for m in later) == [-2, 2, 3], "the oldest of each first"


async def test_every_finished_attempt_in_a_batch_counts(store: Store) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    for i in range(3):
        await store.record_event(client.id, "endpoint.test", {"i": i})
    at = now()
    one, two, three = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    await store.finish_attempts(
        [
            _result(one, "delivered", at),
            _result(two, "delivered", at),
            _result(three, "retry", at, at + 60),
            _result(three, "retry", at + 1, at + 60),  # two attempts of one message, one batch
        ]
    )
    found = [await store.get_message(m.id) for m in (one, two, three)]
    assert [(m.status, m.attempts) for m in found if m is not None] == [
        ("delivered", 1),
        ("delivered", 1),
        ("pending", 2),
    ]


async def test_failures_start_the_endpoints_failing_clock_and_a_success_stops_it(
    store: Store,
) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client)
    for i in range(3):
        await store.record_event(client.id, "endpoint.test", {"i": i})
    at = now()
    one, two, three = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    await store.finish_attempts([_result(one, "retry", at + 1, at + 60)])
    await store.finish_attempts([_result(two, "retry", at + 2, at + 60)])
    found = await store.get_endpoint(endpoint.id)
    assert found is not None and found.failing_since == at + 1, "the run's first failure"
    await store.finish_attempts(
        [_result(three, "delivered", at + 3), _result(one, "retry", at + 4, at + 90)]
    )
    found = await store.get_endpoint(endpoint.id)
    assert found is not None and found.failing_since == at + 4, "a new run after a success"
    await store.finish_attempt(
        Attempt(two.id, at + 5, 204, 1.0, "", None), "delivered", next_attempt_at=None
    )
    found = await store.get_endpoint(endpoint.id)
    assert found is not None and found.failing_since is None
    assert [a.status_code for a in await store.list_attempts(one.id)] == [500, 500]
    message = await store.get_message(one.id)
    assert message is not None and (message.status, message.attempts) == ("pending", 2)
    assert message.next_attempt_at == at + 90


async def test_a_retry_for_an_endpoint_disabled_meanwhile_fails(store: Store) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client)
    await store.record_event(client.id, "endpoint.test", {})
    at = now()
    [leased] = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    assert await store.disable_endpoint(endpoint.id, reason="410 Gone", now=at)
    await store.finish_attempt(
        Attempt(leased.id, at, 500, 1.0, "", None), "retry", next_attempt_at=at + 5
    )
    message = await store.get_message(leased.id)
    assert message is not None and message.status == "failed"
    assert await store.lease_messages(now=at + 10, limit=10, lease_seconds=30) == []
