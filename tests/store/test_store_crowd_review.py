"""Crowd review in the store: review tasks their submitter never gets, created once; the queue
of answers to review, filled by the submission itself; who reviewed, in the review event."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crowdframe_gateway.core.errors import NotFound
from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import Assignment, CrowdReview, Project, Task, new_id, now
from crowdframe_gateway.runtime import Store
from store_world import (
    Opener,
    answer_gold,
    claim_and_submit,
    make_client,
    make_project,
    make_tasks,
    recorded_events,
)

CROWD = CrowdReview(task_url="http://localhost:9/review", reward_cents=2, reviewers=2)


def review_of(project: Project, answer_id: str) -> Task:
    at = now()
    return Task(
        "tsk_rv" + answer_id[-12:],
        project.id,
        answer_id,
        {"assignment_id": answer_id, "result": {"label": "cat"}},
        "open",
        at,
        at + 3600,
    )


async def bob_reviewing_alice(store: Store) -> tuple[Project, Task, Assignment]:
    """A review project (two reviewers a task) with one task, alice's answer to review,
    that bob has claimed: the project, the task and bob's assignment."""
    client = await make_client(store)
    reviews = await make_project(store, client, per_task=2, kind="review")
    task = await store.add_review_task(
        review_of(reviews, "asg_answer_by_alice"), excluded_worker="alice"
    )
    bob = await store.claim(Claim(reviews.id, "bob", "p-bob"), now=now())
    assert bob is not None
    return reviews, task, bob


async def test_the_submitter_is_never_offered_given_or_shown_a_review_of_their_answer(
    store: Store,
) -> None:
    client = await make_client(store)
    reviews = await make_project(store, client, per_task=2, kind="review")
    task = review_of(reviews, "asg_answer_by_alice")
    stored = await store.add_review_task(task, excluded_worker="alice")
    assert stored == task
    assert await store.peek_task(reviews.id, "alice", now=now()) is None
    assert await store.claim(Claim(reviews.id, "alice", "p-alice"), now=now()) is None
    offered = {p.id: n for p, n in (await store.open_projects("alice", now=now())).items}
    assert reviews.id not in offered, "nothing to review for the answer's own worker"
    assert {p.id: n for p, n in (await store.open_projects("bob", now=now())).items}[
        reviews.id
    ] == 1
    assert (await store.peek_task(reviews.id, "bob", now=now())) == task
    bob = await store.claim(Claim(reviews.id, "bob", "p-bob"), now=now())
    carol = await store.claim(Claim(reviews.id, "carol", "p-carol"), now=now())
    assert bob is not None and carol is not None and bob.task_id == carol.task_id == task.id
    assert await store.claim(Claim(reviews.id, "alice", "p-alice"), now=now()) is None


async def test_a_review_task_is_created_once_however_often_it_is_added(
    open_stores: Opener,
) -> None:
    one, two = await open_stores(), await open_stores()
    client = await make_client(one)
    reviews = await make_project(one, client, per_task=3, kind="review")
    task = review_of(reviews, "asg_answer_by_alice")
    first = await one.add_review_task(task, excluded_worker="alice")
    later = replace(task, input={"changed": True}, created_at=task.created_at + 5)
    again = await two.add_review_task(later, excluded_worker="alice")
    assert again == first, "the first one stands"
    assert (await two.get_project(reviews.id)).counts["tasks"] == 1  # type: ignore[union-attr]
    assert await two.get_task(task.id) == task


