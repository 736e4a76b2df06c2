"""The worker's statement of work (/earnings): a line per paid submission, kept with the
worker's totals in one step, a page at a time, the latest first; on both stores."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crowdframe_gateway.core.errors import InvalidInput
from crowdframe_gateway.core.records import Assignment
from crowdframe_gateway.ledger import WorkLine, WorkTotal
from crowdframe_gateway.runtime import Store
from store_world import claim_and_submit, make_client, make_project, make_tasks


def line_of(a: Assignment, cents: int = 5, currency: str = "USD") -> WorkLine:
    """The pending line of a submission (``ledger.rules.work_line`` with this reward)."""
    assert a.submitted_at is not None
    due = a.submitted_at + 3 * 86_400
    title = "Label it"
    return WorkLine(
        a.id, a.id, a.worker_id, a.client_id, a.project_id, title, "submitted", cents, currency,
        a.submitted_at, due,
    )  # fmt: skip


@pytest.fixture
async def submitted(store: Store) -> list[Assignment]:
    """Three submissions of w1's, one of w2's."""
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 4)
    mine = [await claim_and_submit(store, project, "w1", {"n": i}) for i in range(3)]
    return [*mine, await claim_and_submit(store, project, "w2", {"n": 9})]


async def test_a_line_moves_the_totals_from_where_it_was_to_where_it_is(
    store: Store, submitted: list[Assignment]
) -> None:
    one, two, three, theirs = submitted
    for a in (one, two, three):
        assert await store.note_work(line_of(a, 10))
    await store.note_work(line_of(theirs, 99))
    assert await store.work_totals("w1") == [WorkTotal("submitted", "USD", 30, 3)]
    approved = replace(line_of(one, 12), status="approved", reviewed_at=one.submitted_at)
    rejected = replace(line_of(two, 10), status="rejected", reject_reason="blurry")
    assert await store.note_work(approved)
    assert await store.note_work(rejected)
    assert not await store.note_work(rejected), "the same line again changes nothing"
    assert await store.work_totals("w1") == [
        WorkTotal("approved", "USD", 12, 1),
        WorkTotal("rejected", "USD", 10, 1),
        WorkTotal("submitted", "USD", 10, 1),
    ]
    assert await store.work_totals("w2") == [WorkTotal("submitted", "USD", 99, 1)]
    assert await store.work_totals("w9") == []
    page = await store.work_lines("w1", limit=50)
    assert page.items == [line_of(three, 10), rejected, approved], "the first writing's place"
    assert page.next_cursor is None


async def test_repeats_at_once_count_once(store: Store, submitted: list[Assignment]) -> None:
    line = line_of(submitted[0], 7)
    changed = await asyncio.gather(*(store.note_work(line) for _ in range(6)))
    assert sorted(changed) == [False] * 5 + [True]
    assert await store.work_totals("w1") == [WorkTotal("submitted", "USD", 7, 1)]


async def test_the_statement_comes_a_page_at_a_time_the_latest_first(
    store: Store, submitted: list[Assignment]
) -> None:
    base = line_of(submitted[0])
    lines = [replace(base, key=f"asg_{i:02}", submitted_at=1000.0 + i) for i in range(7)]
    for line in lines:
        await store.note_work(line)
    seen, cursor, pages = [], None, 0
    while True:
        page = await store.work_lines("w1", limit=3, cursor=cursor)
        assert len(page.items) <= 3
        seen += page.items
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == lines[::-1] and pages == 3
    with pytest.raises(InvalidInput) as caught:
        await store.work_lines("w1", limit=3, cursor="not-ours")
    assert caught.value.field == "cursor"


async def test_a_day_counts_the_submissions_made_on_it_whatever_became_of_them(
    store: Store, submitted: list[Assignment]
) -> None:
    base, day = line_of(submitted[0]), 86_400.0
    for i, at in enumerate((day + 100.0, day + 200.0, 2 * day + 5.0)):
        await store.note_work(replace(base, key=f"asg_{i}", submitted_at=at))
    bonus = replace(base, key="bonus:x:1", status="bonus", submitted_at=day + 250.0)
    await store.note_work(bonus)
    assert await store.work_on("w1", 1) == 2, "a bonus is no task done"
    assert await store.work_on("w1", 2) == 1
    assert await store.work_on("w1", 3) == 0
    assert await store.work_on("w2", 1) == 0
    reviewed = replace(base, key="asg_0", submitted_at=day + 100.0, status="approved")
    await store.note_work(reviewed)
    await store.note_work(reviewed)
    assert await store.work_on("w1", 1) == 2, "a review changes no day's count"
