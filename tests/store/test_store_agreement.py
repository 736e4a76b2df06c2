"""When a task's answers disagree, one more worker is asked, up to the project's maximum."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any

import pytest

from crowdframe_gateway.core.agreement import aggregate, needs_another_answer
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from store_world import (
    Opener,
    all_assignments,
    claim_and_submit,
    make_client,
    make_project,
    make_tasks,
    recorded_events,
)


async def test_a_disagreement_asks_one_more_worker_then_completes(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2, agreement_min=0.6, assignments_max=3)
    [task] = await make_tasks(store, project, 1)
    await claim_and_submit(store, project, "w1", {"label": "cat"})
    await claim_and_submit(store, project, "w2", {"label": "Dog"})
    still = await store.get_task(task.id)
    assert still is not None and still.status == "open", "a tie is below 60 %"
    assert await recorded_events(store, client, "task.completed") == []
    assert (await store.open_projects("w1", now=now())).items == [], "never to a worker twice"
    assert [n for _, n in (await store.open_projects("w3", now=now())).items] == [1]
    await claim_and_submit(store, project, "w3", {"label": " CAT"})
    done = await store.get_task(task.id)
    assert done is not None and done.status == "completed"
    assert await store.claim(Claim(project.id, "w4", "p"), now=now()) is None
    [data] = await recorded_events(store, client, "task.completed")
    assert data["aggregate"] == {
        "label": {"value": "cat", "agreement": 0.6667, "votes": {"cat": 2, "Dog": 1}}
    }
    assert [s["worker_id"] for s in data["submissions"]] == ["p-w1", "p-w2", "p-w3"]
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts == {
        "tasks": 1,
        "open": 0,
        "completed": 1,
        "expired": 0,
    }


async def test_agreement_or_the_maximum_completes_a_task_at_once(store: Store) -> None:
    client = await make_client(store)
    agreeing = await make_project(store, client, per_task=2, agreement_min=0.6, assignments_max=3)
    capped = await make_project(store, client, per_task=2, agreement_min=0.9, assignments_max=2)
    plain = await make_project(store, client, per_task=2)  # no minimum: never more
    for project, answers in ((agreeing, ("a", "a")), (capped, ("a", "b")), (plain, ("a", "b"))):
        [task] = await make_tasks(store, project, 1)
        for n, answer in enumerate(answers):
            await claim_and_submit(store, project, f"w{n}", {"x": answer})
        done = await store.get_task(task.id)
        assert done is not None and done.status == "completed", project.spec
    completed = await recorded_events(store, client, "task.completed")
    assert [d["aggregate"]["x"]["value"] for d in completed] == ["a", None, None]


async def test_answers_without_categorical_fields_never_ask_for_more(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2, agreement_min=0.9, assignments_max=5)
    [task] = await make_tasks(store, project, 1)
    await claim_and_submit(store, project, "w1", {"boxes": [1, 2]})
    await claim_and_submit(store, project, "w2", {"boxes": [3]})
    done = await store.get_task(task.id)
    assert done is not None and done.status == "completed"


async def test_concurrent_answers_complete_each_task_once_by_the_rule(open_stores: Opener) -> None:
    stores = [await open_stores() for _ in range(3)]
    client = await make_client(stores[0])
    project = await make_project(
        stores[0], client, per_task=2, agreement_min=0.7, assignments_max=4
    )
    await make_tasks(stores[0], project, 15)

    async def worker(number: int) -> None:
        """Works until every task is complete: a seat may open again after a disagreement."""
        store = stores[number % len(stores)]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            claimed = await store.claim(Claim(project.id, f"w{number}", "p"), now=now())
            if claimed is None:
                counted = await store.get_project(project.id)
                if counted is None or counted.counts["open"] == 0:
                    return
                await asyncio.sleep(0.01)
                continue
            await asyncio.sleep(0)
            label = "cat" if number % 3 else "dog"  # every third worker disagrees
            await store.submit(claimed.id, Submission({"label": label}), now=now())

    await asyncio.gather(*(worker(n) for n in range(40)))
    answers: dict[str, list[Any]] = defaultdict(list)
    for a in await all_assignments(stores[0], client.id):
        assert a.status == "submitted"
        answers[a.task_id].append(a.result)
    completed = await recorded_events(stores[0], client, "task.completed")
    completed_ids = [d["task_id"] for d in completed]
    assert len(completed_ids) == len(set(completed_ids)), "each task completed at most once"
    for task_id, results in answers.items():
        # a worker whose claim found nothing has left; a seat opened after that stays open
        assert task_id in completed_ids or needs_another_answer(
            aggregate(results), len(results), agreement_min=0.7, most=4
        ), "a task left open is one still waiting for another answer"
    for data in completed:
        results = answers[data["task_id"]]
        assert [s["result"] for s in data["submissions"]] == results
        assert 2 <= len(results) <= 4
        assert not needs_another_answer(
            aggregate(results), len(results), agreement_min=0.7, most=4
        ), "complete only when the rule says so"
        assert len(results) == 2 or needs_another_answer(
            aggregate(results[:-1]), len(results) - 1, agreement_min=0.7, most=4
        ), "one more only when the answers before it disagreed"


# The agreement rule, one table for the rule itself and for both stores (SQLite decides inside
# its transaction, Redis with submit.lua asking aggregation for the decision): seats per task,
# agreement_min, assignments_max, the answers in order -> how many answers complete the task.
AGREEMENT_CASES = [
    (2, 0.6, 3, ["cat", "Dog", " CAT"], 3),  # a tie asks one more
    (2, 0.6, 3, ["a", "a"], 2),  # agreement at once
    (2, 0.5, 3, ["a", "b"], 2),  # exactly the minimum is enough
    (2, 0.9, 2, ["a", "b"], 2),  # no more than the maximum
    (3, 0.5, 3, ["a", "b", "c"], 3),  # the seats are the maximum already
    (2, 0.0, 5, ["a", "b"], 2),  # no minimum: never more
    (1, 0.9, 3, ["a"], 1),  # one answer agrees with itself
    (2, 0.7, 4, ["a", "b", "a", "b"], 4),  # 1/2, then 2/3 below 70 %, then the maximum
    (2, 0.9, 5, [[1, 2], [3]], 2),  # answers without categorical fields never ask for more
]


def completing_answer(per_task: int, agreement_min: float, most: int, answers: list[Any]) -> int:
    """After how many answers the rule completes a task (each answer is one field ``x``)."""
    seats, results = per_task, []
    for answer in answers:
        results.append({"x": answer})
        if len(results) == seats:
            if not needs_another_answer(
                aggregate(results), len(results), agreement_min=agreement_min, most=most
            ):
                return len(results)
            seats += 1
    raise AssertionError("the task is still waiting for answers")


@pytest.mark.parametrize(("per_task", "agreement_min", "most", "answers", "done"), AGREEMENT_CASES)
def test_the_agreement_rule(
    per_task: int, agreement_min: float, most: int, answers: list[Any], done: int
) -> None:
    assert completing_answer(per_task, agreement_min, most, answers) == done


@pytest.mark.parametrize(("per_task", "agreement_min", "most", "answers", "done"), AGREEMENT_CASES)
async def test_each_store_completes_a_task_as_the_rule_decides(
    store: Store, per_task: int, agreement_min: float, most: int, answers: list[Any], done: int
) -> None:
    client = await make_client(store)
    project = await make_project(
        store, client, per_task=per_task, agreement_min=agreement_min, assignments_max=most
    )
    [task] = await make_tasks(store, project, 1)
    for n, answer in enumerate(answers, start=1):
        await claim_and_submit(store, project, f"w{n}", {"x": answer})
        stored = await store.get_task(task.id)
        assert stored is not None and stored.status == ("completed" if n >= done else "open")
    assert await store.claim(Claim(project.id, "w-late", "p"), now=now()) is None
    [completed] = await recorded_events(store, client, "task.completed")
    assert [s["result"]["x"] for s in completed["submissions"]] == answers
