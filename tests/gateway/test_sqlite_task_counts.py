"""A project's task counts on SQLite come from a table the database keeps itself; a data dir
from a gateway that had no such table gets it filled when it is opened."""

from __future__ import annotations

from pathlib import Path

from crowdframe_gateway.records import now
from crowdframe_gateway.store import SqliteStore
from store_world import make_client, make_project, make_tasks


async def test_a_data_dir_from_before_the_counts_table_counts_its_tasks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 3)
    claimed = await store.claim(project.id, "w1", "p1", now=now())
    assert claimed is not None
    await store.submit(claimed.id, {"label": "cat"}, now=now())
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
