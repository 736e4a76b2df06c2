"""The rules that must hold under contention: many claimers at once, in several processes,
sweepers and delivery loops on every process."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter

from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.errors import Conflict
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Attempt, now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.webhooks.store import AttemptResult
from store_world import (
    Opener,
    all_assignments,
    assert_fair,
    claim_in_process,
    make_client,
    make_endpoint,
    make_project,
    make_tasks,
    make_worker,
    new_tasks,
)


async def test_hundreds_of_concurrent_claims_never_over_assign(open_stores: Opener) -> None:
    stores = [await open_stores() for _ in range(4)]  # four "processes", their own connections
    client = await make_client(stores[0])
    project = await make_project(stores[0], client, per_task=3)
    await make_tasks(stores[0], project, 100)

    async def worker(number: int) -> None:
        store = stores[number % len(stores)]
        while (
            claimed := await store.claim(Claim(project.id, f"w{number}", "p"), now=now())
        ) is not None:
            await asyncio.sleep(0)  # let every other claimer in between
            await store.submit(claimed.id, Submission({}), now=now())

    await asyncio.gather(*(worker(n) for n in range(400)))
    assignments = await all_assignments(stores[0], client.id)
    assert len(assignments) == 300
    assert_fair(assignments, tasks=100, per_task=3)
    counted = await stores[0].get_project(project.id)
    assert counted is not None and counted.counts == {
        "tasks": 100,
        "open": 0,
        "completed": 100,
        "expired": 0,
    }


async def test_the_same_workers_claiming_from_several_processes_never_double_up(
    store_url: str, store: Store
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=3)
    await make_tasks(store, project, 30)
    workers = [f"w{i}" for i in range(12)]  # every process runs the same workers at once
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=claim_in_process, args=(store_url, project.id, workers))
        for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        await asyncio.to_thread(process.join, 60)
        assert process.exitcode == 0
    assert_fair(await all_assignments(store, client.id), tasks=30, per_task=3)


async def test_sweepers_on_every_process_expire_each_assignment_once(open_stores: Opener) -> None:
    stores = [await open_stores() for _ in range(4)]
    client = await make_client(stores[0])
    await make_endpoint(stores[0], client, ["assignment.expired"])
    project = await make_project(stores[0], client, per_task=2, duration=60)
    await make_tasks(stores[0], project, 20)
    at = now()
    for i in range(40):
        assert await stores[i % 4].claim(Claim(project.id, f"w{i}", "p"), now=at) is not None
    counts = await asyncio.gather(*(s.expire_assignments(now=at + 61) for s in stores * 3))
    assert sum(counts) == 40
    expired = []  # a task's second message comes once its first is delivered
    while batch := await stores[0].lease_messages(now=at + 61, limit=1000, lease_seconds=30):
        expired += batch
        await stores[0].finish_attempts(
            [AttemptResult(Attempt(m.id, at, 200, 1.0, "", None), "delivered", None) for m in batch]
        )
    assert len(expired) == 40, "one assignment.expired event each"
    reclaimed = [await stores[0].claim(Claim(project.id, f"v{i}", "p"), now=at) for i in range(45)]
    assert sum(r is not None for r in reclaimed) == 40, "every seat back in the pool, once"


async def test_delivery_loops_on_every_process_never_hold_one_message_together(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(4)]
    client = await make_client(stores[0])
    await make_endpoint(stores[0], client)
    for i in range(60):
        await stores[i % 4].record_event(client.id, "endpoint.test", {"i": i})
    at = now()
    leases = await asyncio.gather(
        *(s.lease_messages(now=at, limit=7, lease_seconds=30, per_endpoint=100) for s in stores * 3)
    )
    leased = [m.id for lease in leases for m in lease]
    assert len(leased) == len(set(leased)), "no message in two leases at once"
    rest = await stores[0].lease_messages(now=at, limit=100, lease_seconds=30, per_endpoint=100)
    assert len(leased) + len(rest) == 60


async def test_one_batch_sent_many_times_at_once_is_created_once(open_stores: Opener) -> None:
    stores = [await open_stores() for _ in range(4)]
    client = await make_client(stores[0])
    project = await make_project(stores[0], client)
    answers = await asyncio.gather(
        *(
            stores[i % 4].add_tasks(
                client.id, project.id, TaskBatch(new_tasks(project, 5), "h", "k")
            )
            for i in range(20)
        )
    )
    assert len({tuple(t.id for t in a.tasks) for a in answers}) == 1, "everyone got the same tasks"
    counted = await stores[0].get_project(project.id)
    assert counted is not None and counted.counts["tasks"] == 5


async def test_one_email_signed_up_many_times_at_once_makes_one_account(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(4)]
    outcomes = await asyncio.gather(
        *(make_worker(stores[i % 4], "ada@example.org") for i in range(20)),
        return_exceptions=True,
    )
    kinds = Counter(type(o).__name__ for o in outcomes)
    assert kinds == {"Worker": 1, Conflict.__name__: 19}
    made = next(o for o in outcomes if not isinstance(o, BaseException))
    assert await stores[3].worker_by_email("ada@example.org") == made
