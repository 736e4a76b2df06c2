"""Clients and workers: what sign-in and API authentication read back."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.runtime import Store
from store_world import make_client, make_worker


async def test_a_client_is_found_by_id_and_by_the_hash_of_its_api_key(store: Store) -> None:
    client = await make_client(store)
    assert await store.get_client(client.id) == client
    assert await store.client_by_key_hash("hash-" + client.id) == client
    assert await store.client_by_key_hash("hash-of-another-key") is None
    assert await store.get_client("cli_unknown") is None


async def test_a_worker_is_found_by_id_and_by_email(store: Store) -> None:
    worker = await make_worker(store, "ada@example.org")
    assert await store.get_worker(worker.id) == worker
    assert await store.worker_by_email("ada@example.org") == worker
    assert await store.worker_by_email("bob@example.org") is None


async def test_a_second_account_with_the_same_email_is_refused(store: Store) -> None:
    first = await make_worker(store, "ada@example.org")
    with pytest.raises(Conflict) as refused:
        await make_worker(store, "ada@example.org")
    assert refused.value.field == "email"
    assert await store.worker_by_email("ada@example.org") == first


async def test_a_workers_language_is_kept_with_the_rest_of_their_profile(store: Store) -> None:
    worker = await make_worker(store, "ada@example.org")
    assert worker.locale is None
    chosen = await store.set_worker_locale(worker.id, "de")
    assert chosen.locale == "de" and chosen.languages == worker.languages
    profiled = await store.update_worker_profile(worker.id, languages=("en:fluent",), skills=())
    assert profiled.locale == "de", "a profile change keeps the language"
    assert await store.get_worker(worker.id) == profiled
    with pytest.raises(NotFound):
        await store.set_worker_locale("wrk_unknown", "de")
