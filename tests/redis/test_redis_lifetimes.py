"""The sweep of lifetimes on a Redis written before it: the open tasks of a project from
before the ``lifetimes`` index join it, a batch at a time, and expire like any other, once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from crowdframe_gateway.redis_store import RedisStore
from crowdframe_gateway.store.redis import keys
from scale_out import opened
from store_world import make_client, make_project, make_tasks, recorded_events


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    async with opened(RedisStore(redis_url)) as store:
        yield store


async def test_a_project_from_before_the_index_has_its_tasks_expired_once(
    store: RedisStore,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    tasks = await make_tasks(store, project, 1200, lifetime=100)  # more than one fill (500)
    [kept] = await make_tasks(store, project, 1, prefix="later", lifetime=10_000)
    end = max(t.expires_at for t in tasks)
    part = keys.part(project.id)
    # as a Redis written before the sweep of lifetimes: no index, no mark, no hint
    await store.r.delete(part + "lifetimes", part + "lifetimes:filled", keys.DUE_LIFETIMES)

    swept = 0
    for _ in range(5):  # each sweep's repair finds the project; each script fills 500 more
        store._next_repair = 0.0  # the repair runs every 30 s: here, on every sweep
        swept += await store.expire_tasks(now=end)
    assert swept == 1200
    assert await store.r.get(part + "lifetimes:filled") == "done"
    assert await store.expire_tasks(now=end) == 0
    assert (await store.get_task(kept.id)).status == "open"  # type: ignore[union-attr]
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts["expired"] == 1200
    assert counted.counts["open"] == 1
    assert await recorded_events(store, client, "project.completed") == []


async def test_a_project_made_since_is_never_walked(store: RedisStore) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    assert await store.r.get(keys.part(project.id) + "lifetimes:filled") == "done"
