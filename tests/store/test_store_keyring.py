"""A client's keyring and the shared sign-in counters, on every store."""

from __future__ import annotations

import asyncio

import pytest

from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.core.records import ApiKey, new_id
from crowdframe_gateway.runtime import Store
from store_world import Opener, make_client


def _key(client_id: str, at: float, name: str = "ci") -> ApiKey:
    return ApiKey(new_id("key"), client_id, name, "cfk_abcd", at)


async def test_api_keys_are_listed_newest_first_and_found_while_live(store: Store) -> None:
    client = await make_client(store)
    [first] = await store.list_api_keys(client.id)
    second = _key(client.id, first.created_at + 10)
    await store.create_api_key(second, "hash-second")
    assert await store.list_api_keys(client.id) == [second, first]
    assert await store.client_by_key_hash("hash-second") == client
    revoked = await store.revoke_api_key(client.id, second.id, now=first.created_at + 20)
    assert revoked.revoked_at == first.created_at + 20
    assert await store.client_by_key_hash("hash-second") is None, "revoked at once"
    assert await store.client_by_key_hash("hash-" + client.id) == client
    again = await store.revoke_api_key(client.id, second.id, now=first.created_at + 99)
    assert again == revoked, "revoking twice changes nothing"
    assert [k.revoked_at for k in await store.list_api_keys(client.id)] == [
        revoked.revoked_at,
        None,
    ]


async def test_the_last_live_key_and_other_clients_keys_cannot_be_revoked(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    [only] = await store.list_api_keys(client.id)
    with pytest.raises(Conflict) as refused:
        await store.revoke_api_key(client.id, only.id, now=1.0)
    assert refused.value.code == "last_api_key"
    with pytest.raises(NotFound):
        await store.revoke_api_key(other.id, only.id, now=1.0)
    assert await store.client_by_key_hash("hash-" + client.id) == client


async def test_two_revocations_at_once_leave_one_live_key(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(2)]
    client = await make_client(stores[0])
    second = _key(client.id, 1.0)
    await stores[0].create_api_key(second, "hash-2")
    [newest, oldest] = await stores[0].list_api_keys(client.id)
    answers = await asyncio.gather(
        stores[0].revoke_api_key(client.id, newest.id, now=5.0),
        stores[1].revoke_api_key(client.id, oldest.id, now=5.0),
        return_exceptions=True,
    )
    assert sum(isinstance(a, Conflict) for a in answers) == 1
    live = [k for k in await stores[1].list_api_keys(client.id) if k.revoked_at is None]
    assert len(live) == 1


async def test_signing_secrets_rotate_and_one_always_stays(store: Store) -> None:
    client = await make_client(store)  # its secret: cfts_k1_x
    rotated = await store.add_signing_secret(client.id, "cfts_k2_y")
    assert rotated.signing_secrets == ("cfts_k1_x", "cfts_k2_y")
    assert await store.get_client(client.id) == rotated
    dropped = await store.remove_signing_secret(client.id, "k1")
    assert dropped.signing_secrets == ("cfts_k2_y",)
    with pytest.raises(NotFound):
        await store.remove_signing_secret(client.id, "k1")
    with pytest.raises(Conflict) as refused:
        await store.remove_signing_secret(client.id, "k2")
    assert refused.value.code == "last_signing_secret"
    assert (await store.get_client(client.id)) == dropped
    with pytest.raises(NotFound):
        await store.add_signing_secret("cli_unknown", "cfts_k3_z")


async def test_two_secret_deletions_at_once_leave_one(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(2)]
    client = await make_client(stores[0])
    await stores[0].add_signing_secret(client.id, "cfts_k2_y")
    answers = await asyncio.gather(
        stores[0].remove_signing_secret(client.id, "k1"),
        stores[1].remove_signing_secret(client.id, "k2"),
        return_exceptions=True,
    )
    assert sum(isinstance(a, Conflict) for a in answers) == 1
    current = await stores[1].get_client(client.id)
    assert current is not None and len(current.signing_secrets) == 1


async def test_attempts_count_in_a_window_that_opens_at_the_first(store: Store) -> None:
    at = 1_000_000.0
    assert await store.count_attempt("signin:ada", window=900, now=at) == (1, at + 900)
    assert await store.count_attempt("signin:ada", window=900, now=at + 899) == (2, at + 900)
    assert await store.count_attempt("signin:bob", window=900, now=at + 10) == (1, at + 910)
    reopened = await store.count_attempt("signin:ada", window=900, now=at + 900)
    assert reopened == (1, at + 1800), "the window closed: a new one opens"


async def test_attempts_from_every_process_are_counted_once_each(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(3)]
    at = 2_000_000.0
    counts = await asyncio.gather(
        *(s.count_attempt("ip:10.0.0.1", window=60, now=at) for s in stores * 10)
    )
    assert sorted(c for c, _ in counts) == list(range(1, 31))
    assert {end for _, end in counts} == {at + 60}


# a client's keys (True: live) → which one is revoked → what the store answers
@pytest.mark.parametrize(
    ("live", "revoke", "expected"),
    [
        ((True, True), 0, "revoked"),
        ((True, True, True), 2, "revoked"),
        ((True, False), 0, "last_api_key"),
        ((False, True), 0, "unchanged"),  # revoked already: revoking twice changes nothing
        ((True,), 0, "last_api_key"),
    ],
)
async def test_a_revocation_never_leaves_a_client_without_a_live_key(
    store: Store, live: tuple[bool, ...], revoke: int, expected: str
) -> None:
    client = await make_client(store)
    [default] = await store.list_api_keys(client.id)
    made = [_key(client.id, 10.0 + n, f"k{n}") for n in range(len(live) - 1)]
    for n, key in enumerate(made):
        await store.create_api_key(key, f"hash-{n}")
    ring = [default, *made]
    for key, is_live in zip(ring, live, strict=True):
        if not is_live:
            await store.revoke_api_key(client.id, key.id, now=5.0)
    before = await store.list_api_keys(client.id)
    target = ring[revoke]
    if expected == "last_api_key":
        with pytest.raises(Conflict) as refused:
            await store.revoke_api_key(client.id, target.id, now=50.0)
        assert refused.value.code == expected
        assert await store.list_api_keys(client.id) == before
        return
    answer = await store.revoke_api_key(client.id, target.id, now=50.0)
    assert answer.revoked_at == (50.0 if expected == "revoked" else 5.0)
    still_live = [k for k in await store.list_api_keys(client.id) if k.revoked_at is None]
    assert len(still_live) == sum(live) - (expected == "revoked")
