"""POST /tasks/{id}/cancel: the client takes an open task off the workplace."""

from __future__ import annotations

import httpx
import pytest

import crowdframe
from harness import ON_BOTH_STORES, ApiClient, Gateway

pytestmark = ON_BOTH_STORES


async def test_a_cancelled_task_leaves_the_workplace_but_accepted_work_is_still_submitted(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(assignments_per_task=2)
    [task] = await api.tasks(project["id"], 1)
    first = await gateway.worker("one@example.org")
    assignment = await first.accept(project["id"])

    answer = await api.call("POST", f"/tasks/{task['id']}/cancel")

    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    second = await gateway.worker("two@example.org")
    refused = await second.post_form(f"/work/projects/{project['id']}/accept", {})
    assert refused.headers["location"] == "/work?notice=gone"
    preview = await second.http.get(f"/work/projects/{project['id']}/preview")
    assert preview.headers["location"] == "/work?notice=gone"
    assert (await first.submit(assignment, {"label": "cat"}))["status"] == "submitted"
    task_now = (await api.call("GET", f"/tasks/{task['id']}")).json()
    assert task_now["status"] == "cancelled"
    again = await api.call("POST", f"/tasks/{task['id']}/cancel")
    assert again.status_code == 200 and again.json()["status"] == "cancelled"


async def test_a_completed_task_is_409_and_another_clients_task_404(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project()
    [task] = await api.tasks(project["id"], 1)
    worker = await gateway.worker()
    await worker.submit(await worker.accept(project["id"]), {"label": "cat"})
    other = await gateway.client("other")

    completed = await api.call("POST", f"/tasks/{task['id']}/cancel")
    foreign = await other.call("POST", f"/tasks/{task['id']}/cancel")

    assert completed.status_code == 409
    assert completed.json()["error"]["code"] == "task_completed"
    assert foreign.status_code == 404 and foreign.json()["error"]["field"] == "task_id"
    assert (await api.call("POST", "/tasks/tsk_unknown/cancel")).status_code == 404


async def test_the_sdk_cancels_a_task(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project()
    [task, done] = await api.tasks(project["id"], 2)
    worker = await gateway.worker()
    await worker.submit(await worker.accept(project["id"]), {"label": "cat"})
    transport = httpx.ASGITransport(app=gateway.app)
    async with crowdframe.AsyncClient(api.made.api_key, transport=transport) as sdk:
        cancelled = await sdk.cancel_task(done["id"])
        assert (cancelled.id, cancelled.status) == (done["id"], "cancelled")
        with pytest.raises(crowdframe.ConflictError) as refused:
            await sdk.cancel_task(task["id"])
        assert refused.value.code == "task_completed"
