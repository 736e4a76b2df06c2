"""Records for store tests, made through the Store protocol only (so they fit every store)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import replace
from typing import Any

from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.conversations import Dispute
from crowdframe_gateway.core.params import (
    AssignmentQuery,
    AttemptGrade,
    Claim,
    ReviewDecision,
    Submission,
)
from crowdframe_gateway.core.records import (
    ApiKey,
    Assignment,
    Client,
    Endpoint,
    GoldStats,
    Project,
    ProjectSpec,
    Task,
    Worker,
    new_id,
    now,
)
from crowdframe_gateway.quality.rules import grade_gold
from crowdframe_gateway.runtime import Store, open_store

# The ``open_stores`` fixture: each call opens another store on the same data, as another
# gateway process would.
Opener = Callable[[], Awaitable[Store]]


async def make_client(store: Store, name: str = "acme") -> Client:
    client = Client(new_id("cli"), name, ("cfts_k1_x",), "pseudonym-key", now())
    await store.create_client(client, "hash-" + client.id)
    key = ApiKey(new_id("key"), client.id, "default", "cfk_", client.created_at)
    await store.create_api_key(key, "hash-" + client.id)  # as clients.create_client does
    return client


async def make_worker(store: Store, email: str = "w@example.org") -> Worker:
    worker = Worker(new_id("wrk"), email, "pbkdf2$x", "DE", ("de", "en"), now())
    await store.create_worker(worker)
    return worker


async def make_project(
    store: Store,
    client: Client,
    *,
    per_task: int = 1,
    duration: int = 600,
    status: str = "active",
    **spec_fields: Any,
) -> Project:
    spec = ProjectSpec(
        title="Label it",
        task_url="http://localhost:9/task",
        reward_cents=5,
        assignments_per_task=per_task,
        assignment_duration=duration,
        **spec_fields,
    )
    project = Project(new_id("prj"), client.id, spec, status, now())  # type: ignore[arg-type]
    await store.create_project(project)
    return project


def new_tasks(
    project: Project, count: int, *, prefix: str = "e", lifetime: float = 3600
) -> list[Task]:
    at = now()
    return [
        Task(new_id("tsk"), project.id, f"{prefix}{i}", {"n": i, "text": "ünï"}, "open", at,
             at + lifetime)
        for i in range(count)
    ]  # fmt: skip


async def make_tasks(
    store: Store,
    project: Project,
    count: int,
    *,
    prefix: str = "e",
    lifetime: float = 3600,
    gold: dict[str, Any] | None = None,
) -> list[Task]:
    """``count`` open tasks; with ``gold``, gold tasks with that known answer."""
    tasks = [
        replace(t, gold=gold) for t in new_tasks(project, count, prefix=prefix, lifetime=lifetime)
    ]
    await store.add_tasks(project.client_id, project.id, TaskBatch(tasks, "h"))
    return tasks


async def make_endpoint(
    store: Store, client: Client, types: Iterable[str] | None = None, *, status: str = "enabled"
) -> Endpoint:
    endpoint = Endpoint(
        new_id("whe"),
        client.id,
        "http://127.0.0.1:9/hooks",
        ("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",),
        None if types is None else tuple(types),
        status,  # type: ignore[arg-type]
        now(),
    )
    await store.create_endpoint(endpoint)
    return endpoint


async def endpoint_with_messages(store: Store, count: int) -> tuple[Endpoint, list[str]]:
    """A new client's one endpoint with ``count`` test events (``{"i": 0}``, ``{"i": 1}``, …)
    queued for it: the endpoint and its outbox messages' ids, oldest first."""
    endpoint = await make_endpoint(store, await make_client(store))
    queued: list[str] = []
    for i in range(count):
        _, message_ids = await store.record_event(endpoint.client_id, "endpoint.test", {"i": i})
        queued.extend(message_ids)
    return endpoint, queued


