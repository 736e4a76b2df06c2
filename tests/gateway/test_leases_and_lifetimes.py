"""Leases and lifetimes as workers and clients see them, on both stores: the task page's
heartbeat keeps a lease alive in a project that extends leases (up to its longest lease), and
without heartbeats the lease ends as the claim said; the sweep expires tasks past their
lifetime, and a client's endpoint hears ``task.expired`` and ``project.completed``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from time_machine import TimeMachineFixture

from crowdframe import Webhook
from crowdframe_gateway.background import expire_overdue
from crowdframe_gateway.core.records import now
from crowdframe_gateway.review.progress import progress
from delivery_harness import delivering, endpoint, settled
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway
from receiver import running_receiver

pytestmark = ON_BOTH_STORES

LEASED = {"assignment_duration": 60, "lease_extension_seconds": 120, "lease_max_seconds": 300}


@pytest.fixture
def clock(time_machine: TimeMachineFixture) -> TimeMachineFixture:
    time_machine.move_to(1_800_000_000, tick=False)
    return time_machine


async def beat(worker: Browser, assignment_id: str) -> Any:
    """The host widget's relay of one heartbeat: the gateway's answer."""
    return await worker.http.post(
        f"/work/assignments/{assignment_id}/heartbeat",
        content=b"{}",
        headers={"content-type": "application/json", "x-csrf-token": worker.csrf},
    )


async def status_of(gateway: Gateway, assignment_id: str) -> tuple[str, float]:
    found = await gateway.rt.store.get_assignment(assignment_id)
    assert found is not None
    return found.status, found.deadline


async def test_heartbeats_keep_a_lease_alive_up_to_the_longest_lease(
    gateway: Gateway, api: ApiClient, clock: TimeMachineFixture
) -> None:
    project = await api.project(tasks=1, **LEASED)
    worker, assignment = await gateway.worker_on(project["id"])
    start = now()
    frame = await worker.get(f"/work/assignments/{assignment}")
    assert f'data-heartbeat-url="/work/assignments/{assignment}/heartbeat"' in frame.text

    clock.move_to(start + 50)
    answer = await beat(worker, assignment)
    assert answer.status_code == 200 and answer.json() == {"deadline": int(start + 170)}
    assert (await beat(worker, assignment)).json() == {"deadline": int(start + 170)}, (
        "a heartbeat right after another moves nothing"
    )
    for at in range(80, 300, 30):  # one every 30 s, as the task page sends them
        clock.move_to(start + at)
        assert (await beat(worker, assignment)).status_code == 200
        await expire_overdue(gateway.rt, at=now())
        assert await status_of(gateway, assignment) == (
            "accepted",
            min(start + at + 120, start + 300),
        )

    clock.move_to(start + 301)  # the longest lease is over, heartbeats or not
    await expire_overdue(gateway.rt, at=now())
    assert (await status_of(gateway, assignment))[0] == "expired"
    late = await beat(worker, assignment)
    assert late.status_code == 409 and late.json()["error"]["code"] == "assignment_closed"


async def test_without_heartbeats_the_lease_ends_as_claimed(
    gateway: Gateway, api: ApiClient, clock: TimeMachineFixture
) -> None:
    project = await api.project(tasks=1, **LEASED)
    worker, assignment = await gateway.worker_on(project["id"])
    start = now()
    clock.move_to(start + 61)
    await expire_overdue(gateway.rt, at=now())
    assert await status_of(gateway, assignment) == ("expired", start + 60)
    assert (await beat(worker, assignment)).status_code == 409, "an ended lease stays ended"


async def test_a_project_without_extensions_keeps_its_deadlines(
    gateway: Gateway, api: ApiClient, clock: TimeMachineFixture
) -> None:
    project = await api.project(tasks=1, assignment_duration=60)
    assert (project["lease_extension_seconds"], project["lease_max_seconds"]) == (0, 86400)
    worker, assignment = await gateway.worker_on(project["id"])
    start = now()
    assert "data-heartbeat-url" not in (await worker.get(f"/work/assignments/{assignment}")).text
    clock.move_to(start + 50)
    assert (await beat(worker, assignment)).json() == {"deadline": int(start + 60)}
    other = await gateway.worker("other@example.org")
    refused = await beat(other, assignment)
    assert refused.status_code == 404, "another worker's assignment is none of theirs"
    forged = await worker.http.post(
        f"/work/assignments/{assignment}/heartbeat",
        content=b"{}",
        headers={"content-type": "application/json"},
    )
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lease_extension_seconds": 30}, "lease_extension_seconds"),  # shorter than 2 beats
        ({"lease_extension_seconds": 3601}, "lease_extension_seconds"),
        ({"lease_extension_seconds": "60"}, "lease_extension_seconds"),
        ({"assignment_duration": 600, "lease_max_seconds": 300}, "lease_max_seconds"),
        ({"lease_max_seconds": 86401}, "lease_max_seconds"),
    ],
)
async def test_lease_settings_out_of_range_are_refused_naming_the_field(
    api: ApiClient, fields: dict[str, object], field: str
) -> None:
    answer = await api.post_project(**fields)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


async def test_lease_settings_change_on_a_live_project(api: ApiClient) -> None:
    project = await api.project()
    changed = await api.call(
        "PATCH", f"/projects/{project['id']}", json={"lease_extension_seconds": 300}
    )
    assert changed.status_code == 200 and changed.json()["lease_extension_seconds"] == 300


async def test_tasks_past_their_lifetime_reach_the_clients_endpoint_as_expired(
    gateway: Gateway, api: ApiClient, time_machine: TimeMachineFixture
) -> None:
    project = await api.project(task_lifetime=60)
    [done, left] = await api.tasks(project["id"], 2)
    worker, assignment = await gateway.worker_on(project["id"])
    await worker.submit(assignment, {"label": "cat"})
    with running_receiver() as receiver:
        hook = await endpoint(api, receiver.url, ["task.expired", "project.completed"])
        time_machine.move_to(now() + 61)
        # the worker's next task (given after the submit) ended with the task: then the task
        assert await expire_overdue(gateway.rt, at=now()) == (1, 1)
        assert await expire_overdue(gateway.rt, at=now()) == (0, 0), "once"
        async with delivering(gateway):
            await settled(api, hook["id"], 2)
    events = [Webhook(hook["secret"]).verify(r.headers, r.body) for r in receiver.received]
    assert [e.type for e in events] == ["task.expired", "project.completed"]
    bodies = [json.loads(r.body)["data"] for r in receiver.received]
    assert bodies[0] == {
        "task_id": left["id"],
        "project_id": project["id"],
        "external_id": "t1",
        "status": "expired",
        "expires_at": bodies[0]["expires_at"],
    }
    assert bodies[1]["counts"] == {"tasks": 2, "completed": 1, "cancelled": 0, "expired": 1}
    assert (await api.call("GET", f"/tasks/{left['id']}")).json()["status"] == "expired"
    assert (await api.call("GET", f"/tasks/{done['id']}")).json()["status"] == "completed"
    counts = (await api.call("GET", f"/projects/{project['id']}")).json()["counts"]
    assert counts == {"tasks": 2, "open": 0, "completed": 1, "expired": 1}
    stored = await gateway.rt.store.get_project(project["id"])
    assert stored is not None
    shown = await progress(gateway.rt, stored)  # the console's bars
    assert (shown.open, shown.submitted, shown.expired) == (0, 1, 1)
