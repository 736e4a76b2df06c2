"""The client's side: listing assignments and reviewing submissions."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import Conflict, InvalidInput
from crowdframe_gateway.core.params import AssignmentQuery, Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import Store
from store_world import all_assignments, make_client, make_project, make_tasks


async def test_approving_and_rejecting_a_submission(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2)
    one = await store.claim(Claim(project.id, "w1", "p"), now=now())
    two = await store.claim(Claim(project.id, "w1", "p"), now=now())
    assert one is not None and two is not None
    with pytest.raises(Conflict) as early:
        await store.review(one.id, ReviewDecision(approve=True), now=now())
    assert early.value.code == "not_reviewable"
    await store.submit(one.id, Submission({"a": 1}), now=now())
    await store.submit(two.id, Submission({"a": 2}), now=now())
    at = now()
    approved = await store.review(one.id, ReviewDecision(approve=True), now=at)
    assert (approved.status, approved.reviewed_at, approved.reject_reason) == ("approved", at, None)
    rejected = await store.review(two.id, ReviewDecision(approve=False, reason="off topic"), now=at)
    assert (rejected.status, rejected.reject_reason) == ("rejected", "off topic")
    again = await store.review(one.id, ReviewDecision(approve=True), now=at + 5)
    assert again == approved, "repeating a review changes nothing"
    with pytest.raises(Conflict):
        await store.review(one.id, ReviewDecision(approve=False, reason="changed my mind"), now=at)


async def test_assignments_are_listed_in_order_page_by_page_with_filters(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    one, two = await make_project(store, client), await make_project(store, client)
    elsewhere = await make_project(store, other)
    for project in (one, two, elsewhere):
        await make_tasks(store, project, 6)
    made = []
    for i in range(6):
        for project in (one, two):
            claimed = await store.claim(Claim(project.id, f"w{i}", "p"), now=now())
            assert claimed is not None
            made.append(claimed)
    assert await store.claim(Claim(elsewhere.id, "w0", "p"), now=now()) is not None
    for claimed in made[::3]:
        await store.submit(claimed.id, Submission({}), now=now())
    listed = await all_assignments(store, client.id)
    assert [a.id for a in listed] == [a.id for a in made], "every one, in order, once"
    only_one = await all_assignments(store, client.id, project_id=one.id)
    assert [a.id for a in only_one] == [a.id for a in made if a.project_id == one.id]
    submitted = await all_assignments(store, client.id, status="submitted")
    assert [a.id for a in submitted] == [a.id for a in made[::3]]
    assert all(a.status == "submitted" for a in submitted)
    assert await all_assignments(store, other.id, project_id=one.id) == []
    with pytest.raises(InvalidInput):
        await store.list_assignments(client.id, AssignmentQuery(5, cursor="x y"))


async def test_a_page_cursor_survives_new_assignments(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 6)
    for i in range(3):
        await store.claim(Claim(project.id, f"w{i}", "p"), now=now())
    first = await store.list_assignments(client.id, AssignmentQuery(2))
    for i in range(3, 6):
        await store.claim(Claim(project.id, f"w{i}", "p"), now=now())
    rest = await all_assignments(store, client.id)
    after = await store.list_assignments(client.id, AssignmentQuery(10, cursor=first.next_cursor))
    assert [a.id for a in first.items + after.items] == [a.id for a in rest]


async def test_every_combination_of_filters_lists_what_it_names_in_order(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    one, two = await make_project(store, client), await make_project(store, client)
    elsewhere = await make_project(store, other)
    for project in (one, two, elsewhere):
        await make_tasks(store, project, 12)
    for i in range(12):
        for project in (one, two, elsewhere):
            claimed = await store.claim(Claim(project.id, f"w{i}", "p"), now=now())
            assert claimed is not None
            if i % 4 == 3:
                continue  # still accepted
            signals = ("too_fast",) if i % 3 == 0 else ("same_answer",) if i % 5 == 0 else ()
            await store.submit(claimed.id, Submission({}, signals=signals), now=now())
            if i % 4 == 1:
                await store.review(claimed.id, ReviewDecision(approve=i % 8 == 1), now=now())
    everything = await all_assignments(store, client.id)
    assert {a.project_id for a in everything} == {one.id, two.id}
    for project_id in (None, one.id):
        for status in (None, "accepted", "submitted", "approved", "rejected"):
            for signal in (None, "too_fast", "same_answer"):
                expected = [
                    a.id
                    for a in everything
                    if project_id in (None, a.project_id)
                    and status in (None, a.status)
                    and (signal is None or signal in a.signals)
                ]
                listed = await all_assignments(
                    store, client.id, project_id=project_id, status=status, signal=signal
                )
                assert [a.id for a in listed] == expected, (project_id, status, signal)