async def all_assignments(store: Store, client_id: str, **filters: object) -> list[Assignment]:
    """Every assignment of a client, read page by page as an API client would."""
    found: list[Assignment] = []
    cursor = None
    while True:
        page = await store.list_assignments(
            client_id,
            AssignmentQuery(7, cursor=cursor, **filters),  # type: ignore[arg-type]
        )
        found.extend(page.items)
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def assert_fair(assignments: list[Assignment], tasks: int, per_task: int) -> None:
    """Every task handed out exactly ``per_task`` times, never twice to the same worker."""
    seats = Counter(a.task_id for a in assignments if a.status != "returned")
    assert len(seats) == tasks, "every task was handed out"
    assert max(seats.values()) == per_task, "no task got more assignments than asked for"
    assert min(seats.values()) == per_task
    pairs = [(a.task_id, a.worker_id) for a in assignments]
    assert len(set(pairs)) == len(pairs), "no worker got the same task twice"


def claim_in_process(url: str, project_id: str, workers: list[str]) -> None:
    """A separate process (multiprocessing target): each worker claims and submits until
    nothing is left for them."""

    async def run() -> None:
        store = open_store(url)
        await store.open()
        try:
            for worker in workers:
                while (
                    claimed := await store.claim(Claim(project_id, worker, worker), now=now())
                ) is not None:
                    await store.submit(claimed.id, Submission({"by": worker}), now=now())
        finally:
            await store.close()

    asyncio.run(run())


async def claim_and_submit(
    store: Store,
    project: Project,
    worker: str,
    result: dict[str, Any],
    *,
    gold: bool = False,
    at: float | None = None,
    signals: tuple[str, ...] = (),
    ip_hash: str | None = None,
    attempt: AttemptGrade | None = None,
) -> Assignment:
    """One worker's claim and submission, as the gateway makes them."""
    at = now() if at is None else at
    claimed = await store.claim(Claim(project.id, worker, "p-" + worker, gold=gold), now=at)
    assert claimed is not None, f"{worker} got no task"
    kept = Submission(result, signals=signals, ip_hash=ip_hash, attempt=attempt)
    return await store.submit(claimed.id, kept, now=at)


async def answer_gold(
    store: Store,
    project: Project,
    worker: str,
    correct: bool,
    *,
    min_answers: int,
    min_accuracy: float,
) -> GoldStats:
    """One gold answer graded as the gateway grades it (quality/process.py) and counted in its
    submission's own step; the worker's gold record after it. Takes the worker's next gold
    task: the project must have one left that they have not had."""
    claimed = await store.claim(Claim(project.id, worker, "p-" + worker, gold=True), now=now())
    task = None if claimed is None else await store.get_task(claimed.task_id)
    assert claimed is not None and task is not None and task.gold is not None, "no gold left"
    grade = grade_gold(
        await store.gold_record(project.id, worker),
        correct=correct,
        min_answers=min_answers,
        min_accuracy=min_accuracy,
    )
    result = {"label": "cat" if correct else "dog"}
    await store.submit(claimed.id, Submission(result, gold=grade), now=now())
    record = await store.gold_record(project.id, worker)
    assert record is not None
    return record


async def recorded_events(store: Store, client: Client, type: str) -> list[dict[str, Any]]:
    """The data of every event of one type the client's live feed holds, oldest first."""
    feed = await store.read_events(client.id, after=None, limit=10_000)
    return [event.data for _, event in feed if event.type == type]


async def rejected(store: Store, client: Client, worker: str = "w1") -> Assignment:
    """A worker's answer to a new project's only task, rejected by its client."""
    project = await make_project(store, client)
    await make_tasks(store, project, 1)
    done = await claim_and_submit(store, project, worker, {"label": "cat"})
    return await store.review(done.id, ReviewDecision(False, "blurry"), now=now())


def dispute_of(assignment: Assignment, *, at: float | None = None) -> Dispute:
    """An open dispute of a rejected assignment, opened ``at`` (now), due 100 s later."""
    at = now() if at is None else at
    return Dispute(
        id=new_id("dsp"),
        assignment_id=assignment.id,
        client_id=assignment.client_id,
        project_id=assignment.project_id,
        task_id=assignment.task_id,
        worker_id=assignment.worker_id,
        worker_pseudonym=assignment.worker_pseudonym,
        message="I <b>did</b> label it",
        reject_reason=assignment.reject_reason or "",
        status="open",
        opened_at=at,
        due_at=at + 100.0,
    )