async def test_each_answer_of_a_crowd_reviewed_project_is_queued_by_its_submission(
    store: Store,
) -> None:
    client = await make_client(store)
    work = await make_project(store, client, crowd_review=CROWD)
    plain = await make_project(store, client)
    await make_tasks(store, work, 2)
    await make_tasks(store, work, 1, prefix="g", gold={"label": "cat"})
    await make_tasks(store, plain, 1)
    at = now()
    answer = await claim_and_submit(store, work, "w1", {"label": "cat"}, at=at)
    graded = await claim_and_submit(store, work, "w2", {"label": "dog"}, gold=True, at=at)
    await claim_and_submit(store, plain, "w1", {"label": "cat"}, at=at)
    assert graded.task_id != answer.task_id
    assert await store.crowd_reviews_due(now=at - 1, limit=10) == [], "due from the submission"
    assert await store.crowd_reviews_due(now=at, limit=10) == [answer.id], "no gold, no others"
    await store.schedule_crowd_review(answer.id, at=at + 600)
    assert await store.crowd_reviews_due(now=at + 599, limit=10) == []
    assert await store.crowd_reviews_due(now=at + 600, limit=10) == [answer.id]
    await store.schedule_crowd_review(answer.id, at=None)
    assert await store.crowd_reviews_due(now=at + 10_000, limit=10) == []
    await store.schedule_crowd_review(answer.id, at=at + 700)  # off the queue: stays off
    assert await store.crowd_reviews_due(now=at + 10_000, limit=10) == []


async def test_the_queue_is_shared_by_every_process_and_keeps_what_is_not_rescheduled(
    open_stores: Opener,
) -> None:
    one, two = await open_stores(), await open_stores()
    client = await make_client(one)
    projects = [await make_project(one, client, crowd_review=CROWD) for _ in range(2)]
    at = now()
    answers = []
    for project in projects:
        await make_tasks(one, project, 2)
        answers += [await claim_and_submit(one, project, w, {"n": w}, at=at) for w in "ab"]
    assert sorted(await two.crowd_reviews_due(now=at + 1, limit=10)) == sorted(
        a.id for a in answers
    )
    # nobody handled them (a crash): they are due again, on any process
    assert sorted(await one.crowd_reviews_due(now=at + 2, limit=10)) == sorted(
        a.id for a in answers
    )
    assert len(await one.crowd_reviews_due(now=at + 2, limit=3)) == 3
    for answer in answers[:3]:
        await two.schedule_crowd_review(answer.id, at=at + 600)
    assert await one.crowd_reviews_due(now=at + 3, limit=10) == [answers[3].id]


async def test_who_reviewed_an_answer_goes_out_with_its_review_event(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2)
    first = await claim_and_submit(store, project, "w1", {"a": 1})
    second = await claim_and_submit(store, project, "w2", {"a": 2})
    extra = {"reviewed_by": "crowd", "crowd_review": {"votes": {"reject": 2}}}
    await store.review(
        first.id, ReviewDecision(approve=False, reason="wrong", event_extra=extra), now=now()
    )
    await store.review(second.id, ReviewDecision(approve=True), now=now())
    [rejected] = await recorded_events(store, client, "assignment.rejected")
    assert rejected["reviewed_by"] == "crowd" and rejected["crowd_review"] == extra["crowd_review"]
    assert rejected["reject_reason"] == "wrong" and rejected["assignment_id"] == first.id
    [approved] = await recorded_events(store, client, "assignment.approved")
    assert "reviewed_by" not in approved and approved["assignment_id"] == second.id


async def test_a_review_task_in_a_missing_project_is_refused(store: Store) -> None:
    client = await make_client(store)
    ghost = Project(new_id("prj"), client.id, (await make_project(store, client)).spec,
                    "active", now())  # fmt: skip
    with pytest.raises(NotFound):
        await store.add_review_task(review_of(ghost, "asg_x"), excluded_worker="w")


async def test_one_workers_gold_record_is_read_on_its_own(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 3, prefix="gold-", gold={"label": "cat"})
    for correct in (True, False, True):
        await answer_gold(store, project, "w1", correct, min_answers=9, min_accuracy=0.5)
    record = await store.gold_record(project.id, "w1")
    assert record is not None and (record.answered, record.correct) == (3, 2)
    assert record == next(g for g in await store.gold_stats(project.id) if g.worker_id == "w1")
    assert await store.gold_record(project.id, "w2") is None


