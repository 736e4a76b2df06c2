"""What clients manage about their webhooks: endpoints, the delivery log, replays, on every
store."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import Conflict, InvalidInput, NotFound
from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import Attempt, now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.rules import signing_secrets
from crowdframe_gateway.webhooks.store import EndpointChange, MessageQuery
from store_world import make_client, make_endpoint, make_project, make_tasks


async def _fail(store: Store, message_id: str, at: float) -> None:
    await store.finish_attempt(
        Attempt(message_id, at, 500, 1.0, "", None), "failed", next_attempt_at=None
    )


async def test_an_endpoint_is_changed_disabled_and_enabled_again(store: Store) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client)
    _, [pending] = await store.record_event(client.id, "endpoint.test", {})
    changed = await store.update_endpoint(
        endpoint.id, EndpointChange("https://new.example/h", ("task.completed",), enabled=False)
    )
    assert (changed.url, changed.event_types, changed.status) == (
        "https://new.example/h",
        ("task.completed",),
        "disabled",
    )
    assert changed.disabled_reason == "disabled by the client"
    assert await store.get_endpoint(endpoint.id) == changed
    message = await store.get_message(pending)
    assert message is not None and message.status == "failed", "nothing is tried while disabled"
    enabled = await store.update_endpoint(endpoint.id, EndpointChange(changed.url, None, True))
    assert (enabled.status, enabled.failing_since, enabled.disabled_reason) == (
        "enabled",
        None,
        None,
    )
    with pytest.raises(NotFound):
        await store.update_endpoint("whe_unknown", EndpointChange("https://x", None, True))


async def test_a_rotation_keeps_the_secrets_still_signing_until_the_grace_ends(
    store: Store,
) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client)
    [original] = endpoint.secrets
    at = 1_000_000.0
    once = await store.rotate_endpoint_secret(
        endpoint.id, "whsec_two", now=at, old_valid_until=at + 100
    )
    assert once.secrets == (original, "whsec_two") and once.old_secrets_expire_at == at + 100
    assert signing_secrets(once, at + 99) == (original, "whsec_two")
    assert signing_secrets(once, at + 100) == ("whsec_two",)
    twice = await store.rotate_endpoint_secret(
        endpoint.id, "whsec_three", now=at + 50, old_valid_until=at + 150
    )
    assert twice.secrets == (original, "whsec_two", "whsec_three")
    late = await store.rotate_endpoint_secret(
        endpoint.id, "whsec_four", now=at + 200, old_valid_until=at + 300
    )
    assert late.secrets == ("whsec_three", "whsec_four"), "expired secrets are dropped"
    assert await store.get_endpoint(endpoint.id) == late


async def test_disabling_fails_pending_messages_everywhere_and_tells_the_others(
    store: Store,
) -> None:
    client = await make_client(store)
    failing = await make_endpoint(store, client)
    watcher = await make_endpoint(store, client, ["endpoint.disabled"])
    project = await make_project(store, client)
    await make_tasks(store, project, 1)
    assert await store.claim(Claim(project.id, "w1", "p1"), now=now()) is not None
    _, [test_message] = await store.record_event(
        client.id, "endpoint.test", {}, endpoint_id=failing.id
    )
    at = now()
    assert await store.disable_endpoint(failing.id, reason="410 Gone", now=at)
    assert not await store.disable_endpoint(failing.id, reason="again", now=at)
    disabled = await store.get_endpoint(failing.id)
    assert disabled is not None
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "410 Gone")
    page = await store.list_messages(failing.id, MessageQuery(10))
    assert {m.status for m in page.items} == {"failed"} and len(page.items) == 2
    assert any(m.id == test_message for m in page.items)
    [told] = await store.lease_messages(now=at, limit=10, lease_seconds=30)
    assert told.endpoint.id == watcher.id and told.event.type == "endpoint.disabled"
    assert told.event.data == {
        "endpoint_id": failing.id,
        "url": failing.url,
        "reason": "410 Gone",
        "failing_since": None,
    }


async def test_the_log_lists_an_endpoints_messages_newest_first_page_by_page(
    store: Store,
) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client)
    await make_endpoint(store, client)
    project = await make_project(store, client)
    await make_tasks(store, project, 3)
    ids = []
    for i in range(3):
        ids += (
            await store.record_event(client.id, "endpoint.test", {"i": i}, endpoint_id=endpoint.id)
        )[1]
        claimed = await store.claim(Claim(project.id, f"w{i}", f"p{i}"), now=now())
        assert claimed is not None
        ids += [m.id for m in (await store.list_messages(endpoint.id, MessageQuery(1))).items]
    seen, cursor = [], None
    while True:
        page = await store.list_messages(endpoint.id, MessageQuery(4, cursor=cursor))
        seen += page.items
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [m.id for m in seen] == list(reversed(ids))
    assert all(m.endpoint.id == endpoint.id and m.created_at > 0 for m in seen)
    await _fail(store, ids[0], now())
    failed = await store.list_messages(endpoint.id, MessageQuery(10, status="failed"))
    assert [m.id for m in failed.items] == [ids[0]] and failed.next_cursor is None
    with pytest.raises(InvalidInput):
        await store.list_messages(endpoint.id, MessageQuery(4, cursor="bogus"))
    assert await store.get_message("msg_unknown") is None


async def test_replays_make_messages_due_again_with_a_fresh_schedule(store: Store) -> None:
    client = await make_client(store)
    endpoint = await make_endpoint(store, client)
    at = now()
    _, [old] = await store.record_event(client.id, "endpoint.test", {"i": 1})
    _, [new] = await store.record_event(client.id, "endpoint.test", {"i": 2})
    with pytest.raises(Conflict) as pending:
        await store.replay_message(old, now=at)
    assert pending.value.code == "message_pending"
    await _fail(store, old, at)
    await _fail(store, new, at)
    replayed = await store.replay_message(old, now=at + 10)
    assert (replayed.status, replayed.attempts, replayed.next_attempt_at) == (
        "pending",
        0,
        at + 10,
    )
    [leased] = await store.lease_messages(now=at + 10, limit=10, lease_seconds=30)
    assert leased.id == old
    created = (await store.get_message(new)).created_at  # type: ignore[union-attr]
    assert await store.replay_failed(endpoint.id, since=created + 1, now=at + 20) == 0
    assert await store.replay_failed(endpoint.id, since=created, now=at + 20) == 1
    assert (await store.get_message(new)).status == "pending"  # type: ignore[union-attr]
    await store.update_endpoint(endpoint.id, EndpointChange(endpoint.url, None, enabled=False))
    with pytest.raises(Conflict) as disabled:
        await store.replay_message(old, now=at + 30)
    assert disabled.value.code == "endpoint_disabled"
    with pytest.raises(Conflict):
        await store.replay_failed(endpoint.id, since=0, now=at + 30)
    with pytest.raises(NotFound):
        await store.replay_message("msg_unknown", now=at)
