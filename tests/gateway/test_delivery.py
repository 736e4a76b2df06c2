"""Webhooks reach a real receiver, signed so that both our SDK and the reference library agree."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook as ReferenceWebhook

from crowdframe import Webhook
from delivery_harness import delivering, endpoint, messages_of, settled, submit_one
from harness import ApiClient, Gateway
from receiver import running_receiver


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"retry_schedule": (0.05, 0.05, 0.05)}


async def test_a_submission_arrives_signed_and_both_verifiers_accept_it(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as receiver:
        hook = await endpoint(api, receiver.url, ["assignment.submitted"])
        async with delivering(gateway):
            assignment_id = await submit_one(gateway, api)
            await settled(api, hook["id"])
    messages = await messages_of(api, hook["id"])
    assert [m["event_type"] for m in messages] == ["assignment.submitted"], "the filter holds"
    assert len(receiver.received) == 1
    delivery = receiver.received[0]
    event = Webhook(hook["secret"]).verify(delivery.headers, delivery.body)
    assert event.type == "assignment.submitted"
    assert event.assignment_id == assignment_id
    assert event.result == {"sentiment": "positive"}
    reference = ReferenceWebhook(hook["secret"]).verify(delivery.body, delivery.headers)
    assert reference["data"]["assignment_id"] == assignment_id
    assert delivery.headers["content-type"] == "application/json"


async def test_a_failing_receiver_gets_the_same_message_again_until_it_answers_2xx(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as receiver:
        receiver.script = [500, 302]
        hook = await endpoint(api, receiver.url, ["assignment.submitted"])
        async with delivering(gateway):
            await submit_one(gateway, api)
            await settled(api, hook["id"])
    assert len(receiver.received) == 3, "a 2xx ends the retries; a redirect is not followed"
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(ids) == 1, "every retry carries the same webhook-id"
    attempts = await gateway.rt.store.list_attempts(ids.pop())
    assert [a.status_code for a in attempts] == [500, 302, 200]
    for delivery in receiver.received:
        Webhook(hook["secret"]).verify(delivery.headers, delivery.body)


async def test_a_message_is_marked_failed_after_the_last_retry(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as receiver:
        receiver.script = [500] * 10
        hook = await endpoint(api, receiver.url, ["assignment.submitted"])
        async with delivering(gateway):
            await submit_one(gateway, api)
            await settled(api, hook["id"])
    assert len(receiver.received) == 4, "one attempt plus three retries, then it stops"
    messages = await messages_of(api, hook["id"])
    assert [(m["status"], m["attempts"]) for m in messages] == [("failed", 4)]


async def test_the_test_event_reaches_only_its_endpoint(gateway: Gateway, api: ApiClient) -> None:
    with running_receiver() as first, running_receiver() as second:
        hook = await endpoint(api, first.url)
        other = await endpoint(api, second.url)
        async with delivering(gateway):
            answer = await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            assert answer.status_code == 202
            await settled(api, hook["id"])
    assert await messages_of(api, other["id"]) == []
    assert second.received == []
    body = json.loads(first.received[0].body)
    assert body["type"] == "endpoint.test"
    assert first.received[0].headers["webhook-id"] == answer.json()["message_id"]