async def test_a_review_task_nobody_took_is_cancelled_and_never_offered_again(
    store: Store,
) -> None:
    reviews, task, bob = await bob_reviewing_alice(store)
    # a reviewer who gave it back has not taken it
    await store.return_assignment(bob.id, now=now())

    cancelled = await store.cancel_task(task.id, now=now(), untaken_only=True)
    assert cancelled is not None and cancelled.status == "cancelled"
    assert await store.claim(Claim(reviews.id, "carol", "p-carol"), now=now()) is None
    assert await store.peek_task(reviews.id, "carol", now=now()) is None
    assert reviews.id not in {
        p.id for p, _ in (await store.open_projects("carol", now=now())).items
    }
    counted = await store.get_project(reviews.id)
    assert counted is not None and counted.counts == {
        "tasks": 1,
        "open": 0,
        "completed": 0,
        "expired": 0,
    }
    again = await store.cancel_task(task.id, now=now(), untaken_only=True)
    assert again is not None and again.status == "cancelled", "cancelling twice is harmless"
    assert await store.cancel_task("tsk_missing", now=now(), untaken_only=True) is None


async def test_a_review_task_a_reviewer_took_runs_on(store: Store) -> None:
    reviews, task, bob = await bob_reviewing_alice(store)

    kept = await store.cancel_task(task.id, now=now(), untaken_only=True)
    assert kept is not None and kept.status == "open"
    await store.submit(bob.id, Submission({"verdict": "approve"}), now=now())
    carol = await store.claim(Claim(reviews.id, "carol", "p-carol"), now=now())
    assert carol is not None and carol.task_id == task.id, "the other seat is still offered"
    done = await store.submit(carol.id, Submission({"verdict": "approve"}), now=now())
    assert done.status == "submitted"
    assert (await store.get_task(task.id)).status == "completed"  # type: ignore[union-attr]


async def test_a_cancel_and_claims_at_once_never_leave_a_reviewer_on_a_cancelled_task(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(3)]
    client = await make_client(stores[0])
    reviews = await make_project(stores[0], client, per_task=2, kind="review")
    for n in range(20):
        task = await stores[0].add_review_task(
            review_of(reviews, f"asg_answer_{n:03}"), excluded_worker="alice"
        )
        claims = [stores[1].claim(Claim(reviews.id, f"r{n}-{i}", "p"), now=now()) for i in range(2)]
        cancelled, *claimed = await asyncio.gather(
            stores[2].cancel_task(task.id, now=now(), untaken_only=True), *claims
        )
        assert cancelled is not None
        taken = [a for a in claimed if a is not None and a.task_id == task.id]
        assert (cancelled.status == "cancelled") == (not taken)
        assert (await stores[0].get_task(task.id)).status == cancelled.status  # type: ignore[union-attr]


# two answers under review, by alice and by bob: each reviewer's offer, preview and claim
@pytest.mark.parametrize(
    ("worker", "offered", "first"),
    [("alice", 1, "asg_answer_b"), ("bob", 1, "asg_answer_a"), ("carol", 2, "asg_answer_a")],
)
async def test_each_submitter_is_offered_every_review_but_of_their_own_answer(
    store: Store, worker: str, offered: int, first: str
) -> None:
    client = await make_client(store)
    reviews = await make_project(store, client, per_task=2, kind="review")
    await store.add_review_task(review_of(reviews, "asg_answer_a"), excluded_worker="alice")
    await store.add_review_task(review_of(reviews, "asg_answer_b"), excluded_worker="bob")
    at = now()
    assert {p.id: n for p, n in (await store.open_projects(worker, now=at)).items} == {
        reviews.id: offered
    }
    assert (await store.peek_task(reviews.id, worker, now=at)).external_id == first  # type: ignore[union-attr]
    claimed = await store.claim(Claim(reviews.id, worker, "p-" + worker), now=at)
    assert claimed is not None and claimed.external_id == first
    left = {p.id: n for p, n in (await store.open_projects(worker, now=at)).items}
    assert left == ({reviews.id: 1} if offered == 2 else {})
    await store.return_assignment(claimed.id, now=at)
    still = await store.claim(Claim(reviews.id, worker, "p-" + worker), now=at)
    assert (still is None) == (offered == 1), "a returned review never comes back, nor their own"
