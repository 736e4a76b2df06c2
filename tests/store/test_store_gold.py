"""Gold tasks: known answers served to every worker once, and the record that stops a worker."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import GoldStats, now
from crowdframe_gateway.quality.rules import grade_gold
from crowdframe_gateway.runtime import Store
from store_world import (
    answer_gold,
    claim_and_submit,
    make_client,
    make_project,
    make_tasks,
    recorded_events,
)

CAT = {"label": "cat"}

# The gold stop rule, one table for the rule itself and for both stores: a worker's gold
# answers (right or wrong), min answers, min accuracy -> after which answer they are stopped
# (None: never). Once stopped, a worker stays stopped, told once.
STOP_CASES = [
    ([False, False], 3, 0.7, None),  # too few answers yet
    ([False, False, True], 3, 0.7, 3),  # 1 of 3 is below 70 %
    ([True, True, False], 3, 0.6, None),  # 2 of 3 is not
    ([True, False], 2, 0.5, None),  # exactly the minimum is enough
    ([False], 1, 0.5, 1),
    ([False, True, True, True], 1, 0.5, 1),  # right answers later do not lift a stop
    ([True, False, True, False], 4, 0.75, 4),
    ([True, True, True], 0, 1.0, None),  # all right is never below
    ([False, False], 1, 0.0, None),  # no minimum accuracy: nobody is stopped
]


async def test_gold_tasks_go_to_every_worker_once_and_only_when_asked_for(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    [gold] = await make_tasks(store, project, 1, prefix="gold-", gold=CAT)
    [real] = await make_tasks(store, project, 1)
    at = now()
    for worker in ("w1", "w2", "w3"):  # one seat per task, yet every worker gets the gold one
        claimed = await store.claim(Claim(project.id, worker, "p", gold=True), now=at)
        assert claimed is not None and claimed.task_id == gold.id
    again = await store.claim(Claim(project.id, "w1", "p", gold=True), now=at)
    assert again is not None and again.task_id == real.id, "seen it: real work instead"
    assert await store.claim(Claim(project.id, "w2", "p", gold=True), now=at) is None
    stored = await store.get_task(gold.id)
    assert stored is not None and stored.gold == CAT


async def test_normal_claims_offers_and_previews_never_show_gold(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2, prefix="gold-", gold=CAT)
    assert (await store.open_projects("w1", now=now())).items == []
    assert await store.peek_task(project.id, "w1", now=now()) is None
    assert await store.claim(Claim(project.id, "w1", "p"), now=now()) is None
    [real] = await make_tasks(store, project, 1)
    [(offered, available)] = (await store.open_projects("w1", now=now())).items
    assert (offered.id, available) == (project.id, 1)
    assert offered.counts == {"tasks": 3, "open": 3, "completed": 0, "expired": 0}
    assert await store.peek_task(project.id, "w1", now=now()) == real
    claimed = await store.claim(Claim(project.id, "w1", "p"), now=now())
    assert claimed is not None and claimed.task_id == real.id


async def test_an_expired_gold_task_is_not_served(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    [gold] = await make_tasks(store, project, 1, prefix="gold-", lifetime=60, gold=CAT)
    later = gold.expires_at + 1
    assert await store.claim(Claim(project.id, "w1", "p", gold=True), now=later) is None


async def test_gold_tasks_never_complete_and_a_returned_one_is_not_offered_as_work(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    [gold] = await make_tasks(store, project, 1, prefix="gold-", gold=CAT)
    for worker in ("w1", "w2"):
        await claim_and_submit(store, project, worker, CAT, gold=True)
    returned = await store.claim(Claim(project.id, "w3", "p", gold=True), now=now())
    assert returned is not None
    await store.return_assignment(returned.id, now=now())
    stored = await store.get_task(gold.id)
    assert stored is not None and stored.status == "open"
    assert (await store.open_projects("w4", now=now())).items == [], "gold never counts as work"
    assert await store.claim(Claim(project.id, "w4", "p"), now=now()) is None
    fresh = await store.claim(Claim(project.id, "w4", "p", gold=True), now=now())
    assert fresh is not None and fresh.task_id == gold.id
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts == {
        "tasks": 1,
        "open": 1,
        "completed": 0,
        "expired": 0,
    }


async def test_a_worker_below_the_accuracy_is_stopped_once_and_told_once(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 4, prefix="gold-", gold=CAT)
    other = await make_project(store, client)

    async def answer(worker: str, correct: bool) -> GoldStats:
        return await answer_gold(store, project, worker, correct, min_answers=3, min_accuracy=0.7)

    await answer("w1", False)
    second = await answer("w1", False)
    assert (second.answered, second.correct, second.stopped) == (2, 0, False), "too few yet"
    assert not await store.is_blocked(client.id, "w1", "p-w1", project.id)
    third = await answer("w1", True)
    assert (third.answered, third.correct, third.stopped) == (3, 1, True)
    assert third.accuracy == 1 / 3
    fourth = await answer("w1", True)
    assert (fourth.answered, fourth.correct, fourth.stopped) == (4, 2, True), "stays stopped"
    for _ in range(3):
        await answer("w2", True)
    assert await store.is_blocked(client.id, "w1", "p-w1", project.id)
    assert not await store.is_blocked(client.id, "w1", "p-w1", other.id), "on that project only"
    assert not await store.is_blocked(client.id, "w2", "p-w2", project.id)
    assert await recorded_events(store, client, "worker.stopped") == [
        {
            "project_id": project.id,
            "worker_id": "p-w1",
            "gold_answered": 3,
            "gold_correct": 1,
            "reason": "accuracy on gold tasks below the project's minimum",
        }
    ]


async def test_gold_records_are_listed_most_answers_first(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 3, prefix="gold-", gold=CAT)
    for worker, answers in (("w1", [True]), ("w2", [True, False, True]), ("w3", [False] * 2)):
        for correct in answers:
            await answer_gold(store, project, worker, correct, min_answers=5, min_accuracy=0.5)
    stats = await store.gold_stats(project.id)
    assert [(g.worker_id, g.worker_pseudonym, g.answered, g.correct) for g in stats] == [
        ("w2", "p-w2", 3, 2),
        ("w3", "p-w3", 2, 0),
        ("w1", "p-w1", 1, 1),
    ]
    assert {g.project_id for g in stats} == {project.id}
    assert not any(g.stopped for g in stats)
    assert await store.gold_stats((await make_project(store, client)).id) == []


def stopped_after(answers: list[bool], min_answers: int, min_accuracy: float) -> int | None:
    """The answer after which the grades stop the worker, folding grade_gold over a record."""
    record: GoldStats | None = None
    first = None
    for n, correct in enumerate(answers, start=1):
        grade = grade_gold(
            record, correct=correct, min_answers=min_answers, min_accuracy=min_accuracy
        )
        assert grade.seen == n - 1
        record = GoldStats(
            "p", "w", "p-w", n, (record.correct if record else 0) + correct, grade.stop
        )
        if grade.stop and first is None:
            first = n
        assert grade.stop == (first is not None), "a stopped worker stays stopped"
    return first


@pytest.mark.parametrize(("answers", "min_answers", "min_accuracy", "stop_at"), STOP_CASES)
def test_the_gold_stop_rule(
    answers: list[bool], min_answers: int, min_accuracy: float, stop_at: int | None
) -> None:
    assert stopped_after(answers, min_answers, min_accuracy) == stop_at


@pytest.mark.parametrize(("answers", "min_answers", "min_accuracy", "stop_at"), STOP_CASES)
async def test_each_store_stops_a_worker_as_the_rule_decides(
    store: Store, answers: list[bool], min_answers: int, min_accuracy: float, stop_at: int | None
) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, len(answers), prefix="gold-", gold=CAT)
    for n, correct in enumerate(answers, start=1):
        record = await answer_gold(
            store, project, "w1", correct, min_answers=min_answers, min_accuracy=min_accuracy
        )
        assert (record.answered, record.correct) == (n, sum(answers[:n]))
        assert record.stopped == (stop_at is not None and n >= stop_at)
    stopped = await recorded_events(store, client, "worker.stopped")
    assert [(e["gold_answered"], e["gold_correct"]) for e in stopped] == (
        [] if stop_at is None else [(stop_at, sum(answers[:stop_at]))]
    )
    assert await store.is_blocked(client.id, "w1", "p-w1", project.id) == (stop_at is not None)
