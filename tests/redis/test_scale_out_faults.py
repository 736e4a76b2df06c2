"""Faults with real processes: gateways on one Redis, workers spread over them, a receiver.

Nothing is mocked: `crowdframe gateway --store redis://…` processes, a redis-server, HTTP on
127.0.0.1. Each test states what a platform operator would notice if it went wrong.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import NamedTuple

from crowdframe_gateway.redis_store import RedisStore
from redis_server import RedisServer
from scale_out import (
    HookReceiver,
    HttpWorker,
    create_client,
    gateway_env,
    opened,
    running_hook_receiver,
    set_up_project,
    start_gateway,
)
from services import Service
from store_world import all_assignments, assert_fair


@contextmanager
def logs_on_failure(services: list[Service], server: RedisServer) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for service in services:
            print(f"----- {service.name} log -----\n{service.output()}")
        print(f"----- redis log -----\n{server.log()}")
        raise
    finally:
        for service in services:
            service.stop()
        server.stop()


class Floor(NamedTuple):
    """Two gateways on one Redis at work: the receiver of their webhooks, the client, its
    project (two seats a task) and the workers, signed up, each using both gateways."""

    receiver: HookReceiver
    account: dict[str, str]
    project_id: str
    workers: list[HttpWorker]


@asynccontextmanager
async def two_gateways(
    server: RedisServer, tmp_path: Path, *, tasks: int, workers: int
) -> AsyncIterator[Floor]:
    env = gateway_env()
    services: list[Service] = []
    with running_hook_receiver() as receiver, logs_on_failure(services, server):
        services += [start_gateway(name, server.url, tmp_path, env) for name in ("a", "b")]
        origins = [s.origin for s in services]
        account = create_client(server.url, env)
        project_id = await set_up_project(
            origins[0], account["api_key"], receiver.url, tasks=tasks, per_task=2
        )
        crowd = [HttpWorker(f"w{i}@example.org", origins) for i in range(workers)]
        await asyncio.gather(*(w.sign_up() for w in crowd))
        yield Floor(receiver, account, project_id, crowd)


async def test_two_gateways_share_the_work_without_double_assignment_or_loss(
    tmp_path: Path,
) -> None:
    server = RedisServer(tmp_path / "redis").start()
    async with two_gateways(server, tmp_path, tasks=40, workers=16) as floor:
        receiver, account, project_id, workers = floor
        await asyncio.gather(*(w.work(project_id) for w in workers))
        confirmed = {a for w in workers for a in w.submitted}
        assert len(confirmed) == 80, "every seat of every task was worked"
        await receiver.wait_for(confirmed, 30)
        for w in workers:
            await w.aclose()
        async with opened(RedisStore(server.url)) as store:
            assignments = await all_assignments(store, account["client_id"])
        assert_fair(assignments, tasks=40, per_task=2)
        assert {a.id for a in assignments if a.status == "submitted"} == confirmed


async def test_redis_killed_and_restarted_mid_work_loses_no_accepted_submission(
    tmp_path: Path,
) -> None:
    # appendfsync always: Redis writes each change to disk before it answers, so whatever a
    # gateway confirmed to a worker survives even SIGKILL. (everysec could lose up to ~1 s.)
    server = RedisServer(tmp_path / "redis", aof=True, appendfsync="always").start()
    async with two_gateways(server, tmp_path, tasks=30, workers=8) as floor:
        receiver, account, project_id, workers = floor
        working = asyncio.gather(*(w.work(project_id, pause=0.05) for w in workers))
        for _ in range(600):  # until a quarter of the work is confirmed
            if sum(len(w.submitted) for w in workers) >= 15:
                break
            await asyncio.sleep(0.05)
        server.kill()  # a crash in the middle of work
        await asyncio.sleep(0.5)
        server.start()  # same port, same directory: it replays its append-only file
        await working
        confirmed = {a for w in workers for a in w.submitted}
        assert len(confirmed) == 60
        await receiver.wait_for(confirmed, 30)
        for w in workers:
            await w.aclose()
        async with opened(RedisStore(server.url)) as store:
            assignments = await all_assignments(store, account["client_id"])
        assert {a.id for a in assignments if a.status == "submitted"} == confirmed
        assert_fair(assignments, tasks=30, per_task=2)


async def test_a_gateway_killed_mid_delivery_leaves_its_work_to_the_other(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()
    env = gateway_env(CROWDFRAME_DELIVERY_TIMEOUT="3")  # a delivery lease of 3 + 5 s
    services: list[Service] = []
    with running_hook_receiver() as receiver, logs_on_failure(services, server):
        a = start_gateway("a", server.url, tmp_path, env)
        services.append(a)
        account = create_client(server.url, env)
        project_id = await set_up_project(
            a.origin, account["api_key"], receiver.url, tasks=4, per_task=1
        )
        receiver.hold.set()  # the receiver is slow: a's delivery stays in flight
        worker = HttpWorker("w@example.org", [a.origin])
        await worker.sign_up()
        first = await worker.accept(project_id)
        assert first is not None and await worker.submit(first, {"n": 1})
        await receiver.wait_for({first}, 10)  # a holds the lease on this message now
        b = start_gateway("b", server.url, tmp_path, env)
        services.append(b)
        a.process.kill()  # SIGKILL: no shutdown, no cleanup
        a.process.wait(10)
        receiver.released.set()
        receiver.hold.clear()
        # The worker's next task was accepted on a; they carry on with it on b.
        worker.origins = [b.origin]
        second = await worker.accept(project_id)
        assert second is not None and second != first
        assert (await worker.open_frame(second)).status_code == 200
        assert await worker.submit(second, {"n": 2})
        await receiver.wait_for({second}, 15)
        for _ in range(150):  # b delivers what a held, once a's lease runs out
            if sum(h.assignment_id == first for h in receiver.received) >= 2:
                break
            await asyncio.sleep(0.1)
        again = [h for h in receiver.received if h.assignment_id == first]
        assert len(again) >= 2, "the message a held was delivered again, by b"
        assert len({h.webhook_id for h in again}) == 1, "the same message, not a new one"
        await worker.aclose()
