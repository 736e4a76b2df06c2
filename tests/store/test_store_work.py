"""The worker's side: what is on offer, claims, submissions, returns and expiry."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from store_world import make_client, make_project, make_tasks


async def test_a_claim_hands_out_tasks_in_order_with_a_deadline(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=600)
    tasks = await make_tasks(store, project, 2)
    at = now()
    first = await store.claim(project.id, "w1", "p-w1", now=at)
    assert first is not None
    assert (first.task_id, first.external_id, first.status) == (tasks[0].id, "e0", "accepted")
    assert (first.client_id, first.worker_pseudonym, first.accepted_at) == (client.id, "p-w1", at)
    assert first.deadline == at + 600
    assert await store.get_assignment(first.id) == first
    assert await store.live_assignment(project.id, "w1") == first
    second = await store.claim(project.id, "w2", "p-w2", now=at)
    assert second is not None and second.task_id == tasks[1].id
    assert await store.claim(project.id, "w3", "p-w3", now=at) is None, "nothing left"


async def test_a_deadline_never_outlives_its_task(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=600)
    [task] = await make_tasks(store, project, 1, lifetime=100)
    claimed = await store.claim(project.id, "w1", "p", now=now())
    assert claimed is not None and claimed.deadline == task.expires_at


async def test_nothing_is_claimed_from_a_paused_or_unknown_project(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, status="paused")
    await make_tasks(store, project, 1)
    assert await store.claim(project.id, "w1", "p", now=now()) is None
    assert await store.claim("prj_unknown", "w1", "p", now=now()) is None
    assert await store.open_projects("w1", now=now()) == []


async def test_an_expired_task_is_neither_offered_nor_claimed(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1, lifetime=60)
    later = task.expires_at + 1
    assert await store.peek_task(project.id, "w1", now=later) is None
    assert await store.claim(project.id, "w1", "p", now=later) is None
    assert await store.open_projects("w1", now=later) == []


async def test_the_offer_counts_what_this_worker_can_still_take(store: Store) -> None:
    client = await make_client(store)
    active = await make_project(store, client, per_task=2)
    await make_project(store, client)  # no tasks: not offered
    await make_tasks(store, active, 3)
    [(offered, available)] = await store.open_projects("w1", now=now())
    assert (offered.id, available, offered.counts["tasks"]) == (active.id, 3, 3)
    assert await store.claim(active.id, "w1", "p", now=now()) is not None
    assert [n for _, n in await store.open_projects("w1", now=now())] == [2]
    assert [n for _, n in await store.open_projects("w2", now=now())] == [3]


async def test_a_peek_shows_the_next_task_without_taking_it(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    tasks = await make_tasks(store, project, 2)
    assert await store.peek_task(project.id, "w1", now=now()) == tasks[0]
    assert await store.peek_task(project.id, "w1", now=now()) == tasks[0]
    claimed = await store.claim(project.id, "w2", "p", now=now())
    assert claimed is not None and claimed.task_id == tasks[0].id
    assert await store.peek_task(project.id, "w1", now=now()) == tasks[1]


async def test_a_submission_is_kept_once_and_completes_the_task(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    [task] = await make_tasks(store, project, 1)
    one = await store.claim(project.id, "w1", "p1", now=now())
    two = await store.claim(project.id, "w2", "p2", now=now())
    assert one is not None and two is not None
    at = now()
    done = await store.submit(one.id, {"label": "cat", "score": 0.25}, now=at)
    assert (done.status, done.submitted_at, done.result) == (
        "submitted",
        at,
        {"label": "cat", "score": 0.25},
    )
    assert await store.live_assignment(project.id, "w1") is None
    still_open = await store.get_task(task.id)
    assert still_open is not None and still_open.status == "open"
    with pytest.raises(Conflict) as again:
        await store.submit(one.id, {"label": "dog"}, now=now())
    assert again.value.code == "already_submitted"
    assert (await store.get_assignment(one.id)).result == {"label": "cat", "score": 0.25}  # type: ignore[union-attr]
    await store.submit(two.id, {"label": "cat"}, now=now())
    completed = await store.get_task(task.id)
    assert completed is not None and completed.status == "completed"
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts == {"tasks": 1, "open": 0, "completed": 1}


async def test_a_submission_after_the_deadline_is_refused(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=60)
    await make_tasks(store, project, 1)
    claimed = await store.claim(project.id, "w1", "p", now=now())
    assert claimed is not None
    with pytest.raises(Conflict) as late:
        await store.submit(claimed.id, {}, now=claimed.deadline + 1)
    assert late.value.code == "assignment_closed" and "expired" in late.value.message
    with pytest.raises(NotFound):
        await store.submit("asg_unknown", {}, now=now())


async def test_a_returned_task_goes_to_someone_else_never_back_to_its_worker(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1)
    first = await store.claim(project.id, "w1", "p1", now=now())
    assert first is not None
    returned = await store.return_assignment(first.id, now=now())
    assert returned.status == "returned"
    assert await store.live_assignment(project.id, "w1") is None
    assert await store.claim(project.id, "w1", "p1", now=now()) is None
    assert await store.open_projects("w1", now=now()) == []
    other = await store.claim(project.id, "w2", "p2", now=now())
    assert other is not None and other.task_id == task.id
    with pytest.raises(Conflict) as closed:
        await store.return_assignment(first.id, now=now())
    assert closed.value.code == "assignment_closed"
    with pytest.raises(Conflict):
        await store.submit(first.id, {}, now=now())


async def test_overdue_assignments_expire_and_free_their_seats(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=3, duration=60)
    await make_tasks(store, project, 1)
    at = now()
    claims = [await store.claim(project.id, w, w, now=at) for w in ("w1", "w2", "w3")]
    assert await store.claim(project.id, "w4", "w4", now=at) is None, "all three seats taken"
    assert await store.expire_assignments(now=at + 59) == 0, "not before the deadline"
    assert await store.expire_assignments(now=at + 61) == 3
    assert await store.expire_assignments(now=at + 62) == 0, "each expires once"
    for claimed in claims:
        assert claimed is not None
        expired = await store.get_assignment(claimed.id)
        assert expired is not None and expired.status == "expired"
    assert await store.claim(project.id, "w1", "w1", now=at) is None, "never back to w1"
    assert await store.claim(project.id, "w4", "w4", now=at) is not None


async def test_the_newest_live_assignment_is_the_one_a_worker_resumes(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2)
    older = await store.claim(project.id, "w1", "p", now=now())
    newer = await store.claim(project.id, "w1", "p", now=now())
    assert older is not None and newer is not None
    assert await store.live_assignment(project.id, "w1") == newer
    await store.submit(newer.id, {}, now=now())
    assert await store.live_assignment(project.id, "w1") == older
