"""The pools keep every rule of who may take which task (work/rules.py) while a claim, a preview
and a count cost the same whatever was done before: checked against a recount from the records
after every step of a long random run, and on the cases the structures exist for."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Assignment, Project, Task, now
from crowdframe_gateway.runtime import Store
from store_world import all_assignments, make_client, make_project, make_tasks

WORKERS = ("w1", "w2", "w3", "w4")
_HOLDING = ("accepted", "submitted", "approved", "rejected")  # a seat taken, not given back


@dataclass
class Recount:
    """Who may take which task, counted from the tasks and assignments as a client reads them."""

    open_to: dict[str, list[Task]]  # worker -> the tasks they may take, in creation order
    had: dict[str, list[str]]  # worker -> every task they were given, in order given


async def recount(store: Store, project: Project, tasks: list[Task], at: float) -> Recount:
    assignments = await all_assignments(store, project.client_id, project_id=project.id)
    held: dict[str, int] = defaultdict(int)
    had: dict[str, list[str]] = defaultdict(list)
    for a in assignments:
        held[a.task_id] += a.status in _HOLDING
        had[a.worker_id].append(a.task_id)
    open_to: dict[str, list[Task]] = {}
    for worker in WORKERS:
        open_to[worker] = []
        for task in tasks:
            stored = await store.get_task(task.id)
            assert stored is not None
            if (
                stored.status == "open"
                and stored.expires_at > at
                and held[task.id] < project.spec.assignments_per_task
                and task.id not in had[worker]
            ):
                open_to[worker].append(stored)
    return Recount(open_to, had)


async def offered(store: Store, project: Project, worker: str, at: float) -> int:
    return sum(
        n for p, n in (await store.open_projects(worker, now=at)).items if p.id == project.id
    )


async def test_a_long_random_run_keeps_every_rule_on_the_pools(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2, duration=300)
    tasks = await make_tasks(store, project, 24, lifetime=4000)
    rng = random.Random(13)
    at = now()
    live: dict[str, Assignment] = {}
    for step in range(160):
        worker = rng.choice(WORKERS)
        action = rng.choices(
            ["claim", "submit", "return", "wait", "cancel", "lifetime"], [8, 4, 2, 1, 0.3, 0.3]
        )[0]
        if action == "claim" and worker not in live:
            expected = (await recount(store, project, tasks, at)).open_to[worker]
            got = await store.claim(Claim(project.id, worker, "p-" + worker), now=at)
            assert (got and got.task_id) == (expected[0].id if expected else None), step
            if got is not None:
                live[worker] = got
        elif action == "submit" and worker in live:
            await store.submit(live.pop(worker).id, Submission({"ok": step}), now=at)
        elif action == "return" and worker in live:
            await store.return_assignment(live.pop(worker).id, now=at)
        elif action == "wait":  # some live assignments run out, and are expired
            at += rng.choice([10, 400])
            await store.expire_assignments(now=at)
            live = {w: a for w, a in live.items() if a.deadline >= at}
        elif action == "cancel":
            await store.cancel_task(rng.choice(tasks).id, now=at)
        elif action == "lifetime":  # a task runs out, or is given more time again
            task = rng.choice(tasks)
            await store.set_task_expiry(task.id, rng.choice([at - 1, at + 5000]))
        truth = await recount(store, project, tasks, at)
        for w in WORKERS:
            assert await offered(store, project, w, at) == len(truth.open_to[w]), (step, w)
            peeked = await store.peek_task(project.id, w, now=at)
            assert (peeked and peeked.id) == (truth.open_to[w][0].id if truth.open_to[w] else None)
            assert len(set(truth.had[w])) == len(truth.had[w]), "a task was given twice"


async def test_a_seat_freed_behind_a_workers_progress_is_offered_to_them(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    tasks = await make_tasks(store, project, 5)
    at = now()
    first = await store.claim(Claim(project.id, "w1", "p1"), now=at)
    for _ in range(3):  # w2 moves on past the task w1 holds
        taken = await store.claim(Claim(project.id, "w2", "p2"), now=at)
        assert taken is not None
        await store.submit(taken.id, Submission({}), now=at)
    assert first is not None and first.task_id == tasks[0].id
    assert await offered(store, project, "w2", at) == 1  # the last one
    await store.return_assignment(first.id, now=at)
    assert await offered(store, project, "w2", at) == 2
    peeked = await store.peek_task(project.id, "w2", now=at)
    assert peeked is not None and peeked.id == tasks[0].id, "the first task again, first"
    again = await store.claim(Claim(project.id, "w2", "p2"), now=at)
    assert again is not None and again.task_id == tasks[0].id
    last = await store.claim(Claim(project.id, "w2", "p2"), now=at)
    assert last is not None and last.task_id == tasks[4].id
    assert await store.claim(Claim(project.id, "w1", "p1"), now=at) is None, "w1 had the rest"


async def test_a_task_past_its_lifetime_leaves_the_counts_and_comes_back_with_more(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    short, long = await make_tasks(store, project, 2)
    at = now()
    await store.set_task_expiry(short.id, at + 10)
    assert await offered(store, project, "w1", at) == 2
    assert await offered(store, project, "w1", at + 10) == 1
    taken = await store.claim(Claim(project.id, "w1", "p"), now=at + 10)
    assert taken is not None and taken.task_id == long.id
    await store.set_task_expiry(short.id, at + 100)
    assert await offered(store, project, "w1", at + 10) == 1
    assert await offered(store, project, "w2", at + 10) == 2
    again = await store.claim(Claim(project.id, "w1", "p"), now=at + 10)
    assert again is not None and again.task_id == short.id, "back, behind w1's progress"
