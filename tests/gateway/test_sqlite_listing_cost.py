"""A page of a client's assignments on SQLite reads that page's rows and no others, whatever the
filters: the listing, and the results export that pages through it, cost the same per page at
ten times the rows, so an export's time grows with its rows only (never with their square).

The cost is counted in SQLite's own steps (its progress handler), never in time."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from crowdframe_gateway.core.params import AssignmentQuery, Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import Client, Project, now
from crowdframe_gateway.ledger import WorkLine
from crowdframe_gateway.runtime import SqliteStore
from sqlite_steps import counted_steps
from store_world import make_client, make_project, make_tasks

# every combination list_assignments serves ("project": the client's first project)
FILTERS: list[dict[str, object]] = [
    {},
    {"project": True},
    {"status": "approved"},
    {"project": True, "status": "submitted"},
    {"signal": "too_fast"},
    {"project": True, "signal": "too_fast"},
    {"status": "submitted", "signal": "too_fast"},
]


async def answer(store: SqliteStore, projects: list[Project], rounds: int, start: int) -> None:
    """``rounds`` more tasks in each project, taken by new workers: most submitted, every
    fourth reviewed, every seventh flagged ``too_fast``, every ninth still accepted."""
    for project in projects:
        await make_tasks(store, project, rounds, prefix=f"r{start}-")
    for i in range(start, start + rounds):
        for project in projects:
            claimed = await store.claim(Claim(project.id, f"w{i}", f"p{i}"), now=now())
            assert claimed is not None
            if i % 9 == 8:
                continue
            signals = ("too_fast",) if i % 7 == 0 else ()
            await store.submit(claimed.id, Submission({"i": i}, signals=signals), now=now())
            if i % 4 == 1:
                await store.review(claimed.id, ReviewDecision(approve=i % 8 == 1), now=now())


def query(filters: dict[str, object], project: Project, cursor: str | None) -> AssignmentQuery:
    return AssignmentQuery(
        10,
        project_id=project.id if filters.get("project") else None,
        status=filters.get("status"),  # type: ignore[arg-type]
        signal=filters.get("signal"),  # type: ignore[arg-type]
        cursor=cursor,
    )


async def page_costs(
    store: SqliteStore, client: Client, project: Project, filters: dict[str, object]
) -> tuple[int, int]:
    """Steps to read the first page, and the last page there is."""
    with counted_steps(store) as first:
        page = await store.list_assignments(client.id, query(filters, project, None))
    assert len(page.items) == 10, "the case has more than a page"
    cursor = page.next_cursor
    while True:
        with counted_steps(store) as last:
            page = await store.list_assignments(client.id, query(filters, project, cursor))
        if page.next_cursor is None:
            return first[0], last[0]
        cursor = page.next_cursor


async def test_a_page_costs_the_same_at_ten_times_the_rows(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db")
    await store.open()
    try:
        client, other = await make_client(store), await make_client(store, "other")
        mine, beside = await make_project(store, client), await make_project(store, client)
        projects = [mine, beside, await make_project(store, other)]
        await answer(store, projects, 80, 0)
        small = [await page_costs(store, client, mine, f) for f in FILTERS]
        await answer(store, projects, 720, 80)
        large = [await page_costs(store, client, mine, f) for f in FILTERS]
    finally:
        await store.close()
    for filters, before, after in zip(FILTERS, small, large, strict=True):
        for where, was, grown in zip(("first", "last"), before, after, strict=True):
            assert grown <= 1.5 * was + 5, f"{filters}: {where} page {grown}0 steps, {was}0 before"


async def test_a_page_of_a_workers_statement_costs_the_same_at_ten_times_their_history(
    tmp_path: Path,
) -> None:
    """/earnings on SQLite: its page, its totals and today's count, for a worker with 60 lines
    and with 600 (among another worker's as many)."""
    store = SqliteStore(tmp_path / "store.db")
    await store.open()
    line = WorkLine("", "asg", "w1", "cli", "prj", "Label it", "submitted", 5, "USD", 0.0, 1.0)

    async def write(worker: str, start: int, count: int) -> None:
        for i in range(start, start + count):
            status = ("submitted", "approved", "rejected", "bonus")[i % 4]
            at = 1000.0 + i
            await store.note_work(
                replace(line, key=f"{worker}-{i}", worker_id=worker, status=status, submitted_at=at)  # type: ignore[arg-type]
            )

    async def costs() -> list[int]:
        found = []
        for read in (
            lambda: store.work_lines("w1", limit=50),
            lambda: store.work_totals("w1"),
            lambda: store.work_on("w1", 0),  # every line is on day 0: its count is kept
        ):
            with counted_steps(store) as steps:
                await read()
            found.append(steps[0])
        return found

    try:
        count = 60
        await write("w1", 0, count)
        await write("w2", 0, count)
        small = await costs()
        await write("w1", count, 540)
        await write("w2", count, 540)
        count = 600
        large = await costs()
    finally:
        await store.close()
    for what, was, grown in zip(("page", "totals", "today"), small, large, strict=True):
        assert grown <= 1.5 * was + 5, f"{what}: {grown}0 steps, {was}0 before"
