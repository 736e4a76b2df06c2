"""Helpers for delivery tests: run the delivery loop beside the in-process gateway, wait for a
real receiver, make endpoints and submissions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from crowdframe_gateway.webhooks.delivery import Deliverer
from crowdframe_gateway.webhooks.transport import WebhookTransport
from harness import ApiClient, Gateway
from receiver import Receiver


@asynccontextmanager
async def delivering(
    gateway: Gateway,
    *,
    transport: Callable[[], WebhookTransport] | None = None,
    rt: Any = None,
) -> AsyncIterator[Deliverer]:
    """The delivery loop running for the test's duration (``rt`` replaces the runtime,
    ``transport`` makes the transport of each connection)."""
    deliverer = Deliverer(rt or gateway.rt, transport=transport)
    task = asyncio.create_task(deliverer.run())
    try:
        yield deliverer
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await deliverer.aclose()


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], what: str, seconds: float = 5.0
) -> None:
    """Poll ``condition`` (a function or a coroutine function) until it holds."""
    for _ in range(int(seconds * 100)):
        met = condition()
        if met if isinstance(met, bool) else await met:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def wait_for(receiver: Receiver, count: int) -> None:
    for _ in range(500):
        if len(receiver.received) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} webhooks, got {len(receiver.received)}")


async def messages_of(api: ApiClient, endpoint_id: str) -> list[dict[str, Any]]:
    """The endpoint's webhook messages (status, attempts, event type), oldest first."""
    answer = await api.call("GET", f"/webhook-endpoints/{endpoint_id}/messages")
    return answer.json()["data"][::-1]  # type: ignore[no-any-return]


async def settled(api: ApiClient, endpoint_id: str, count: int = 1) -> None:
    """Wait until ``count`` messages of the endpoint are delivered or failed for good: no more
    attempts will come for them."""

    async def done() -> bool:
        finished = [m for m in await messages_of(api, endpoint_id) if m["status"] != "pending"]
        return len(finished) >= count

    await wait_until(done, f"{count} settled message(s)")


async def endpoint(api: ApiClient, url: str, types: list[str] | None = None) -> dict[str, Any]:
    answer = await api.call("POST", "/webhook-endpoints", json={"url": url, "event_types": types})
    assert answer.status_code == 201, answer.text
    assert answer.json()["secret"].startswith("whsec_")
    return answer.json()  # type: ignore[no-any-return]


async def submit_one(gateway: Gateway, api: ApiClient, project_id: str | None = None) -> str:
    """A worker accepts and submits one task; the assignment id."""
    if project_id is None:
        project = await api.project(tasks=1)
        project_id = project["id"]
    worker = await gateway.worker(f"w{len(gateway.browsers)}@example.org")
    assignment_id = await worker.accept(project_id)
    answer = await worker.http.post(
        f"/work/assignments/{assignment_id}/submit",
        json={"result": {"sentiment": "positive"}},
        headers={"x-csrf-token": worker.csrf},
    )
    assert answer.status_code == 200, answer.text
    return assignment_id
