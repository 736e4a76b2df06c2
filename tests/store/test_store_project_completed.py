"""project.completed: sent by the change that closes a project's last open task, once each time
the project runs out of open tasks."""

from __future__ import annotations

from typing import Any

import pytest

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.store import MessageQuery
from store_world import (
    claim_and_submit,
    make_client,
    make_endpoint,
    make_project,
    make_tasks,
    recorded_events,
)


async def test_the_last_task_closing_completes_the_project_and_new_tasks_reopen_it(
    store: Store,
) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client, ["project.completed"])
    project = await make_project(store, client, per_task=1)
    [_, second] = await make_tasks(store, project, 2)

    await claim_and_submit(store, project, "w1", {"label": "cat"})
    assert await recorded_events(store, client, "project.completed") == []
    await store.cancel_task(second.id, now=now())  # the last open task: closed by a cancel
    await store.cancel_task(second.id, now=now())  # again: nothing closes, nothing is sent

    counts = {"tasks": 2, "completed": 1, "cancelled": 1, "expired": 0}
    assert await recorded_events(store, client, "project.completed") == [
        {"project_id": project.id, "task_id": second.id, "counts": counts}
    ]
    messages = await store.list_messages(endpoint.id, MessageQuery(10))
    assert [m.event.type for m in messages.items] == ["project.completed"]

    await make_tasks(store, project, 1, prefix="later")  # reopens the project
    await claim_and_submit(store, project, "w1", {"label": "dog"})  # closed by a submission
    events = await recorded_events(store, client, "project.completed")
    assert [e["counts"] for e in events] == [counts, {**counts, "tasks": 3, "completed": 2}]


async def test_gold_tasks_and_late_answers_on_cancelled_tasks_do_not_hold_it_open(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    await make_tasks(store, project, 1, prefix="g", gold={"label": "cat"})
    [task] = await make_tasks(store, project, 1)
    taken = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())
    assert taken is not None and taken.task_id == task.id

    await store.cancel_task(task.id, now=now())
    await store.submit(taken.id, Submission({"label": "cat"}), now=now())  # kept; closes no more

    [event] = await recorded_events(store, client, "project.completed")
    assert event["counts"] == {"tasks": 2, "completed": 0, "cancelled": 1, "expired": 0}


async def test_a_task_still_waiting_for_answers_keeps_the_project_open(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    await make_tasks(store, project, 1)
    await claim_and_submit(store, project, "w1", {"label": "cat"})
    assert await recorded_events(store, client, "project.completed") == []
    await claim_and_submit(store, project, "w2", {"label": "cat"})
    assert len(await recorded_events(store, client, "project.completed")) == 1


# project.completed, one table for both stores (each writes it in the closing change): the
# project's tasks and steps -> how many project.completed events there are after each step.
# Steps: "answer i" (a new worker claims and submits task i), "take i" (claims it only),
# "late" (the taken one is submitted), "cancel i", "add" (one more task).
COMPLETED_CASES = [
    ({}, 2, ["answer 0", "answer 1"], [0, 1]),
    ({}, 2, ["answer 0", "cancel 1", "cancel 1"], [0, 1, 1]),  # a second cancel closes nothing
    ({"per_task": 2}, 1, ["answer 0", "answer 0"], [0, 1]),  # waiting for answers: still open
    ({"gold": True}, 1, ["answer 0"], [1]),  # an open gold task does not hold it open
    ({}, 1, ["take 0", "cancel 0", "late"], [0, 1, 1]),  # a late answer closes nothing more
    ({}, 1, ["answer 0", "add", "answer 1"], [1, 1, 2]),  # new tasks reopen it
    (
        {"per_task": 2, "agreement_min": 0.6, "assignments_max": 3},
        1,
        ["answer 0", "answer 0", "answer 0"],  # the answers disagree: one more worker first
        [0, 0, 1],
    ),
]


@pytest.mark.parametrize(("settings", "count", "steps", "announced"), COMPLETED_CASES)
async def test_each_store_announces_the_project_completed_as_the_table_says(
    store: Store, settings: dict[str, Any], count: int, steps: list[str], announced: list[int]
) -> None:
    client = await make_client(store)
    spec = {k: v for k, v in settings.items() if k != "gold"}
    project = await make_project(store, client, **spec)
    if settings.get("gold"):
        await make_tasks(store, project, 1, prefix="g", gold={"label": "cat"})
    tasks = await make_tasks(store, project, count)
    taken = None
    labels = iter(["cat", "dog", "cat"])
    for n, (step, expected) in enumerate(zip(steps, announced, strict=True)):
        action, _, index = step.partition(" ")
        if action == "answer":
            await claim_and_submit(store, project, f"w{n}", {"label": next(labels)})
        elif action == "take":
            taken = await store.claim(Claim(project.id, "w-late", "p-w-late"), now=now())
        elif action == "late":
            assert taken is not None
            await store.submit(taken.id, Submission({"label": "cat"}), now=now())
        elif action == "cancel":
            await store.cancel_task(tasks[int(index)].id, now=now())
        else:
            tasks += await make_tasks(store, project, 1, prefix=f"add{n}-")
        events = await recorded_events(store, client, "project.completed")
        assert len(events) == expected, step
