"""The task list's index of active projects (``cf:projects:active``): what the sweeper's repair
mends when the index and the projects disagree (a crash between the status write and the index,
or a Redis written before the index existed)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from crowdframe_gateway.core.records import now
from crowdframe_gateway.redis_store import RedisStore
from crowdframe_gateway.store.redis import keys
from scale_out import opened
from store_world import make_client, make_project, make_tasks


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    async with opened(RedisStore(redis_url)) as store:
        yield store


async def _listed(store: RedisStore) -> list[str]:
    return [p.id for p, _ in (await store.open_projects("w1", now=now())).items]


async def test_the_repair_lists_again_an_active_project_the_index_lost(store: RedisStore) -> None:
    client = await make_client(store)
    projects = [await make_project(store, client) for _ in range(3)]
    for project in projects:
        await make_tasks(store, project, 1)
    await store.r.delete(keys.ACTIVE_PROJECTS)
    assert await _listed(store) == []
    await store.repair_hints(now=now())
    assert await _listed(store) == [p.id for p in projects]


async def test_the_repair_drops_a_paused_project_left_in_the_index(store: RedisStore) -> None:
    client = await make_client(store)
    paused = await make_project(store, client, status="paused")
    await make_tasks(store, paused, 1)
    await store.r.zadd(keys.ACTIVE_PROJECTS, {paused.id: 1})
    assert await _listed(store) == [], "a paused project is never listed, index or not"
    await store.repair_hints(now=now())
    assert await store.r.zscore(keys.ACTIVE_PROJECTS, paused.id) is None
