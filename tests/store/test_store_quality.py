"""Block lists, auto-approval, and what the fraud signals are computed from."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

import pytest

from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import Block, now
from crowdframe_gateway.runtime import Store
from quality_cases import APPROVAL_CASES, START, ApprovalCase
from store_world import (
    Opener,
    all_assignments,
    claim_and_submit,
    make_client,
    make_project,
    make_tasks,
    recorded_events,
)


async def test_a_block_holds_for_one_project_or_all_until_lifted(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    one, two = await make_project(store, client), await make_project(store, client)
    at = now()
    await store.block(Block(client.id, "p-w1", one.id, "sloppy", at))
    await store.block(Block(client.id, "p-w2", "", "bot", at + 1))
    assert await store.is_blocked(client.id, "w1", "p-w1", one.id)
    assert not await store.is_blocked(client.id, "w1", "p-w1", two.id), "only from that project"
    assert await store.is_blocked(client.id, "w2", "p-w2", one.id)
    assert await store.is_blocked(client.id, "w2", "p-w2", two.id), "from every project"
    assert not await store.is_blocked(other.id, "w2", "p-w2", two.id), "one client's list"
    assert await store.list_blocks(client.id) == [
        Block(client.id, "p-w1", one.id, "sloppy", at),
        Block(client.id, "p-w2", "", "bot", at + 1),
    ]
    await store.block(Block(client.id, "p-w1", one.id, "very sloppy", at + 2))  # replaces
    assert [b.reason for b in await store.list_blocks(client.id)] == ["bot", "very sloppy"]
    assert await store.unblock(client.id, "p-w1", one.id)
    assert not await store.unblock(client.id, "p-w1", one.id), "gone already"
    assert not await store.unblock(client.id, "p-w2", one.id), "that block is for all projects"
    assert not await store.is_blocked(client.id, "w1", "p-w1", one.id)
    assert await store.list_blocks(other.id) == []


async def test_submissions_are_approved_once_their_delay_has_passed(store: Store) -> None:
    client = await make_client(store)
    quick = await make_project(store, client, auto_approve_delay=60)
    slow = await make_project(store, client, auto_approve_delay=3600)
    for project in (quick, slow):
        await make_tasks(store, project, 3)
    at = now()
    early = await claim_and_submit(store, quick, "w1", {"a": 1}, at=at)
    reviewed = await claim_and_submit(store, quick, "w2", {"a": 2}, at=at)
    late = await claim_and_submit(store, quick, "w3", {"a": 3}, at=at + 30)
    waiting = await claim_and_submit(store, slow, "w1", {"a": 4}, at=at)
    await store.review(reviewed.id, ReviewDecision(approve=False, reason="no"), now=at + 1)
    assert await store.auto_approve(now=at + 59) == []
    [approved] = await store.auto_approve(now=at + 60)
    assert approved == replace(early, status="approved", reviewed_at=at + 60)
    assert await store.get_assignment(early.id) == approved
    assert await store.auto_approve(now=at + 61) == [], "approved once"
    assert [a.id for a in await store.auto_approve(now=at + 90)] == [late.id]
    assert (await store.get_assignment(reviewed.id)).status == "rejected"  # type: ignore[union-attr]
    assert (await store.get_assignment(waiting.id)).status == "submitted"  # type: ignore[union-attr]
    [event, _] = await recorded_events(store, client, "assignment.approved")
    assert event["auto_approved"] is True and event["assignment_id"] == early.id
    assert event["status"] == "approved" and event["result"] == {"a": 1}


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=[c.name for c in APPROVAL_CASES])
async def test_auto_approval_follows_the_due_rule(store: Store, case: ApprovalCase) -> None:
    client = await make_client(store)
    project = await make_project(store, client, auto_approve_delay=case.delay)
    await make_tasks(store, project, 1)
    submitted = await claim_and_submit(store, project, "w1", {}, at=START)
    approved = await store.auto_approve(now=START + case.waited)
    assert [a.id for a in approved] == ([submitted.id] if case.expected else [])


async def test_a_shorter_delay_applies_to_submissions_already_waiting(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, auto_approve_delay=3600)
    await make_tasks(store, project, 1)
    at = now()
    waiting = await claim_and_submit(store, project, "w1", {}, at=at)
    assert await store.auto_approve(now=at + 100) == []
    await store.update_project(project.id, replace(project.spec, auto_approve_delay=60), "active")
    assert [a.id for a in await store.auto_approve(now=at + 100)] == [waiting.id]


async def test_sweepers_on_every_process_approve_each_submission_once(open_stores: Opener) -> None:
    stores = [await open_stores() for _ in range(4)]
    client = await make_client(stores[0])
    projects = [await make_project(stores[0], client, auto_approve_delay=10) for _ in range(3)]
    at = now()
    for project in projects:
        await make_tasks(stores[0], project, 10)
        for i in range(10):
            await claim_and_submit(stores[i % 4], project, f"w{i}", {"i": i}, at=at)
    swept = await asyncio.gather(*(s.auto_approve(now=at + 11) for s in stores * 3))
    approved = Counter(a.id for batch in swept for a in batch)
    assert len(approved) == 30 and set(approved.values()) == {1}
    assert len(await all_assignments(stores[0], client.id, status="approved")) == 30


async def test_signals_and_address_are_kept_and_listed_by_signal(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 12)
    flagged = []
    for i in range(12):
        signals = ("too_fast", "same_answer") if i % 3 == 0 else ()
        done = await claim_and_submit(store, project, f"w{i}", {"i": i}, signals=signals)
        assert done.signals == signals
        assert (await store.get_assignment(done.id)).signals == signals  # type: ignore[union-attr]
        if signals:
            flagged.append(done.id)
    fast = await all_assignments(store, client.id, signal="too_fast")
    assert [a.id for a in fast] == flagged, "every one, in order, page by page"
    await store.review(flagged[1], ReviewDecision(approve=True), now=now())
    still = await all_assignments(store, client.id, signal="same_answer", status="submitted")
    assert [a.id for a in still] == [flagged[0], *flagged[2:]]
    assert await all_assignments(store, client.id, signal="shared_address") == []
    assert await all_assignments(store, client.id, project_id=project.id, signal="too_fast")


async def test_workers_on_one_address_are_counted_apart_from_the_asker(store: Store) -> None:
    client = await make_client(store)
    project, other = await make_project(store, client), await make_project(store, client)
    await make_tasks(store, project, 11)
    await make_tasks(store, other, 1)
    for worker in ("w1", "w2", "w3") * 3:  # each of three workers, again and again
        await claim_and_submit(store, project, worker, {}, ip_hash="here")
    await claim_and_submit(store, project, "w4", {}, ip_hash="elsewhere")
    await claim_and_submit(store, project, "w6", {})  # no address known
    await claim_and_submit(store, other, "w5", {}, ip_hash="here")
    assert await store.workers_on_ip(project.id, "here", other_than="w9") == 3
    for worker in ("w1", "w2", "w3"):
        assert await store.workers_on_ip(project.id, "here", other_than=worker) == 2
    assert await store.workers_on_ip(project.id, "elsewhere", other_than="w1") == 1
    assert await store.workers_on_ip(project.id, "elsewhere", other_than="w4") == 0
    assert await store.workers_on_ip(project.id, "nowhere", other_than="w1") == 0
    assert await store.workers_on_ip(other.id, "here", other_than="w1") == 1, "per project"


async def test_a_workers_history_and_the_projects_work_times_are_newest_first(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 6)
    at = now()
    for i, seconds in enumerate((10.0, 20.0, 30.0, 40.0)):
        claimed = await store.claim(Claim(project.id, "w1", "p"), now=at)
        assert claimed is not None
        await store.submit(claimed.id, Submission({"i": i}), now=at + seconds)
    live = await store.claim(Claim(project.id, "w1", "p"), now=at)
    assert live is not None
    await claim_and_submit(store, project, "w2", {"i": 9}, at=at)
    assert await store.worker_history(project.id, "w1", limit=3) == [{"i": 3}, {"i": 2}, {"i": 1}]
    assert await store.worker_history(project.id, "w3", limit=3) == []
    assert await store.work_seconds(project.id, limit=3) == [0.0, 40.0, 30.0]
