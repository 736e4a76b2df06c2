"""Fraud signals a client can filter on, and what a project really pays per hour."""

from __future__ import annotations

from typing import Any

import pytest
from time_machine import TimeMachineFixture

from crowdframe_gateway.catalog import projects
from crowdframe_gateway.catalog.fairpay import minimum_wage, pay_report
from crowdframe_gateway.core.records import ProjectSpec
from crowdframe_gateway.quality.process import address_hash
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway


@pytest.fixture
def clock(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    """The gateway's clock, stopped: it moves only when a test lets a worker work."""
    time_machine.move_to(1_800_000_000, tick=False)
    return time_machine


async def submit(
    worker: Browser,
    assignment_id: str,
    result: dict[str, Any],
    *,
    clock: TimeMachineFixture | None = None,
) -> Any:
    if clock is not None:
        clock.shift(60)  # a normal pace, unless a test wants haste
    return await worker.submit(assignment_id, result)


async def signals_of(api: ApiClient, assignment_id: str) -> list[str]:
    return (await api.call("GET", f"/assignments/{assignment_id}")).json()["signals"]  # type: ignore[no-any-return]


@ON_BOTH_STORES
async def test_a_submission_far_faster_than_the_estimate_is_flagged(
    clock: TimeMachineFixture, gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(estimated_seconds=60, tasks=3)
    worker, rushed = await gateway.worker_on(project["id"])
    clock.shift(5)  # 5 s for a task estimated at a minute
    normal = (await submit(worker, rushed, {"label": "cat"}))["next_url"].rsplit("/", 1)[1]
    clock.shift(40)
    await submit(worker, normal, {"label": "dog"})
    assert await signals_of(api, rushed) == ["too_fast"]
    assert await signals_of(api, normal) == []
    flagged = (await api.call("GET", "/assignments?signal=too_fast")).json()["data"]
    assert [a["id"] for a in flagged] == [rushed]
    bad = await api.call("GET", "/assignments?signal=lazy")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "signal"


@ON_BOTH_STORES
async def test_the_same_answer_five_times_running_is_flagged(
    clock: TimeMachineFixture, gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=6)
    worker, assignment_id = await gateway.worker_on(project["id"])
    seen = []
    for _ in range(5):
        seen.append(assignment_id)
        reply = await submit(worker, assignment_id, {"label": "cat"}, clock=clock)
        assignment_id = reply["next_url"].rsplit("/", 1)[1]
    assert [await signals_of(api, a) for a in seen] == [[], [], [], [], ["same_answer"]]


@ON_BOTH_STORES
async def test_many_workers_from_one_address_are_flagged(
    clock: TimeMachineFixture, gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=8)
    done = []
    for n in range(4):  # every test browser comes from 127.0.0.1
        worker = await gateway.worker(f"w{n}@example.org")
        assignment_id = await worker.accept(project["id"])
        await submit(worker, assignment_id, {"n": n}, clock=clock)
        done.append(assignment_id)
    assert [await signals_of(api, a) for a in done] == [[], [], [], ["shared_address"]]
    store, hashed = gateway.rt.store, address_hash(gateway.rt, "127.0.0.1")
    assert await store.workers_on_ip(project["id"], hashed, other_than="") == 4
    assert await store.workers_on_ip(project["id"], "127.0.0.1", other_than="") == 0, (
        "the address is kept only as its keyed hash"
    )


def test_the_measured_rate_warns_where_it_falls_below_the_minimum() -> None:
    spec = ProjectSpec(
        title="t", task_url="https://x.example/t", reward_cents=30, estimated_seconds=60
    )
    assert pay_report(spec, [])["median_hourly_usd"] is None
    report = pay_report(spec, [50, 100, 120])  # the median worker needs 100 s, not 60 s
    assert report["estimated_hourly_usd"] == 18.0 and report["median_seconds"] == 100
    assert report["median_hourly_usd"] == 10.8
    # shown in Germany (16.26 USD) on the estimate, but 10.80 USD an hour in practice
    assert "DE" in report["below_minimum_in"] and "US" not in report["below_minimum_in"]


async def test_a_project_reports_its_measured_pay(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project(tasks=1)
    worker = await gateway.worker()
    await submit(worker, await worker.accept(project["id"]), {"ok": True})
    pay = (await api.call("GET", f"/projects/{project['id']}")).json()["pay"]
    assert pay["estimated_hourly_usd"] == 18.0
    assert pay["median_seconds"] is not None and pay["median_seconds"] < 5
    assert pay["below_minimum_in"] == []


@pytest.mark.parametrize(
    "pay",
    [
        {"reward_cents": 15, "currency": "EUR", "countries": ["DE"]},  # 9.00 EUR an hour
        {"reward_cents": 24, "currency": "EUR", "countries": ["DE", "FR"]},  # 14.40
        {"reward_cents": 22, "currency": "EUR", "countries": ["FR", "DE"]},  # 13.20: FR only
        {"reward_cents": 10, "currency": "USD", "countries": ["IN", "JP"], "estimated_seconds": 30},
        {"reward_cents": 5, "currency": "USD", "countries": []},
        {"reward_cents": 0, "kind": "assessment", "test_size": 5, "estimated_seconds": 60,
         "countries": ["DE"]},
    ],
)  # fmt: skip
async def test_the_pay_explained_before_saving_is_the_rule_that_refuses(
    api: ApiClient, pay: dict[str, Any]
) -> None:
    preview = projects.pay_preview(pay)
    created = await api.post_project(**pay)

    short = [c.country for c in preview.targeted if not c.enough]
    assert [c.country for c in preview.targeted] == [
        c for c in pay["countries"] if minimum_wage(c) is not None
    ]
    if short:
        assert created.status_code == 422
        assert f"below the minimum wage in {short[0]}" in created.json()["error"]["message"]
    else:
        assert created.status_code == 201, created.text
    if not pay["countries"]:
        # open to every country: 3.00 USD an hour is shown where that meets the minimum only
        hidden = {c.country for c in preview.hidden_from}
        assert "DE" in hidden and "US" in hidden
        assert all(not c.enough for c in preview.hidden_from)
