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
    seated: set[str]  # the tasks open and short of their seats, whatever their lifetime

    def first(self, worker: str, came_back: dict[str, int]) -> set[str | None]:
        """What a claim of the worker may get (work/rules.py): of the tasks they may take, one
        of those that came back earliest (``came_back``: task -> the step it came back at),
        else the first in creation order."""
        tasks = self.open_to[worker]
        if not tasks:
            return {None}
        stamps = [came_back[t.id] for t in tasks if t.id in came_back]
        if not stamps:
            return {tasks[0].id}
        return {t.id for t in tasks if came_back.get(t.id) == min(stamps)}


async def recount(store: Store, project: Project, tasks: list[Task], at: float) -> Recount:
    assignments = await all_assignments(store, project.client_id, project_id=project.id)
    held: dict[str, int] = defaultdict(int)
    had: dict[str, list[str]] = defaultdict(list)
    for a in assignments:
        held[a.task_id] += a.status in _HOLDING
        had[a.worker_id].append(a.task_id)
    stored = {task.id: await store.get_task(task.id) for task in tasks}
    seated = {
        t.id
        for t in stored.values()
        if t is not None and t.status == "open" and held[t.id] < project.spec.assignments_per_task
    }
    open_to = {
        worker: [
            t
            for t in stored.values()
            if t is not None and t.id in seated and t.expires_at > at and t.id not in had[worker]
        ]
        for worker in WORKERS
    }
    return Recount(open_to, had, seated)


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
    came_back: dict[str, int] = {}  # task -> the step it last came back into its pool at
    seated = {task.id for task in tasks}
    for step in range(160):
        worker = rng.choice(WORKERS)
        action = rng.choices(
            ["claim", "submit", "return", "wait", "cancel", "lifetime"], [8, 4, 2, 1, 0.3, 0.3]
        )[0]
        if action == "claim" and worker not in live:
            expected = (await recount(store, project, tasks, at)).first(worker, came_back)
            got = await store.claim(Claim(project.id, worker, "p-" + worker), now=at)
            assert (got and got.task_id) in expected, step
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
            before = await store.get_task(task.id)
            expiry = rng.choice([at - 1, at + 5000])
            await store.set_task_expiry(task.id, expiry)
            if before is not None and expiry > before.expires_at and task.id in seated:
                came_back[task.id] = step  # a longer lifetime: back for those it ran out on
        truth = await recount(store, project, tasks, at)
        came_back |= {task_id: step for task_id in truth.seated - seated}
        seated = truth.seated
        for w in WORKERS:
            assert await offered(store, project, w, at) == len(truth.open_to[w]), (step, w)
            peeked = await store.peek_task(project.id, w, now=at)
            assert (peeked and peeked.id) in truth.first(w, came_back), (step, w)
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


async def test_a_worker_whose_many_tasks_came_back_gets_the_next_new_one(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    done = 170  # more than one look passes over in a Redis script (pool.lua's WALK)
    tasks = await make_tasks(store, project, done + 2)
    at = now()
    for _ in range(done):
        mine = await store.claim(Claim(project.id, "w1", "p1"), now=at)
        assert mine is not None
        await store.submit(mine.id, Submission({}), now=at)
        theirs = await store.claim(Claim(project.id, "w2", "p2"), now=at)
        assert theirs is not None and theirs.task_id == mine.task_id
        await store.return_assignment(theirs.id, now=at)  # back in the pool, w1 had it
    peeked = await store.peek_task(project.id, "w1", now=at)
    assert peeked is not None and peeked.id == tasks[done].id
    assert await offered(store, project, "w1", at) == 2
    taken = await store.claim(Claim(project.id, "w1", "p1"), now=at)
    assert taken is not None and taken.task_id == tasks[done].id
    other = await store.claim(Claim(project.id, "w3", "p3"), now=at)
    assert other is not None and other.task_id == tasks[0].id, "what came back first, first"
