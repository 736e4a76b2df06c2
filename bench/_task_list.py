"""The task list's cost as the platform grows: one page of ``open_projects`` (store level) and
of the ``offers`` service above it (clients and block checks included), median of --repeat
timed calls after a warm-up, on SQLite and on a real redis-server, for a fresh worker.

Sizes: 50 → 1000 active projects (a full page at the smallest: the growth is not the page's
size), and on Redis 10 active + 990 paused. Every project has --tasks open tasks. Each row
prints its growth factor, largest over smallest size, measured in the same run, and what one
call asks of the store (SQL statements, Redis commands), which the machine's load does not move.

    .venv/bin/python bench/_task_list.py [--repeat 200 --tasks 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

from _common import redis_server
from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.records import (
    Client,
    Project,
    ProjectSpec,
    Task,
    Worker,
    new_id,
    now,
)
from crowdframe_gateway.runtime import Store, open_store
from crowdframe_gateway.work import actions


async def seed(store: Store, active: int, paused: int, tasks: int) -> None:
    """``active`` + ``paused`` projects, interleaved, over 10 clients; ``tasks`` each."""
    clients = []
    for n in range(10):
        client = Client(new_id("cli"), f"bench{n}", ("cfts_x",), f"key{n}", now())
        await store.create_client(client, "hash-" + client.id)
        clients.append(client)
    statuses = ["active"] * active + ["paused"] * paused
    step = max(1, len(statuses) // max(1, active))
    order = sorted(range(len(statuses)), key=lambda i: (i % step, i))
    for n, i in enumerate(order):
        client = clients[n % len(clients)]
        spec = ProjectSpec(f"p{n}", "http://localhost:9/t", 30)  # fair pay: 18 USD an hour
        project = Project(new_id("prj"), client.id, spec, statuses[i], now())  # type: ignore[arg-type]
        await store.create_project(project)
        batch = [
            Task(new_id("tsk"), project.id, f"e{k}", {}, "open", now(), now() + 86400)
            for k in range(tasks)
        ]
        await store.add_tasks(client.id, project.id, TaskBatch(batch, ""))


async def median_ms(call: Callable[[], Awaitable[Any]], repeat: int) -> float:
    for _ in range(10):
        await call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def operations(store: Any, call: Callable[[], Awaitable[Any]]) -> float:
    """What one call asks of the store, counted rather than timed: SQL statements on SQLite,
    commands on Redis (those a script runs included)."""
    if hasattr(store, "_conn"):
        statements = 0

        def count(_: str) -> None:
            nonlocal statements
            statements += 1

        store._conn().set_trace_callback(count)
        await call()
        store._conn().set_trace_callback(None)
        return statements

    async def commands() -> int:
        stats = await store.r.info("commandstats")
        return sum(int(v["calls"]) for v in stats.values())

    before = await commands()
    await call()
    return await commands() - before - 1  # less the first INFO


async def measure(url: str, active: int, paused: int, args: argparse.Namespace) -> list[float]:
    store = open_store(url)
    await store.open()
    try:
        await seed(store, active, paused, args.tasks)
        worker = Worker(new_id("wrk"), "w@example.org", "x", "DE", ("de", "en"), now())
        rt: Any = SimpleNamespace(store=store)
        listed = await store.open_projects(worker.id, now=now())
        items = getattr(listed, "items", listed)
        assert len(items) == min(active, 50) or not hasattr(listed, "items"), len(items)
        offered = await actions.offers(rt, worker)
        assert len(getattr(offered, "items", offered)) == len(items), "every project offered"
        calls = [
            lambda: store.open_projects(worker.id, now=now()),
            lambda: actions.offers(rt, worker),
        ]
        return [await median_ms(c, args.repeat) for c in calls] + [
            await operations(store, c) for c in calls
        ]
    finally:
        await store.close()
        if url.startswith("redis"):
            import redis

            redis.Redis.from_url(url).flushall()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=5)
    args = parser.parse_args()
    unit = {"sqlite": "SQL statements", "redis": "Redis commands"}
    cases = [("sqlite", (50, 0), (1000, 0)), ("redis", (50, 0), (1000, 0)),
             ("redis", (10, 0), (10, 990))]  # fmt: skip
    with tempfile.TemporaryDirectory() as directory, redis_server() as redis_url:
        for n, (name, small, large) in enumerate(cases):
            figures = []
            for active, paused in (small, large):
                url = f"sqlite:///{directory}/{n}-{active}.db" if name == "sqlite" else redis_url
                figures.append(await measure(url, active, paused, args))
            label = f"{small[0]}+{small[1]} → {large[0]}+{large[1]} (active+paused)"
            for i, what in enumerate(("open_projects", "offers")):
                a, b = figures[0][i], figures[1][i]
                ops = f"{figures[0][i + 2]:5.0f} → {figures[1][i + 2]:5.0f} {unit[name]}"
                print(f"{name:6} {what:13} {label:34} {a:7.2f} → {b:7.2f} ms  growth {b / a:5.2f}x"
                      f"  ({ops} a call)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
