"""Leasing fairly: a task's messages in order, a cap per endpoint across processes, and what a
finished attempt does to its message and endpoint, on every store."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Attempt, Message, now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.store import AttemptResult, DeliveryOutcome
from store_world import (
    Opener,
    endpoint_with_messages,
    make_client,
    make_endpoint,
    make_project,
    make_tasks,
)


def _result(
    m: Message, outcome: DeliveryOutcome, at: float, retry: float | None = None
) -> AttemptResult:
    code = 200 if outcome == "delivered" else 500
    return AttemptResult(Attempt(m.id, at, code, 2.0, "", None), outcome, retry)


# -- which due messages a lease takes ---------------------------------------------------------
# Each store states this once, inside its atomic lease (SQLite: outbox._LEASABLE and _within_caps;
# Redis: lease_messages.lua, with the free slots of rules.free_slots as ARGV); this table holds
# both to the same answers.

# ("lease", limit, at, None): a lease then; ("retry" | "delivered", message, at, retry at or None)
Step = tuple[str, int, float, float | None]


@dataclass(frozen=True)
class LeaseCase:
    messages: list[tuple[str, str | None]]  # (endpoint "a" or "b", task or None), oldest first
    steps: list[Step]  # what happened before, at seconds after the last message was recorded
    expected: list[int]  # what a lease at ``at`` takes, oldest due first
    limit: int = 10
    cap: int = 16
    at: float = 2


LEASES = {
    "a task's next message waits for the one never tried": LeaseCase(
        [("a", "t1"), ("a", "t1")], [], [0]
    ),
    "and for the one in flight": LeaseCase([("a", "t1"), ("a", "t1")], [("lease", 1, 0, None)], []),
    "an untried one whose lease ran out goes again, still first": LeaseCase(
        [("a", "t1"), ("a", "t1")], [("lease", 1, 0, None)], [0], at=31
    ),
    "a failed one waiting for its retry holds nothing back": LeaseCase(
        [("a", "t1"), ("a", "t1")], [("lease", 1, 0, None), ("retry", 0, 0, 300)], [1]
    ),
    "a delivered one holds nothing back": LeaseCase(
        [("a", "t1"), ("a", "t1")], [("lease", 1, 0, None), ("delivered", 0, 0, None)], [1]
    ),
    "other tasks, and messages of no task, go alongside": LeaseCase(
        [("a", "t1"), ("a", "t1"), ("a", "t2"), ("a", None)], [], [0, 2, 3]
    ),
    "the task's messages to another endpoint go alongside": LeaseCase(
        [("a", "t1"), ("a", "t1"), ("b", "t1")], [], [0, 2]
    ),
    "an endpoint takes up to its cap, the others go on": LeaseCase(
        [("a", None)] * 5 + [("b", None)], [], [0, 1, 5], cap=2
    ),
    "leases in flight count towards the cap": LeaseCase(
        [("a", None)] * 4 + [("b", None)], [("lease", 1, 0, None)], [1, 4], cap=2
    ),
    "the limit takes the oldest due across endpoints": LeaseCase(
        [("a", None), ("b", None), ("a", None), ("b", None)], [], [0, 1, 2], limit=3
    ),
    "a retry is due at its retry time, after what is due before it": LeaseCase(
        [("a", None), ("a", None)], [("lease", 1, 0, None), ("retry", 0, 0, 1)], [1, 0]
    ),
}


@pytest.mark.parametrize("case", LEASES.values(), ids=LEASES.keys())
async def test_which_due_messages_a_lease_takes(store: Store, case: LeaseCase) -> None:
    client = await make_client(store)
    endpoints = {"a": await make_endpoint(store, client), "b": await make_endpoint(store, client)}
    ids: list[str] = []
    for i, (endpoint, task) in enumerate(case.messages):
        data = {"i": i} if task is None else {"i": i, "task_id": task}
        _, [message_id] = await store.record_event(
            client.id, "endpoint.test", data, endpoint_id=endpoints[endpoint].id
        )
        ids.append(message_id)
    base = now()
    leased: dict[str, Message] = {}
    for kind, n, at, retry in case.steps:
        if kind == "lease":
            got = await store.lease_messages(now=base + at, limit=n, lease_seconds=30)
            assert got, "a step's lease takes something"
            leased.update((m.id, m) for m in got)
        else:
            outcome: DeliveryOutcome = "delivered" if kind == "delivered" else "retry"
            again = None if retry is None else base + retry
            await store.finish_attempts([_result(leased[ids[n]], outcome, base + at, again)])
    got = await store.lease_messages(
        now=base + case.at, limit=case.limit, lease_seconds=30, per_endpoint=case.cap
    )
    assert [ids.index(m.id) for m in got] == case.expected


async def test_a_tasks_messages_go_out_one_after_another(store: Store) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1)
    claimed = await store.claim(Claim(project.id, "w1", "p1"), now=now())
    assert claimed is not None
    await store.submit(claimed.id, Submission({"label": "cat"}), now=now())
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
    claimed = await store.claim(Claim(project.id, "w1", "p1"), now=now())
    assert claimed is not None
    at = now()
    [accepted] = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    await store.submit(claimed.id, Submission({"label": "cat"}), now=at)
    await store.finish_attempt(
        Attempt(accepted.id, at, 500, 1.0, "", None), "retry", next_attempt_at=at + 300
    )
    later = await store.lease_messages(now=at + 1, limit=10, lease_seconds=30)
    assert [m.event.type for m in later] == ["assignment.submitted"]


async def test_an_endpoint_holds_at_most_its_share_across_processes(
    open_stores: Opener,
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
    await endpoint_with_messages(store, 3)
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
    endpoint, _ = await endpoint_with_messages(store, 3)
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
