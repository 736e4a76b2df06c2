"""What only a shared Redis has to survive: other processes, a server that forgot its scripts,
a process that died holding a partition."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Attempt, now
from crowdframe_gateway.redis_store import RedisStore
from crowdframe_gateway.store.redis import keys
from scale_out import opened
from store_world import make_client, make_endpoint, make_project, make_tasks

RECORD_IN_ANOTHER_PROCESS = """
import asyncio, sys
from crowdframe_gateway.redis_store import RedisStore

async def main():
    store = RedisStore(sys.argv[1])
    await store.open()
    await store.record_event(sys.argv[2], "endpoint.test", {"from": "another process"})
    await store.close()

asyncio.run(main())
"""


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    async with opened(RedisStore(redis_url)) as store:
        yield store


async def test_a_commit_in_another_process_wakes_this_delivery_loop(
    store: RedisStore, redis_url: str
) -> None:
    client = await make_client(store)
    await make_endpoint(store, client)
    waiting = asyncio.create_task(store.wait_for_messages(30))
    started = time.monotonic()
    await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", RECORD_IN_ANOTHER_PROCESS, redis_url, client.id],
        check=True,
        timeout=30,
    )
    await asyncio.wait_for(waiting, 30)
    assert time.monotonic() - started < 15, "woken by pub/sub, not by the 30 s timeout"
    [message] = await store.lease_messages(now=now(), limit=10, lease_seconds=30)
    assert message.event.data == {"from": "another process"}


async def test_a_server_that_forgot_its_scripts_is_taught_them_again(
    store: RedisStore, redis_url: str
) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2)
    async with redis.Redis.from_url(redis_url) as admin:
        await admin.script_flush()  # what a restarted Redis looks like to its clients
    claimed = await store.claim(Claim(project.id, "w1", "p"), now=now())  # a pipeline
    assert claimed is not None
    async with redis.Redis.from_url(redis_url) as admin:
        await admin.script_flush()
    done = await store.submit(claimed.id, Submission({"ok": True}), now=now())
    assert done.status == "submitted"


async def test_a_partition_dropped_by_a_dead_process_is_found_again(redis_url: str) -> None:
    async with opened(RedisStore(redis_url)) as first:
        client = await make_client(first)
        await make_endpoint(first, client)
        project = await make_project(first, client, duration=60)
        await make_tasks(first, project, 1)
        at = now()
        assert await first.claim(Claim(project.id, "w1", "p"), now=at) is not None
    async with redis.Redis.from_url(redis_url) as admin:
        # a process took both hints (ZREM) and died before putting them back
        await admin.delete(keys.DUE_OUTBOX, keys.DUE_DEADLINES)
    async with opened(RedisStore(redis_url)) as survivor:
        assert await survivor.expire_assignments(now=at + 61) == 1, "the sweeper repairs first"
        [accepted] = await survivor.lease_messages(now=at + 61, limit=10, lease_seconds=30)
        assert accepted.event.type == "assignment.accepted"
        await survivor.finish_attempt(
            Attempt(accepted.id, at + 61, 200, 1.0, ""), "delivered", next_attempt_at=None
        )
        [expired] = await survivor.lease_messages(now=at + 61, limit=10, lease_seconds=30)
        assert expired.event.type == "assignment.expired", "then the task's next message"
