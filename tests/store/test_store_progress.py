"""A project's progress: its assignments counted by status as they move, and what its charts
read (submissions per hour, its latest answers), on both stores."""

from __future__ import annotations

from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import HOUR, hour_of, now
from crowdframe_gateway.runtime import Store
from store_world import claim_and_submit, make_client, make_project, make_tasks


async def test_counts_follow_each_assignment_from_accepted_to_reviewed(store: Store) -> None:
    client = await make_client(store)
    project, other = await make_project(store, client), await make_project(store, client)
    await make_tasks(store, project, 4)
    await make_tasks(store, other, 1)
    assert await store.assignment_counts(client.id, project.id) == {}

    claimed = [await store.claim(Claim(project.id, f"w{i}", f"p{i}"), now=now()) for i in range(4)]
    assert all(c is not None for c in claimed)
    ids = [c.id for c in claimed if c is not None]
    assert await store.assignment_counts(client.id, project.id) == {"accepted": 4}

    for assignment_id in ids[:3]:
        await store.submit(assignment_id, Submission({"a": 1}), now=now())
    await store.review(ids[0], ReviewDecision(approve=True), now=now())
    await store.review(ids[1], ReviewDecision(approve=False, reason="off topic"), now=now())
    await store.return_assignment(ids[3], now=now())

    assert await store.assignment_counts(client.id, project.id) == {
        "submitted": 1,
        "approved": 1,
        "rejected": 1,
        "returned": 1,
    }
    assert await store.assignment_counts(client.id, other.id) == {}


async def test_submissions_are_counted_by_the_hour_they_were_stored_in(store: Store) -> None:
    client = await make_client(store)
    project, other = (
        await make_project(store, client, per_task=2),
        await make_project(store, client),
    )
    await make_tasks(store, project, 3)
    await make_tasks(store, other, 1)
    start = (hour_of(now()) - 3) * HOUR  # three hours ago, on the hour
    for worker, at in (("w1", start), ("w2", start + HOUR - 1), ("w3", start + 2 * HOUR + 5)):
        await claim_and_submit(store, project, worker, {"a": 1}, at=at)
    await claim_and_submit(store, other, "w1", {"a": 1}, at=start)
    live = await store.claim(Claim(project.id, "w4", "p4"), now=start)  # not submitted: not counted
    assert live is not None

    first = hour_of(start) - 1
    assert await store.submission_hours(project.id, first_hour=first, hours=5) == [0, 2, 0, 1, 0]
    assert await store.submission_hours(other.id, first_hour=first, hours=2) == [0, 1]
    assert await store.submission_hours(project.id, first_hour=first + 2, hours=1) == [0]
    assert await store.submission_hours("prj_none", first_hour=first, hours=3) == [0, 0, 0]


async def test_the_latest_answers_are_read_with_their_tasks_newest_first(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    tasks = await make_tasks(store, project, 2)
    made = [
        await claim_and_submit(store, project, worker, {"label": label})
        for worker, label in (("w1", "cat"), ("w2", "cat"), ("w3", "dog"))
    ]
    live = await store.claim(Claim(project.id, "w4", "p4"), now=now())  # no answer yet
    assert live is not None

    latest = await store.latest_answers(project.id, limit=2)
    assert latest == [(made[2].task_id, {"label": "dog"}), (made[1].task_id, {"label": "cat"})]
    every = await store.latest_answers(project.id, limit=10)
    assert [result for _, result in every] == [{"label": "dog"}, {"label": "cat"}, {"label": "cat"}]
    assert {task_id for task_id, _ in every} == {t.id for t in tasks}
    assert await store.latest_answers("prj_none", limit=5) == []
