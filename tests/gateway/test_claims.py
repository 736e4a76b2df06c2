"""Claims are atomic: never more assignments than asked for, never the same worker twice."""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from pathlib import Path

from crowdframe_gateway.records import Client, Project, ProjectSpec, Task, new_id, now
from crowdframe_gateway.store import SqliteStore

PER_TASK = 3


async def _seed(store: SqliteStore, tasks: int) -> str:
    client = Client(new_id("cli"), "acme", ("cfts_k1_x",), "key", now())
    await store.create_client(client, "hash-" + client.id)
    spec = ProjectSpec(
        title="t", task_url="http://localhost:9/t", reward_cents=1, assignments_per_task=PER_TASK
    )
    project = Project(new_id("prj"), client.id, spec, "active", now())
    await store.create_project(project)
    batch = [
        Task(new_id("tsk"), project.id, f"e{i}", {}, "open", now(), now() + 3600)
        for i in range(tasks)
    ]
    await store.add_tasks(client.id, project.id, batch, idempotency_key=None, request_hash="h")
    return project.id


async def _claim_all(store: SqliteStore, project_id: str, workers: list[str]) -> list[str]:
    """Each worker claims and submits until nothing is left for them; the task ids they got."""
    got: list[str] = []
    for worker in workers:
        while (a := await store.claim(project_id, worker, "p-" + worker, now=now())) is not None:
            got.append(a.task_id)
            await store.submit(a.id, {"ok": True}, now=now())
    return got


def _assert_fair(rows: list[tuple[str, str]], tasks: int) -> None:
    per_task = Counter(task for task, _ in rows)
    assert len(per_task) == tasks, "every task was handed out"
    assert max(per_task.values()) == PER_TASK, "no task got more assignments than asked for"
    assert min(per_task.values()) == PER_TASK
    assert len(set(rows)) == len(rows), "no worker got the same task twice"


async def _assignment_rows(path: Path) -> list[tuple[str, str]]:
    store = SqliteStore(path)
    await store.open()
    try:
        rows = store._read("SELECT task_id, worker_id FROM assignments")
        return [(r["task_id"], r["worker_id"]) for r in rows]
    finally:
        await store.close()


async def test_concurrent_claims_in_one_process_never_over_assign(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    project_id = await _seed(store, tasks=40)
    workers = [f"w{i}" for i in range(60)]

    async def one_worker(worker: str) -> None:
        for _ in range(50):
            a = await store.claim(project_id, worker, "p", now=now())
            if a is None:
                return
            await asyncio.sleep(0)  # let every other claimer in between
            await store.submit(a.id, {}, now=now())

    await asyncio.gather(*(one_worker(w) for w in workers))
    await store.close()
    _assert_fair(await _assignment_rows(tmp_path / "db.sqlite"), tasks=40)


def _claimer_process(path: str, project_id: str, workers: list[str]) -> None:
    async def run() -> None:
        store = SqliteStore(path)
        await store.open()
        await _claim_all(store, project_id, workers)
        await store.close()

    asyncio.run(run())


async def test_concurrent_claims_across_processes_never_over_assign(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    store = SqliteStore(path)
    await store.open()
    project_id = await _seed(store, tasks=30)
    await store.close()
    # Four processes on one database file, the same 12 workers in each: the same worker claims
    # from several processes at once, which is exactly what must not double-assign.
    workers = [f"w{i}" for i in range(12)]
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_claimer_process, args=(str(path), project_id, workers))
        for _ in range(4)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
        assert p.exitcode == 0
    _assert_fair(await _assignment_rows(path), tasks=30)


async def test_a_worker_who_returned_a_task_never_gets_it_again(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    project_id = await _seed(store, tasks=1)
    first = await store.claim(project_id, "w1", "p1", now=now())
    assert first is not None
    await store.return_assignment(first.id, now=now())
    assert await store.claim(project_id, "w1", "p1", now=now()) is None
    other = await store.claim(project_id, "w2", "p2", now=now())
    assert other is not None and other.task_id == first.task_id
    await store.close()


async def test_an_expired_assignment_returns_its_task_to_the_pool(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    project_id = await _seed(store, tasks=1)
    for worker in ("w1", "w2", "w3"):
        assert await store.claim(project_id, worker, worker, now=now()) is not None
    assert await store.claim(project_id, "w4", "w4", now=now()) is None  # all three seats taken
    later = now() + 10_000
    assert await store.expire_assignments(now=later) == 3
    assert await store.claim(project_id, "w4", "w4", now=now()) is not None
    await store.close()
