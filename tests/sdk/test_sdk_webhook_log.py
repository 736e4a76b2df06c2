"""A client reads its delivery log and replays messages through the SDK, against the gateway
app and a real receiver; bad input to these endpoints is a 4xx naming the field."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

import crowdframe
from delivery_harness import delivering, endpoint, wait_for
from harness import ApiClient, Gateway
from receiver import running_receiver


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"retry_schedule": (0.05,)}


async def test_the_attempt_log_shows_each_try_and_a_replay_sends_the_message_again(
    gateway: Gateway, api: ApiClient, sdk: crowdframe.AsyncClient
) -> None:
    with running_receiver() as receiver:
        receiver.script = [503]
        hook = await sdk.create_webhook_endpoint(receiver.url, event_types=["endpoint.test"])
        async with delivering(gateway):
            message_id = await sdk.send_test_event(hook.id)
            await wait_for(receiver, 2)
            for _ in range(100):  # the gateway records the answer just after it arrives
                if (await sdk.get_webhook_message(message_id)).status == "delivered":
                    break
                await asyncio.sleep(0.02)
            messages = [m async for m in sdk.iter_webhook_messages(hook.id)]
            attempts = await sdk.list_webhook_attempts(message_id)
            replayed = await sdk.replay_webhook_message(message_id)
            await wait_for(receiver, 3)
    assert [m.id for m in messages] == [message_id]
    assert messages[0].status == "delivered"
    assert messages[0].payload["type"] == "endpoint.test"
    assert [a.status_code for a in attempts] == [503, 200]
    assert all(a.response == "ok" and a.latency_ms > 0 for a in attempts)
    assert replayed.status == "pending"
    assert [r.headers["webhook-id"] for r in receiver.received] == [message_id] * 3


async def test_every_failed_message_since_a_time_can_be_replayed(
    gateway: Gateway, api: ApiClient, sdk: crowdframe.AsyncClient
) -> None:
    with running_receiver() as receiver:
        receiver.script = [500, 500, 500, 500]  # two messages, two attempts each
        hook = await sdk.create_webhook_endpoint(receiver.url)
        async with delivering(gateway):
            first = await sdk.send_test_event(hook.id)
            second = await sdk.send_test_event(hook.id)
            await wait_for(receiver, 4)
            for _ in range(500):  # attempts are group-committed: wait for the recorded answers
                failed = (await sdk.list_webhook_messages(hook.id, status="failed")).data
                if len(failed) == 2:
                    break
                await asyncio.sleep(0.02)
            count = await sdk.replay_failed_webhooks(hook.id, datetime(2020, 1, 1, tzinfo=UTC))
            await wait_for(receiver, 6)
            for _ in range(500):
                delivered = (await sdk.list_webhook_messages(hook.id, status="delivered")).data
                if len(delivered) == 2:
                    break
                await asyncio.sleep(0.02)
    assert {m.id for m in failed} == {first, second}
    assert count == 2
    assert {m.id for m in delivered} == {first, second}


async def test_rotating_and_disabling_through_the_sdk(sdk: crowdframe.AsyncClient) -> None:
    hook = await sdk.create_webhook_endpoint("http://127.0.0.1:9/hooks")
    rotated = await sdk.rotate_webhook_secret(hook.id)
    assert rotated.secret is not None and rotated.secret != hook.secret
    assert rotated.old_secrets_expire_at is not None
    disabled = await sdk.update_webhook_endpoint(hook.id, enabled=False)
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "disabled by the client")
    narrowed = await sdk.update_webhook_endpoint(
        hook.id, event_types=["task.completed"], enabled=True
    )
    assert (narrowed.status, narrowed.event_types) == ("enabled", ["task.completed"])
    assert (await sdk.get_webhook_endpoint(hook.id)).event_types == ["task.completed"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("GET", "/webhook-endpoints/{e}/messages?status=lost", None, 422, "status"),
        ("GET", "/webhook-endpoints/{e}/messages?cursor=abc", None, 422, "cursor"),
        ("POST", "/webhook-endpoints/{e}/replay-failed", {}, 422, "since"),
        ("POST", "/webhook-endpoints/{e}/replay-failed", {"since": "yesterday"}, 422, "since"),
        ("POST", "/webhook-endpoints/{e}/replay-failed", {"since": 0, "x": 1}, 422, "x"),
        ("PATCH", "/webhook-endpoints/{e}", {"status": "paused"}, 422, "status"),
        ("PATCH", "/webhook-endpoints/{e}", {"url": "ftp://x"}, 422, "url"),
        ("PATCH", "/webhook-endpoints/{e}", {"event_types": ["nope"]}, 422, "event_types"),
        ("GET", "/webhook-endpoints/whe_nope", None, 404, "endpoint_id"),
        ("GET", "/webhook-messages/msg_nope", None, 404, "message_id"),
        ("GET", "/webhook-messages/msg_nope/attempts", None, 404, "message_id"),
        ("POST", "/webhook-messages/msg_nope/replay", None, 404, "message_id"),
        ("POST", "/webhook-messages/{m}/replay", None, 409, None),
    ],
)
async def test_bad_input_is_a_4xx_naming_the_field(
    api: ApiClient,
    method: str,
    path: str,
    body: dict[str, object] | None,
    status: int,
    field: str | None,
) -> None:
    hook = await endpoint(api, "http://127.0.0.1:9/hooks")
    message = (await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")).json()
    url = path.format(e=hook["id"], m=message["message_id"])
    answer = await api.call(method, url, json=body)
    assert answer.status_code == status, answer.text
    assert answer.json()["error"].get("field") == field


async def test_another_clients_messages_are_invisible(gateway: Gateway, api: ApiClient) -> None:
    hook = await endpoint(api, "http://127.0.0.1:9/hooks")
    message = (await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")).json()
    other = await gateway.client("other")
    for path in (
        f"/webhook-messages/{message['message_id']}",
        f"/webhook-endpoints/{hook['id']}/messages",
    ):
        assert (await other.call("GET", path)).status_code == 404
