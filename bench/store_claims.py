"""Claims under contention on each store, and the full work cycle on one and two gateways.

Every figure is printed as a ratio against a bare Starlette endpoint (one route answering
"ok", served by uvicorn) measured in the same run with the same client, so the numbers compare
across machines. Bounded: every measurement stops after --seconds, whatever is left.

    .venv/bin/python bench/store_claims.py [--tasks 10000 --per-task 3 --claimers 500]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile

from _common import bare_baseline, rate, redis_server, work_cycles
from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import Client, Project, ProjectSpec, Task, new_id, now
from crowdframe_gateway.runtime import Store, open_store


async def seed(store: Store, tasks: int, per_task: int) -> str:
    client = Client(new_id("cli"), "bench", ("cfts_x",), "key", now())
    await store.create_client(client, "hash-" + client.id)
    spec = ProjectSpec("bench", "http://localhost:9/t", 1, assignments_per_task=per_task)
    project = Project(new_id("prj"), client.id, spec, "active", now())
    await store.create_project(project)
    for start in range(0, tasks, 1000):
        batch = [
            Task(new_id("tsk"), project.id, f"e{i}", {"i": i}, "open", now(), now() + 86400)
            for i in range(start, min(tasks, start + 1000))
        ]
        await store.add_tasks(client.id, project.id, TaskBatch(batch, ""))
    return project.id


async def claims_per_second(url: str, args: argparse.Namespace) -> tuple[float, int]:
    store = open_store(url)
    await store.open()
    try:
        project_id = await seed(store, args.tasks, args.per_task)
        claimed = 0

        async def claim(i: int) -> int:
            nonlocal claimed
            got = await store.claim(Claim(project_id, f"w{i}", "p"), now=now())
            claimed += got is not None
            return int(got is not None)

        per_second = await rate(claim, args.claimers, args.seconds)
        return per_second, claimed
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--per-task", type=int, default=3)
    parser.add_argument("--claimers", type=int, default=500)
    parser.add_argument("--workers", type=int, default=32, help="concurrent workers (cycle)")
    parser.add_argument("--cycle-tasks", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0, help="cap per measurement")
    args = parser.parse_args()

    base_claims = await bare_baseline(args.claimers, args.seconds / 2)
    base_cycle = await bare_baseline(args.workers, args.seconds / 2)
    print(f"bare Starlette endpoint: {base_claims:8.0f} req/s at {args.claimers} concurrent,"
          f" {base_cycle:8.0f} req/s at {args.workers}")  # fmt: skip
    with tempfile.TemporaryDirectory() as directory, redis_server() as redis_url:
        print(f"claims under contention ({args.tasks} tasks x {args.per_task}, "
              f"{args.claimers} claimers, at most {args.seconds:.0f} s each):")  # fmt: skip
        for name, url in (("sqlite", f"sqlite:///{directory}/bench.db"), ("redis", redis_url)):
            per_second, claimed = await claims_per_second(url, args)
            print(f"  {name:6} {per_second:8.0f} claims/s ({claimed} claims)"
                  f"  ratio {per_second / base_claims:5.2f} x bare endpoint")  # fmt: skip
        print(f"full work cycle on Redis (accept + frame page + submit = 3 requests, "
              f"{args.workers} workers):")  # fmt: skip
        for gateways in (1, 2):
            per_second = await work_cycles(
                redis_url,
                gateways,
                workers=args.workers,
                tasks=args.cycle_tasks,
                seconds=args.seconds,
            )
            print(f"  {gateways} gateway process{'es' if gateways > 1 else '  '}"
                  f" {per_second:7.1f} cycles/s  ratio {per_second / base_cycle:5.3f} x bare"
                  f" endpoint ({3 * per_second / base_cycle:5.3f} per request)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
