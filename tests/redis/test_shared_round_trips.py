"""The commands that many requests send to Redis at once share one round trip, and each
still gets its own answer: its value, its own error, its pipeline's answers in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pytest
import redis.asyncio as redis
from redis.exceptions import NoScriptError, ResponseError

from crowdframe_gateway.store.redis.coalescing import CoalescingRedis


@pytest.fixture
async def client(redis_url: str) -> AsyncIterator[redis.Redis]:
    r = CoalescingRedis.from_url(redis_url, decode_responses=True)
    try:
        yield r
    finally:
        await r.aclose()


@pytest.fixture
async def server(redis_url: str) -> AsyncIterator[redis.Redis]:
    """A plain client, to look at the server's counters."""
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        yield r
    finally:
        await r.aclose()


async def reads_processed(server: redis.Redis) -> int:
    """How many times the server read from a client socket (INFO's own read included)."""
    return int((await server.info("stats"))["total_reads_processed"])


async def test_concurrent_commands_go_in_one_round_trip(
    client: redis.Redis, server: redis.Redis
) -> None:
    await server.mset({f"k{i}": str(i) for i in range(32)})
    await client.ping()  # its connection is open: what follows is only the commands
    before = await reads_processed(server)

    values = await asyncio.gather(*(client.get(f"k{i}") for i in range(32)))

    assert values == [str(i) for i in range(32)]
    assert await reads_processed(server) - before <= 2  # the batch, and INFO itself


async def test_each_caller_gets_its_own_error(client: redis.Redis, server: redis.Redis) -> None:
    await server.set("text", "a")
    await server.hset("record", "f", "v")

    answers = await asyncio.gather(
        client.get("text"),
        client.hgetall("text"),  # WRONGTYPE
        client.hgetall("record"),
        return_exceptions=True,
    )

    assert answers[0] == "a"
    assert isinstance(answers[1], ResponseError) and "WRONGTYPE" in str(answers[1])
    assert answers[2] == {"f": "v"}


async def test_a_pipeline_in_a_batch_answers_as_alone(
    client: redis.Redis, server: redis.Redis
) -> None:
    await server.set("text", "a")

    async def piped() -> list[object]:
        pipe = client.pipeline(transaction=False)
        pipe.incr("n")
        pipe.incr("n")
        pipe.get("text")
        return await pipe.execute()

    async def failing() -> list[object]:
        pipe = client.pipeline(transaction=False)
        pipe.incr("m")
        pipe.hgetall("text")  # WRONGTYPE
        return await pipe.execute()

    first, alone, error = await asyncio.gather(
        piped(), client.get("text"), failing(), return_exceptions=True
    )

    assert first == [1, 2, "a"]
    assert alone == "a"
    assert isinstance(error, ResponseError)
    assert await server.get("m") == "1"  # the pipeline ran to its end before raising


async def test_a_caller_cancelled_before_its_turn_sends_nothing(
    client: redis.Redis, server: redis.Redis
) -> None:
    cancelled = asyncio.ensure_future(client.set("never", "1"))
    kept = asyncio.ensure_future(client.set("kept", "1"))
    await asyncio.sleep(0)  # both are queued for the next turn
    cancelled.cancel()

    assert await kept is True
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert await server.get("never") is None
    assert await server.get("kept") == "1"


async def test_a_transaction_still_runs_on_its_own(client: redis.Redis) -> None:
    async with client.pipeline(transaction=True) as pipe:
        pipe.set("a", "1")
        pipe.get("a")
        assert await pipe.execute() == [True, "1"]


async def test_every_answer_is_what_redis_py_gives(
    client: redis.Redis, server: redis.Redis
) -> None:
    """The batch's lean connection (store/redis/wire.py) hands each caller what redis-py's own
    connection would have: maps, scored ranges, flags, numbers, none."""
    await server.hset("h", mapping={"a": "1", "b": "2"})
    await server.zadd("z", {"x": 1.5, "y": 2.0})
    await server.sadd("s", "m")

    def asks(r: redis.Redis) -> list[Awaitable[Any]]:
        return [
            r.hgetall("h"),
            r.hgetall("nothing"),
            r.hmget("h", ["a", "zz"]),
            r.zrange("z", 0, -1, withscores=True),
            r.zscore("z", "x"),
            r.sismember("s", "m"),
            r.exists("h", "nothing"),
            r.set("k", "v"),
            r.set("k", "w", nx=True),
            r.get("missing"),
            r.incrbyfloat("f", 0.5),
            r.zadd("z", {"x": 3}, lt=True),
        ]

    expected = [await ask for ask in asks(server)]
    await server.delete("k", "f")
    await server.zadd("z", {"x": 1.5})

    assert await asyncio.gather(*asks(client)) == expected


async def test_a_script_unknown_to_the_server_is_redis_py_s_error(client: redis.Redis) -> None:
    with pytest.raises(NoScriptError):
        await client.evalsha("0" * 40, 0)


async def test_a_lost_connection_costs_no_command(client: redis.Redis) -> None:
    """The server drops the connection in the middle of a batch (a restart, a failover; here
    the batch's first command has it drop every client): the commands after it are answered
    all the same, through another connection."""
    await asyncio.gather(*(client.set(f"k{i}", str(i)) for i in range(8)))

    _, *values = await asyncio.gather(
        client.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"),
        *(client.get(f"k{i}") for i in range(8)),
    )

    assert values == [str(i) for i in range(8)]
    assert await client.get("k0") == "0"  # and the next batch finds a connection again
