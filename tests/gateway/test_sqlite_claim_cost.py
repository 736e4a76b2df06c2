"""A claim and a preview on SQLite cost the same however many tasks the worker did before, also
when those tasks came back into the pool (others returned them): counted in SQLite's own
steps, never in time."""

from __future__ import annotations

from pathlib import Path

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Project, now
from crowdframe_gateway.runtime import SqliteStore
from sqlite_steps import counted_steps
from store_world import make_client, make_project, make_tasks


async def work(
    store: SqliteStore, project: Project, worker: str, tasks: int, *, back: bool
) -> None:
    """The worker does ``tasks`` more; with ``back``, another takes the other seat of each and
    returns them all after: each left the pool (full) and came back into it."""
    taken = []
    for _ in range(tasks):
        mine = await store.claim(Claim(project.id, worker, "p"), now=now())
        assert mine is not None
        if back:
            theirs = await store.claim(Claim(project.id, worker + "-helper", "h"), now=now())
            assert theirs is not None
            taken.append(theirs)
        await store.submit(mine.id, Submission({}), now=now())
    for theirs in taken:
        await store.return_assignment(theirs.id, now=now())


async def costs(store: SqliteStore, project: Project, worker: str) -> tuple[int, int]:
    """Steps of the worker's preview, and of their claim (submitted after, uncounted)."""
    with counted_steps(store) as peek:
        assert await store.peek_task(project.id, worker, now=now()) is not None
    with counted_steps(store) as claim:
        taken = await store.claim(Claim(project.id, worker, "p"), now=now())
    assert taken is not None
    await store.submit(taken.id, Submission({}), now=now())
    return peek[0], claim[0]


async def test_a_claim_costs_the_same_after_ten_times_the_work(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "store.db", synchronous="NORMAL")
    await store.open()
    try:
        client = await make_client(store)
        cases = {"alone": False, "came back": True}
        projects = {case: await make_project(store, client, per_task=2) for case in cases}
        for project in projects.values():
            await make_tasks(store, project, 250)
        small, large = {}, {}
        for case, back in cases.items():
            await work(store, projects[case], "w", 20, back=back)
            await costs(store, projects[case], "w")  # what the look passed over, behind it
            small[case] = await costs(store, projects[case], "w")
        for case, back in cases.items():
            await work(store, projects[case], "w", 200, back=back)
            await costs(store, projects[case], "w")
            large[case] = await costs(store, projects[case], "w")
    finally:
        await store.close()
    for case in cases:
        for what, was, grown in zip(("preview", "claim"), small[case], large[case], strict=True):
            assert grown <= 1.5 * was + 5, f"{case}: {what} {grown}0 steps, {was}0 before"
