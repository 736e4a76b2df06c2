"""A project's progress: its assignments counted by status as they move, on both stores."""

from __future__ import annotations

from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from store_world import make_client, make_project, make_tasks


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
