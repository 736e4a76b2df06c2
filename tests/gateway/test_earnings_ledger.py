"""The worker's earnings always equal the rewards of their approved work plus bonuses."""

from __future__ import annotations

import re
from typing import Any

from crowdframe_gateway.background import approve_overdue
from crowdframe_gateway.core.records import now
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway

pytestmark = ON_BOTH_STORES


async def do_task(worker: Browser, project_id: str) -> str:
    assignment_id = await worker.accept(project_id)
    await worker.submit(assignment_id, {"ok": True})
    return assignment_id


async def shown_total(worker: Browser) -> str:
    page = await worker.get("/earnings")
    assert page.status_code == 200
    found = re.findall(r'data-currency="USD">\$([0-9.]+)<', page.text)
    return found[0] if found else "0.00"


async def test_totals_equal_the_approved_rewards_plus_bonuses(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(reward_cents=30, auto_approve_delay=60, tasks=8)
    alice, bob = await gateway.worker("alice@example.org"), await gateway.worker("bob@example.org")
    done: dict[str, list[str]] = {"alice": [], "bob": []}
    for _ in range(2):
        done["alice"].append(await do_task(alice, project["id"]))
        done["bob"].append(await do_task(bob, project["id"]))

    async def call(path: str, **kwargs: Any) -> Any:
        answer = await api.call("POST", path, **kwargs)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    await call(f"/assignments/{done['alice'][0]}/approve")
    await call(f"/assignments/{done['alice'][0]}/approve")  # twice: credited once
    await call(f"/assignments/{done['bob'][0]}/reject", json={"reason": "empty answer"})
    await call(
        f"/assignments/{done['bob'][0]}/bonus",
        json={"amount_cents": 15, "reason": "thank you"},
        headers={"idempotency-key": "bonus-1"},
    )
    await call(  # a retry of the same bonus pays nothing more
        f"/assignments/{done['bob'][0]}/bonus",
        json={"amount_cents": 15, "reason": "thank you"},
        headers={"idempotency-key": "bonus-1"},
    )
    # nobody reviews the rest: the gateway approves them after the delay
    await approve_overdue(gateway.rt, at=now() + 61)  # the gateway's sweeper

    statuses = {
        a["id"]: a["status"]
        for a in (await api.call("GET", "/assignments?limit=50")).json()["data"]
    }
    for name, worker in (("alice", alice), ("bob", bob)):
        approved = sum(30 for a in done[name] if statuses[a] == "approved")
        bonus = 15 if name == "bob" else 0
        assert await shown_total(worker) == f"{(approved + bonus) / 100:.2f}", name
    assert await shown_total(alice) == "0.60" and await shown_total(bob) == "0.45"


async def test_a_bonus_is_checked(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project(tasks=2)
    worker = await gateway.worker()
    assignment_id = await do_task(worker, project["id"])
    for body, field in (
        ({"amount_cents": 0, "reason": "x"}, "amount_cents"),
        ({"amount_cents": 5}, "reason"),
    ):
        answer = await api.call("POST", f"/assignments/{assignment_id}/bonus", json=body)
        assert answer.status_code == 422 and answer.json()["error"]["field"] == field
    other = await gateway.client("other")
    stolen = await other.call(
        "POST", f"/assignments/{assignment_id}/bonus", json={"amount_cents": 5, "reason": "x"}
    )
    assert stolen.status_code == 404
