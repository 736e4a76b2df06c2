"""The SDK's conversation methods against a real gateway app: a dispute listed, overturned and
upheld; messages to a project's workers, their replies, limits refused with the SDK's errors."""

from __future__ import annotations

import re

import httpx
import pytest

import crowdframe
from harness import GATEWAY, ApiClient, Browser, Gateway


async def disputed(gateway: Gateway, sdk: crowdframe.AsyncClient, email: str) -> Browser:
    project = await sdk.create_project(
        title="Label it", task_url="http://localhost:8001/task", reward_cents=30
    )
    await sdk.add_tasks(project.id, [{"external_id": "t0", "input": {}}])
    worker = await gateway.worker(email)
    assignment_id = await worker.accept(project.id)
    await worker.submit(assignment_id, {"label": "cat"})
    await sdk.reject(assignment_id, "labels are random")
    await worker.get("/earnings")
    answer = await worker.post_form(
        f"/earnings/assignments/{assignment_id}/dispute", {"message": "they are not"}
    )
    assert answer.status_code == 303, answer.text
    return worker


async def test_a_client_overturns_one_dispute_and_upholds_another(
    gateway: Gateway, sdk: crowdframe.AsyncClient
) -> None:
    alice = await disputed(gateway, sdk, "alice@example.org")
    bob = await disputed(gateway, sdk, "bob@example.org")
    first, second = (await sdk.list_disputes(status="open")).data
    assert (first.message, first.reject_reason) == ("they are not", "labels are random")
    overturned = await sdk.overturn_dispute(first.id)
    assert overturned.status == "overturned" and overturned.assignment is not None
    assert overturned.assignment.status == "approved"
    upheld = await sdk.uphold_dispute(second.id, "they are, sorry")
    assert (upheld.status, upheld.reply) == ("upheld", "they are, sorry")
    assert [d.id async for d in sdk.iter_disputes(status="open")] == []
    with pytest.raises(crowdframe.ConflictError) as refused:
        await sdk.uphold_dispute(first.id, "changed my mind")
    assert refused.value.code == "dispute_answered"
    earned = re.findall(r'data-currency="USD">\$([0-9.]+)<', (await alice.get("/earnings")).text)
    assert earned == ["0.30"]
    assert "they are, sorry" in (await bob.get("/earnings")).text


def test_the_blocking_client_reads_disputes_too(gateway: Gateway, api: ApiClient) -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"data": [], "next_cursor": None})
    )
    with crowdframe.Client(api.made.api_key, GATEWAY, transport=transport) as client:
        assert client.list_disputes(status="open").data == []
        assert list(client.iter_messages(author="worker")) == []


async def test_a_client_messages_a_projects_workers_and_reads_the_replies(
    gateway: Gateway, sdk: crowdframe.AsyncClient
) -> None:
    project = await sdk.create_project(
        title="Label it", task_url="http://localhost:8001/task", reward_cents=30
    )
    await sdk.add_tasks(project.id, [{"external_id": f"t{n}", "input": {}} for n in range(2)])
    worker = await gateway.worker()
    await worker.accept(project.id)
    [thread] = await sdk.send_message("Thanks", "Good work", project_id=project.id)
    await worker.get(f"/inbox/threads/{thread.id}")
    await worker.post_form(f"/inbox/threads/{thread.id}/reply", {"body": "Glad to help"})
    await sdk.reply(thread.id, "Welcome")
    replies = await sdk.list_messages(author="worker")
    assert [m.body for m in replies.data] == ["Glad to help"]
    full = await sdk.get_thread(thread.id)
    assert [(m.author, m.body) for m in full.messages] == [
        ("client", "Good work"),
        ("worker", "Glad to help"),
        ("client", "Welcome"),
    ]
    assert [t.id for t in (await sdk.list_threads()).data] == [thread.id]
    with pytest.raises(crowdframe.NotFoundError):
        await sdk.send_message("Hi", "x", worker_ids=["wkr_nobody"])
    with pytest.raises(crowdframe.ValidationError):
        await sdk.send_message("Hi", "")
