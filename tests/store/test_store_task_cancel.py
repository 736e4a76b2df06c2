"""Cancelling a task: it leaves the pool for good, announced, while accepted work may finish."""

from __future__ import annotations

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.store import MessageQuery
from store_world import make_client, make_endpoint, make_project, make_tasks, recorded_events


async def test_a_cancelled_task_is_neither_offered_nor_claimed_and_is_announced(
    store: Store,
) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client, ["task.cancelled"])
    project = await make_project(store, client, per_task=2)
    [task, other] = await make_tasks(store, project, 2)
    taken = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())
    assert taken is not None and taken.task_id == task.id

    cancelled = await store.cancel_task(task.id, now=now())

    assert cancelled is not None and cancelled.status == "cancelled"
    assert (await store.get_task(task.id)).status == "cancelled"  # type: ignore[union-attr]
    assert (await store.peek_task(project.id, "w2", now=now())).id == other.id  # type: ignore[union-attr]
    second = await store.claim(Claim(project.id, "w2", "p-w2"), now=now())
    assert second is not None and second.task_id == other.id
    assert (
        await store.claim(Claim(project.id, "w3", "p-w3"), now=now()) is not None
    )  # other's 2nd seat
    assert await store.claim(Claim(project.id, "w4", "p-w4"), now=now()) is None
    assert await recorded_events(store, client, "task.cancelled") == [
        {"task_id": task.id, "project_id": project.id, "external_id": "e0", "status": "cancelled"}
    ]
    messages = await store.list_messages(endpoint.id, MessageQuery(10))
    assert [m.event.type for m in messages.items] == ["task.cancelled"]


async def test_an_accepted_assignment_on_a_cancelled_task_may_still_be_submitted(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    [task] = await make_tasks(store, project, 1)
    taken = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())
    assert taken is not None
    await store.cancel_task(task.id, now=now())

    submitted = await store.submit(taken.id, Submission({"label": "cat"}), now=now())

    assert submitted.status == "submitted"
    assert (await store.get_task(task.id)).status == "cancelled"  # type: ignore[union-attr]
    assert await recorded_events(store, client, "task.completed") == []


async def test_cancelling_twice_or_a_completed_task_changes_nothing(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    [task, done] = await make_tasks(store, project, 2)
    await store.cancel_task(task.id, now=now())
    again = await store.cancel_task(task.id, now=now())
    claimed = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())
    assert claimed is not None and claimed.task_id == done.id
    await store.submit(claimed.id, Submission({"label": "cat"}), now=now())

    kept = await store.cancel_task(done.id, now=now())

    assert again is not None and again.status == "cancelled"
    assert kept is not None and kept.status == "completed"
    assert len(await recorded_events(store, client, "task.cancelled")) == 1
    assert await store.cancel_task("tsk_missing", now=now()) is None
