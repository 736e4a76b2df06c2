"""The SDK's quality methods against a real gateway app: signals, bulk review, bonuses,
blocks and gold records, as a client's script would use them."""

from __future__ import annotations

import pytest

import crowdframe
from harness import ApiClient, Browser, Gateway


async def two_answers(
    gateway: Gateway, sdk: crowdframe.AsyncClient, tasks: int = 2
) -> tuple[Browser, str, str]:
    """A project of ``tasks`` tasks at 30 cents; one worker answers two of them (the worker,
    and the two assignment ids)."""
    project = await sdk.create_project(
        title="Label it", task_url="http://localhost:8001/task", reward_cents=30
    )
    await sdk.add_tasks(project.id, [{"external_id": f"t{n}", "input": {}} for n in range(tasks)])
    worker = await gateway.worker()
    first = await worker.accept(project.id)
    second = (await worker.submit(first, {"label": "cat"}))["next_url"].rsplit("/", 1)[1]
    await worker.submit(second, {"label": "dog"})
    return worker, first, second


async def test_a_client_reviews_in_bulk_pays_a_bonus_and_blocks_a_worker(
    gateway: Gateway, api: ApiClient, sdk: crowdframe.AsyncClient
) -> None:
    worker, first, second = await two_answers(gateway, sdk, tasks=6)
    project_id = (await sdk.get_assignment(first)).project_id

    flagged = await sdk.list_assignments(signal="too_fast")  # answered in milliseconds
    assert {a.id for a in flagged} == {first, second}
    assert flagged.data[0].signals == ["too_fast"]

    review = await sdk.approve_many([first, "asg_unknown"])
    assert [a.id for a in review.reviewed] == [first]
    assert review.refused == {"asg_unknown": "not_found"}
    rejected = await sdk.reject_many([second], "labels are random")
    assert rejected.reviewed[0].reject_reason == "labels are random"

    bonus = await sdk.bonus(first, 20, "careful work", idempotency_key="b-1")
    again = await sdk.bonus(first, 20, "careful work", idempotency_key="b-1")
    assert (bonus.amount_cents, again.created_at) == (20, bonus.created_at)
    assert "$0.50" in (await worker.get("/earnings")).text  # 30 reward + 20 bonus, once

    wid = review.reviewed[0].worker_id
    block = await sdk.block_worker(wid, reason="random labels", project_id=project_id)
    assert (block.worker_id, block.project_id) == (wid, project_id)
    assert [b.worker_id for b in await sdk.list_blocks()] == [wid]
    await sdk.unblock_worker(wid, project_id=project_id)
    with pytest.raises(crowdframe.NotFoundError):
        await sdk.unblock_worker(wid, project_id=project_id)
    assert await sdk.gold_records(project_id) == []


async def test_a_client_lists_the_bonuses_it_paid_by_task_and_assignment(
    gateway: Gateway, api: ApiClient, sdk: crowdframe.AsyncClient
) -> None:
    _, first, second = await two_answers(gateway, sdk)
    await sdk.approve_many([first, second])
    await sdk.bonus(first, 5, "quick", idempotency_key="b-1")
    await sdk.bonus(first, 5, "quick", idempotency_key="b-1")  # a retry pays nothing more
    await sdk.bonus(first, 7, "and careful", idempotency_key="b-2")
    await sdk.bonus(second, 9, "well done")

    paid = [b async for b in sdk.iter_bonuses(limit=2)]  # two pages
    assert [(b.assignment_id, b.amount_cents) for b in paid] == [
        (first, 5),
        (first, 7),
        (second, 9),
    ]
    wid = (await sdk.get_assignment(first)).worker_id
    assert {b.worker_id for b in paid} == {wid}, "the worker as this client knows them"
    one = await sdk.list_bonuses(assignment_id=second)
    assert [b.reason for b in one] == ["well done"] and one.next_cursor is None
    task_id = (await sdk.get_assignment(first)).task_id
    assert [b.amount_cents for b in await sdk.list_bonuses(task_id=task_id)] == [5, 7]

    with pytest.raises(crowdframe.NotFoundError):
        await sdk.list_bonuses(assignment_id="asg_not_mine")
    with pytest.raises(crowdframe.NotFoundError):
        await sdk.list_bonuses(task_id="tsk_not_mine")
    with pytest.raises(crowdframe.ValidationError):
        await sdk.list_bonuses(cursor="not-a-cursor")
