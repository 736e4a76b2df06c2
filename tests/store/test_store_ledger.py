"""The earnings ledger: each credit written once, a worker's earnings, a client's bonuses."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Literal

import pytest

from crowdframe_gateway.core.errors import InvalidInput
from crowdframe_gateway.core.records import Assignment, Credit, new_id
from crowdframe_gateway.ledger import BonusQuery, ledger_line
from crowdframe_gateway.runtime import Store
from store_world import claim_and_submit, make_client, make_project, make_tasks


def credit_for(
    assignment: Assignment,
    kind: Literal["reward", "bonus"] = "reward",
    cents: int = 5,
    key: str | None = None,
) -> Credit:
    """The ledger line the gateway would write for ``assignment`` (in EUR)."""
    reason = "Label it" if kind == "reward" else "thanks"
    return ledger_line(assignment, kind, cents, "EUR", reason, key or f"{kind}:{assignment.id}")


async def test_a_credit_is_written_once_whatever_the_retries(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 1)
    done = await claim_and_submit(store, project, "w1", {})
    first = credit_for(done)
    assert await store.credit(first) == first
    repeats = [replace(first, id=new_id("crd"), amount_cents=500) for _ in range(5)]
    again = await asyncio.gather(*(store.credit(r) for r in repeats))
    assert set(again) == {first}, "the first one answers every repeat"
    assert await store.earnings("w1") == [first]


async def test_earnings_are_the_workers_own_newest_first(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    mine, theirs = await make_project(store, client), await make_project(store, other)
    await make_tasks(store, mine, 3)
    await make_tasks(store, theirs, 1)
    one = await claim_and_submit(store, mine, "w1", {})
    two = await claim_and_submit(store, theirs, "w1", {})
    elsewhere = await claim_and_submit(store, mine, "w2", {})
    made = [
        await store.credit(credit_for(one)),
        await store.credit(credit_for(two, cents=7)),
        await store.credit(credit_for(one, "bonus", 50, key="bonus:x:1")),
    ]
    await store.credit(credit_for(elsewhere))
    assert await store.earnings("w1") == made[::-1]
    assert await store.earnings("w9") == []


async def test_bonuses_are_listed_page_by_page_by_task_and_assignment(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    project, theirs = await make_project(store, client), await make_project(store, other)
    await make_tasks(store, project, 3)
    await make_tasks(store, theirs, 1)
    a, b, c = [await claim_and_submit(store, project, f"w{i}", {}) for i in range(3)]
    await store.credit(credit_for(a))  # a reward: not a bonus
    bonuses = [
        await store.credit(credit_for(x, "bonus", 10 + i, key=f"bonus:{client.id}:{i}"))
        for i, x in enumerate((a, b, a, c, a))
    ]
    stranger = await claim_and_submit(store, theirs, "w1", {})
    await store.credit(credit_for(stranger, "bonus", 1, key=f"bonus:{other.id}:1"))

    async def listed(**filters: str | None) -> list[Credit]:
        found, cursor = [], None
        while True:
            page = await store.list_bonuses(client.id, BonusQuery(2, cursor=cursor, **filters))
            found.extend(page.items)
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor

    assert await listed() == bonuses
    assert await listed(assignment_id=a.id) == [bonuses[0], bonuses[2], bonuses[4]]
    assert await listed(task_id=b.task_id) == [bonuses[1]]
    assert await listed(task_id=a.task_id, assignment_id=a.id) == [
        bonuses[0],
        bonuses[2],
        bonuses[4],
    ]
    assert await listed(task_id=b.task_id, assignment_id=a.id) == []
    with pytest.raises(InvalidInput):
        await store.list_bonuses(client.id, BonusQuery(2, cursor="later"))
