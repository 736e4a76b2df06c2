"""What the SQLite store keeps in its files: a project's task counts in a table the database
keeps itself and the workers seen on each address (each filled when a data dir from before it is
opened), and a write-ahead log that stays small under a stream of commits (test_sqlite_wal.py:
also in a loop that never yields)."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import replace
from pathlib import Path

from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import HOUR, hour_of, now
from crowdframe_gateway.ledger import WorkLine, WorkTotal, ledger_line
from crowdframe_gateway.ledger.rules import day_of
from crowdframe_gateway.runtime import SqliteStore
from store_world import claim_and_submit, make_client, make_project, make_tasks


async def test_a_data_dir_from_before_the_counts_table_counts_its_tasks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 3)
    claimed = await store.claim(Claim(project.id, "w1", "p1"), now=now())
    assert claimed is not None
    await store.submit(claimed.id, Submission({"label": "cat"}), now=now())
    with store._tx() as db:  # as an older gateway left it: tasks, and nothing counting them
        for trigger in ("insert", "update", "delete"):
            db.execute(f"DROP TRIGGER task_counts_{trigger}")
        db.execute("DROP TABLE task_counts")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        counted = await reopened.get_project(project.id)
        assert counted is not None
        assert counted.counts == {"tasks": 3, "open": 2, "completed": 1, "expired": 0}
        await make_tasks(reopened, project, 2, prefix="more")
        again = await reopened.get_project(project.id)
        assert again is not None and again.counts == {
            "tasks": 5,
            "open": 4,
            "completed": 1,
            "expired": 0,
        }
    finally:
        await reopened.close()


async def test_a_data_dir_from_before_the_address_table_counts_workers_on_an_address(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 6)
    for worker in ("w1", "w2", "w1", "w3"):
        await claim_and_submit(store, project, worker, {}, ip_hash="here")
    with store._tx() as db:  # as an older gateway left it: the addresses on the answers only
        db.execute("DROP TABLE address_workers")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        assert await reopened.workers_on_ip(project.id, "here", other_than="w1") == 2
        await claim_and_submit(reopened, project, "w4", {}, ip_hash="here")
        assert await reopened.workers_on_ip(project.id, "here", other_than="w1") == 3
    finally:
        await reopened.close()


async def test_a_data_dir_from_before_the_hourly_counts_counts_its_submissions(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 4)
    start = (hour_of(now()) - 2) * HOUR
    for worker, at in (("w1", start), ("w2", start + 60), ("w3", start + HOUR)):
        await claim_and_submit(store, project, worker, {}, at=at)
    with store._tx() as db:  # as an older gateway left it: the times on the answers only
        db.execute("DROP TABLE submission_hours")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        first = hour_of(start)
        assert await reopened.submission_hours(project.id, first_hour=first, hours=3) == [2, 1, 0]
        await claim_and_submit(reopened, project, "w4", {}, at=start + 2 * HOUR)
        assert await reopened.submission_hours(project.id, first_hour=first, hours=3) == [2, 1, 1]
    finally:
        await reopened.close()


async def test_the_write_ahead_log_is_checkpointed_and_stays_small(tmp_path: Path) -> None:
    path = tmp_path / "busy.db"
    store = SqliteStore(path)
    await store.open()
    try:
        client = await make_client(store)
        for i in range(3000):
            await store.record_event(client.id, "endpoint.test", {"i": i, "pad": "x" * 2000})
            if i % 100 == 0:
                await asyncio.sleep(0.01)  # the checkpoint thread's turn, as between requests
        wal = wal_size(path)
    finally:
        await store.close()
    # about 80 MB were written; the log starts again at 8000 pages (32 MB) at the latest
    assert wal < 40_000_000, f"the log grew to {wal} bytes: nothing checkpointed it"
    assert wal_size(path) == 0, "closing checkpoints the rest and removes the log"


def wal_size(path: Path) -> int:
    log = Path(f"{path}-wal")
    return log.stat().st_size if log.exists() else 0


def pool_parts(db: sqlite3.Connection) -> list[tuple[str, str]]:
    """The triggers and indexes that keep the pools."""
    return [
        (kind.upper(), name)
        for kind, name in db.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('trigger', 'index')"
            " AND (name LIKE 'pool%' OR sql LIKE '%lapsed = 0%')"
        )
    ]


async def test_a_data_dir_from_before_the_pools_counts_them_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    tasks = await make_tasks(store, project, 4)
    for worker in ("w1", "w1", "w2"):
        await store.claim(Claim(project.id, worker, "p-" + worker), now=now())
    with store._tx() as db:  # as an older gateway left it: tasks and claims, no pools
        for kind, name in pool_parts(db):
            db.execute(f"DROP {kind} {name}")
        db.execute("DROP TABLE pool_counts")
        db.execute("DROP TABLE pool_workers")
        db.execute("ALTER TABLE tasks DROP COLUMN lapsed")
        db.execute("ALTER TABLE tasks DROP COLUMN reopened")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        offered = {
            w: [n for p, n in (await reopened.open_projects(w, now=now())).items]
            for w in ("w1", "w2", "w3")
        }
        assert offered == {"w1": [2], "w2": [3], "w3": [3]}, "the first task is full"
        taken = await reopened.claim(Claim(project.id, "w2", "p-w2"), now=now())
        assert taken is not None and taken.task_id == tasks[1].id, "the first w2 never had"
        assert [n for _, n in (await reopened.open_projects("w3", now=now())).items] == [2]
    finally:
        await reopened.close()


async def test_a_data_dir_from_the_first_pools_gets_the_cursor_on_what_came_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "first-pools.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    tasks = await make_tasks(store, project, 3)
    first = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())
    second = await store.claim(Claim(project.id, "w2", "p-w2"), now=now())
    assert first is not None and second is not None
    with store._tx() as db:  # as the first pools left it: a return marked, not stamped
        db.execute("DROP TRIGGER pool_task_moved")
        db.execute("DROP TRIGGER pool_task_lifetime")
        db.execute("ALTER TABLE pool_workers DROP COLUMN back")
        db.execute(
            "CREATE TRIGGER pool_task_change AFTER UPDATE OF assigned ON tasks BEGIN"
            " UPDATE tasks SET reopened = 1 WHERE id = NEW.id; END"
        )
    await store.return_assignment(first.id, now=now())
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        with reopened._tx() as db:
            names = {name for _, name in pool_parts(db)}
        assert "pool_task_change" not in names and "pool_task_moved" in names
        mine = await reopened.claim(Claim(project.id, "w1", "p-w1"), now=now())
        assert mine is not None and mine.task_id == tasks[2].id, "w1 had the first"
        again = await reopened.claim(Claim(project.id, "w3", "p-w3"), now=now())
        assert again is not None and again.task_id == tasks[0].id, "what came back, first"
        await reopened.return_assignment(again.id, now=now())
        back = await reopened.claim(Claim(project.id, "w4", "p-w4"), now=now())
        assert back is not None and back.task_id == tasks[0].id, "and again, now stamped"
    finally:
        await reopened.close()


async def test_a_data_dir_from_before_the_statement_fills_it_from_the_submitted_work(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client)  # 5 cents a task
    await make_tasks(store, project, 4)
    done = [await claim_and_submit(store, project, "w1", {"n": i}) for i in range(3)]
    held = await store.claim(Claim(project.id, "w1", "p-w1"), now=now())  # not submitted
    assert held is not None
    await store.review(done[0].id, ReviewDecision(True, None), now=now())
    await store.review(done[1].id, ReviewDecision(False, "blurry"), now=now())
    bonus = ledger_line(done[0], "bonus", 20, "USD", "thanks", "bonus:x:1")
    await store.credit(bonus)
    with store._tx() as db:  # as an older gateway left it: assignments and credits only
        db.execute("DROP TABLE work_lines")
        db.execute("DROP TABLE work_totals")
        db.execute("DROP TABLE work_days")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        page = await reopened.work_lines("w1", limit=50)
        assert [(line.key, line.status) for line in page.items] == [
            ("bonus:x:1", "bonus"),
            (done[2].id, "submitted"),
            (done[1].id, "rejected"),
            (done[0].id, "approved"),
        ]
        assert page.items[2].reject_reason == "blurry"
        assert await reopened.work_totals("w1") == [
            WorkTotal("approved", "USD", 5, 1),
            WorkTotal("bonus", "USD", 20, 1),
            WorkTotal("rejected", "USD", 5, 1),
            WorkTotal("submitted", "USD", 5, 1),
        ]
        assert await reopened.work_on("w1", day_of(now())) == 3, "today: the bonus aside"
    finally:
        await reopened.close()


async def test_a_data_dir_from_before_the_day_counts_counts_each_days_submissions(
    tmp_path: Path,
) -> None:
    path, day = tmp_path / "old.db", 86_400.0
    store = SqliteStore(path)
    await store.open()
    line = WorkLine("", "asg", "w1", "cli", "prj", "Label it", "submitted", 5, "USD", 0.0, 1.0)
    for key, status, at in (
        ("a", "submitted", day + 1), ("b", "approved", 2 * day - 1), ("c", "bonus", day + 2),
        ("d", "rejected", 2 * day), ("e", "submitted", 3 * day + 9),
    ):  # fmt: skip
        await store.note_work(replace(line, key=key, status=status, submitted_at=at))  # type: ignore[arg-type]
    with store._tx() as db:  # as a gateway before the day counts left it
        db.execute("DROP TABLE work_days")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        counts = [await reopened.work_on("w1", d) for d in range(5)]
        assert counts == [0, 2, 1, 1, 0]
        await reopened.note_work(replace(line, key="f", submitted_at=2 * day + 5))
        assert await reopened.work_on("w1", 2) == 2, "and counts on from there"
    finally:
        await reopened.close()
