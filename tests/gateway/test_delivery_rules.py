"""The delivery promises a receiver notices: 410 and endless failure disable an endpoint (with
an event), a rotated secret signs beside the old one for a while, messages about one task
arrive one after another, and a slow endpoint does not hold up anyone else."""

from __future__ import annotations

import itertools
import json
from functools import partial

import pytest
from standardwebhooks.webhooks import Webhook as ReferenceWebhook
from time_machine import TimeMachineFixture

from crowdframe import Webhook, WebhookVerificationError
from crowdframe_gateway.core.records import now
from delivery_harness import (
    delivering,
    endpoint,
    messages_of,
    settled,
    submit_one,
    wait_for,
    wait_until,
)
from harness import ApiClient, Gateway
from receiver import running_receiver


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {
        "retry_schedule": (0.05,) * 40,
        "disable_after": 0.6,
        "secret_grace": 0.8,
        "endpoint_concurrency": 3,
        "delivery_concurrency": 6,
    }


async def disabled(api: ApiClient, endpoint_id: str) -> bool:
    shown = await api.call("GET", f"/webhook-endpoints/{endpoint_id}")
    return bool(shown.json()["status"] == "disabled")


def types_of(receiver_bodies: list[bytes]) -> list[str]:
    return [json.loads(body)["type"] for body in receiver_bodies]


async def test_a_410_gone_disables_the_endpoint_and_announces_it(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as gone, running_receiver() as watcher:
        gone.script = [410]
        hook = await endpoint(api, gone.url, ["endpoint.test"])
        await endpoint(api, watcher.url, ["endpoint.disabled"])
        async with delivering(gateway):
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_for(watcher, 1)
            refused = await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await settled(api, hook["id"])
    assert len(gone.received) == 1, "no retry after 410"
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "endpoint_disabled"
    announced = json.loads(watcher.received[0].body)
    assert announced["type"] == "endpoint.disabled"
    assert announced["data"]["endpoint_id"] == hook["id"]
    assert "410" in announced["data"]["reason"]
    shown = (await api.call("GET", f"/webhook-endpoints/{hook['id']}")).json()
    assert shown["status"] == "disabled"
    assert "410" in shown["disabled_reason"]
    messages = (await api.call("GET", f"/webhook-endpoints/{hook['id']}/messages")).json()
    assert [m["status"] for m in messages["data"]] == ["failed"]


async def test_an_endpoint_failing_for_the_configured_time_is_disabled(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as failing, running_receiver() as watcher:
        failing.script = [500] * 1000
        hook = await endpoint(api, failing.url, ["endpoint.test"])
        await endpoint(api, watcher.url, ["endpoint.disabled"])
        async with delivering(gateway):
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_for(watcher, 1)
            await settled(api, hook["id"])
        [message] = await messages_of(api, hook["id"])
    assert message["status"] == "failed"
    assert message["attempts"] > 3, "it was retried while failing"
    assert len(failing.received) == message["attempts"], "nothing is sent to a disabled endpoint"
    reason = json.loads(watcher.received[0].body)["data"]["reason"]
    assert reason.startswith("every attempt failed for")
    shown = (await api.call("GET", f"/webhook-endpoints/{hook['id']}")).json()
    assert shown["status"] == "disabled"
    assert shown["failing_since"] is not None


async def test_enabling_again_and_replaying_delivers_what_failed(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as receiver:
        receiver.script = [410]
        hook = await endpoint(api, receiver.url, ["endpoint.test"])
        async with delivering(gateway):
            sent = await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_for(receiver, 1)
            await wait_until(partial(disabled, api, hook["id"]), "the endpoint to be disabled")
            refused = await api.call(
                "POST", f"/webhook-endpoints/{hook['id']}/replay-failed", json={"since": 0}
            )
            assert refused.status_code == 409
            assert refused.json()["error"]["code"] == "endpoint_disabled"
            enabled = await api.call(
                "PATCH", f"/webhook-endpoints/{hook['id']}", json={"status": "enabled"}
            )
            assert enabled.json()["status"] == "enabled"
            assert enabled.json()["disabled_reason"] is None
            replayed = await api.call(
                "POST", f"/webhook-endpoints/{hook['id']}/replay-failed", json={"since": 0}
            )
            assert replayed.status_code == 202
            assert replayed.json() == {"replayed": 1}
            await wait_for(receiver, 2)
    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids == [sent.json()["message_id"]] * 2


async def test_a_rotated_secret_signs_beside_the_old_one_until_the_grace_period_ends(
    gateway: Gateway, api: ApiClient, time_machine: TimeMachineFixture
) -> None:
    with running_receiver() as receiver:
        hook = await endpoint(api, receiver.url, ["endpoint.test"])
        old = hook["secret"]
        rotated = await api.call("POST", f"/webhook-endpoints/{hook['id']}/rotate-secret")
        assert rotated.status_code == 200
        new = rotated.json()["secret"]
        assert new != old
        assert rotated.json()["old_secrets_expire_at"] is not None
        async with delivering(gateway):
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_for(receiver, 1)
            time_machine.move_to(now() + 1.0)  # past the grace period (0.8 s in this module)
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_for(receiver, 2)
    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split()) == 2
    for secret in (old, new):
        Webhook(secret).verify(during.headers, during.body)
        ReferenceWebhook(secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split()) == 1
    Webhook(new).verify(after.headers, after.body)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.headers, after.body)


async def test_messages_about_one_task_are_sent_one_after_another_in_order(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as receiver:
        receiver.delay = 0.2
        await endpoint(api, receiver.url)
        for _ in range(3):  # accepted, submitted, task.completed, project.completed (one task
            await submit_one(gateway, api)  # in each of three projects)
        async with delivering(gateway):
            await wait_for(receiver, 12)
            await wait_until(lambda: receiver.answered == 12, "every answer")
    by_task: dict[str, list[tuple[str, float, float]]] = {}
    for got in receiver.received:
        body = json.loads(got.body)
        assert got.answered_at is not None
        by_task.setdefault(body["data"]["task_id"], []).append(
            (body["type"], got.at, got.answered_at)
        )
    assert len(by_task) == 3
    for deliveries in by_task.values():
        kinds = [kind for kind, _, _ in deliveries]
        assert kinds == [
            "assignment.accepted",
            "assignment.submitted",
            "task.completed",
            "project.completed",
        ]
        for (_, _, answered), (_, next_started, _) in itertools.pairwise(deliveries):
            assert next_started >= answered, "the next one waited for the previous answer"
    firsts = sorted((d[0][1], d[0][2]) for d in by_task.values())
    assert firsts[1][0] < firsts[0][1], "different tasks are delivered side by side"


async def test_a_slow_endpoint_does_not_hold_up_another_clients_delivery(
    gateway: Gateway, api: ApiClient
) -> None:
    other = await gateway.client("other")
    with running_receiver() as slow, running_receiver() as fast:
        slow.delay = 3.0
        slow_hook = await endpoint(api, slow.url, ["endpoint.test"])
        fast_hook = await endpoint(other, fast.url, ["endpoint.test"])
        for _ in range(20):
            await api.call("POST", f"/webhook-endpoints/{slow_hook['id']}/test")
        async with delivering(gateway):
            await wait_for(slow, 3)
            await other.call("POST", f"/webhook-endpoints/{fast_hook['id']}/test")
            await wait_for(fast, 1)
            in_flight = len(slow.received)
            answered = slow.answered
    assert answered == 0, "the other client's webhook came while the slow one was still busy"
    assert in_flight == 3, "one endpoint gets at most endpoint_concurrency slots"
