"""Leases and lifetimes on each store: a heartbeat's deadline taken only as it was decided
(work/rules.py heartbeat_deadline), and the sweep moving tasks past their lifetime to
``expired`` once, with ``task.expired`` and ``project.completed`` (work/rules.py
task_expires)."""

from __future__ import annotations

import asyncio

import pytest

from crowdframe_gateway.core.errors import NotFound
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.store import MessageQuery
from store_world import (
    Opener,
    claim_and_submit,
    make_client,
    make_endpoint,
    make_project,
    make_tasks,
    recorded_events,
)


async def test_a_lease_takes_the_decided_deadline_only_from_the_deadline_it_was_decided_on(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=600)
    [task] = await make_tasks(store, project, 1)
    at = task.created_at
    claimed = await store.claim(Claim(project.id, "w1", "p-w1"), now=at)
    assert claimed is not None and claimed.deadline == at + 600

    longer = await store.extend_lease(claimed.id, deadline=at + 900, was=at + 600)
    assert longer.deadline == at + 900 and longer.status == "accepted"
    stale = await store.extend_lease(claimed.id, deadline=at + 1000, was=at + 600)
    assert stale.deadline == at + 900, "decided on a deadline that has moved since: not taken"
    assert await store.get_assignment(claimed.id) == longer

    assert await store.expire_assignments(now=at + 700) == 0, "the claim's own end has passed"
    assert await store.expire_assignments(now=at + 901) == 1, "the extended one then ends it"
    over = await store.extend_lease(claimed.id, deadline=at + 1500, was=at + 900)
    assert (over.status, over.deadline) == ("expired", at + 900), "an expired lease stays over"
    with pytest.raises(NotFound):
        await store.extend_lease("asg_unknown", deadline=at, was=at)


async def test_tasks_past_their_lifetime_expire_once_with_their_events(store: Store) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client, ["task.expired", "project.completed"])
    project = await make_project(store, client)
    tasks = await make_tasks(store, project, 3, lifetime=100)
    [gold] = await make_tasks(store, project, 1, prefix="g", lifetime=200, gold={"label": "cat"})
    end = gold.expires_at  # the last to end
    answered = await claim_and_submit(store, project, "w1", {"label": "cat"}, at=end - 150)

    assert await store.expire_tasks(now=tasks[0].expires_at - 1) == 0, "still alive"
    assert await store.expire_tasks(now=end) == 3, "two open tasks and the gold one, at the end"
    assert await store.expire_tasks(now=end + 60) == 0, "once"

    stored = await store.get_tasks([t.id for t in [*tasks, gold]])
    assert [stored[t.id].status for t in [*tasks, gold]] == [
        "completed" if t.id == answered.task_id else "expired" for t in tasks
    ] + ["expired"]
    expired = await recorded_events(store, client, "task.expired")
    assert sorted(e["task_id"] for e in expired) == sorted(
        t.id for t in [*tasks, gold] if t.id != answered.task_id
    )
    assert {e["status"] for e in expired} == {"expired"}
    [completed] = await recorded_events(store, client, "project.completed")  # gold: not counted
    assert completed["counts"] == {"tasks": 4, "completed": 1, "cancelled": 0, "expired": 2}
    messages = await store.list_messages(endpoint.id, MessageQuery(10))
    assert sorted(m.event.type for m in messages.items) == [
        "project.completed",
        *["task.expired"] * 3,
    ]
    counted = await store.get_project(project.id)
    assert counted is not None
    assert counted.counts == {"tasks": 4, "open": 0, "completed": 1, "expired": 3}
    assert await store.claim(Claim(project.id, "w2", "p-w2"), now=end - 10) is None
    assert await store.claim(Claim(project.id, "w2", "p-w2", gold=True), now=end - 10) is None
    assert await store.peek_task(project.id, "w2", now=end - 10) is None
    assert await store.unseen_questions(project.id, "w2", now=end - 10) == 0


async def test_a_task_a_worker_still_holds_expires_once_their_time_is_up(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=600)
    [held, free] = await make_tasks(store, project, 2, lifetime=100)
    end = held.expires_at
    claimed = await store.claim(Claim(project.id, "w1", "p-w1"), now=end - 100)
    assert claimed is not None and claimed.task_id == held.id
    assert claimed.deadline == end, "never after its task"

    assert await store.expire_tasks(now=end) == 1, "the one nobody holds"
    assert (await store.get_task(free.id)).status == "expired"  # type: ignore[union-attr]
    assert (await store.get_task(held.id)).status == "open", "w1 may still submit"  # type: ignore[union-attr]
    assert await recorded_events(store, client, "project.completed") == []

    assert await store.expire_assignments(now=end + 1) == 1
    assert await store.expire_tasks(now=end + 1) == 1
    assert (await store.get_task(held.id)).status == "expired"  # type: ignore[union-attr]
    [completed] = await recorded_events(store, client, "project.completed")
    assert (completed["task_id"], completed["counts"]["expired"]) == (held.id, 2)


async def test_an_answer_in_time_completes_a_task_past_its_lifetime(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1, lifetime=100)
    end = task.expires_at
    claimed = await store.claim(Claim(project.id, "w1", "p-w1"), now=end - 10)
    assert claimed is not None
    assert await store.expire_tasks(now=end) == 0, "held"
    await store.submit(claimed.id, Submission({"label": "cat"}), now=end)
    assert await store.expire_tasks(now=end + 1) == 0
    assert (await store.get_task(task.id)).status == "completed"  # type: ignore[union-attr]
    assert await recorded_events(store, client, "task.expired") == []
    assert len(await recorded_events(store, client, "project.completed")) == 1


async def test_sweeps_of_more_than_a_batch_expire_every_task_once(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    tasks = await make_tasks(store, project, 230, lifetime=100)  # batches: 200 SQLite, 50 Redis
    end = max(t.expires_at for t in tasks)
    runs = []
    while expired := await store.expire_tasks(now=end):
        runs.append(expired)
    assert sum(runs) == 230
    events = await recorded_events(store, client, "task.expired")
    assert len(events) == len({e["task_id"] for e in events}) == 230
    assert len(await recorded_events(store, client, "project.completed")) == 1


async def test_processes_sweeping_at_once_expire_each_task_once(open_stores: Opener) -> None:
    stores = [await open_stores() for _ in range(3)]
    client = await make_client(stores[0])
    project = await make_project(stores[0], client)
    tasks = await make_tasks(stores[0], project, 40, lifetime=100)
    end = max(t.expires_at for t in tasks)

    async def sweep(store: Store) -> int:
        total = 0
        while expired := await store.expire_tasks(now=end):
            total += expired
        return total

    assert sum(await asyncio.gather(*map(sweep, stores))) == 40
    assert len(await recorded_events(stores[0], client, "task.expired")) == 40
    assert len(await recorded_events(stores[0], client, "project.completed")) == 1
