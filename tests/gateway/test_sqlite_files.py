"""What the SQLite store keeps in its files: a project's task counts in a table the database
keeps itself (filled when a data dir from before it is opened), and a write-ahead log that stays
small under a stream of commits (test_sqlite_wal.py: also in a loop that never yields)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.runtime import SqliteStore
from store_world import make_client, make_project, make_tasks


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
        assert counted.counts == {"tasks": 3, "open": 2, "completed": 1}
        await make_tasks(reopened, project, 2, prefix="more")
        again = await reopened.get_project(project.id)
        assert again is not None and again.counts == {"tasks": 5, "open": 4, "completed": 1}
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
