"""A Redis store call that is cancelled ends cancelled, wherever it was: redis-py sends each
command under ``asyncio.wait_for``, which on Python 3.11 can lose a cancellation, and a loop
that lost its cancellation never stops (a gateway that hangs on shutdown)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from crowdframe_gateway.redis_store import RedisStore
from scale_out import opened
from store_world import make_client, make_endpoint, make_project


@pytest.fixture
async def store(redis_url: str) -> AsyncIterator[RedisStore]:
    async with opened(RedisStore(redis_url)) as store:
        yield store


async def cancelled_at_every_step(call: Callable[[], Awaitable[Any]]) -> int:
    """Cancel ``call`` after 0, 1, 2... turns of the event loop until it finishes first; each
    time it must end cancelled, and the same call must then answer as before. How many turns
    were covered."""
    expected = await call()
    turns = 0
    while True:
        task = asyncio.ensure_future(call())
        for _ in range(turns):
            await asyncio.sleep(0)  # one turn of the event loop, not a wait on the clock
        if task.done():
            assert await task == expected
            return turns
        task.cancel()
        await asyncio.wait([task])
        assert task.cancelled(), f"cancelled after {turns} turns, yet it answered"
        assert await call() == expected  # the connection holds no stale reply
        turns += 1


@pytest.mark.parametrize("what", ["commands", "pipeline"])
async def test_a_cancelled_call_ends_cancelled_and_the_next_one_answers(
    store: RedisStore, what: str
) -> None:
    client = await make_client(store)
    if what == "commands":  # two commands, one after the other
        endpoint = await make_endpoint(store, client)
        covered = await cancelled_at_every_step(lambda: store.get_endpoint(endpoint.id))
    else:  # one pipeline
        project = await make_project(store, client)
        covered = await cancelled_at_every_step(lambda: store.get_project(project.id))
    assert covered >= 2  # cancelled while sending and while waiting for the reply, at least
