"""The SQLite store's write-ahead log stays bounded whatever the caller does: a loop of store
calls that never lets the event loop run, transactions larger than the limit, readers holding
the log while they last. The limit is made small here so that a few batches cross it often.

The bound (store/sqlite/checkpoint.py): the log file is over its limit only right after the
commit that crossed it, by that commit's size; the next commit cuts it back."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import Project, now
from crowdframe_gateway.runtime import SqliteStore
from store_world import make_client, make_project, make_tasks

LIMIT = 256 * 1024  # bytes


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    store = SqliteStore(tmp_path / "bounded.db", wal_limit=LIMIT)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def test_a_loop_that_never_yields_keeps_the_log_bounded(store: SqliteStore) -> None:
    yielded: list[bool] = []
    asyncio.get_running_loop().call_soon(yielded.append, True)  # runs at the loop's first turn
    project = await make_project(store, await make_client(store))
    sizes: list[tuple[int, bool]] = []  # the log's size after each write; was it a big one
    for batch in range(16):
        # every fourth batch (600 tasks) is one transaction larger than the limit on its own
        big = batch % 4 == 0
        await make_tasks(store, project, 600 if big else 50, prefix=f"b{batch}-")
        sizes.append((wal_size(store), big))
        for i in range(40):
            claimed = await store.claim(Claim(project.id, f"w{batch}-{i}", "p"), now=now())
            assert claimed is not None
            sizes.append((wal_size(store), False))
    assert not yielded, "the loop let the event loop run: it would not test a loop that never does"
    assert_bounded(sizes)
    assert db_size(store) > 4 * LIMIT, "more than the limit's worth went through the log"


async def test_a_reader_pins_the_log_only_while_it_lasts(store: SqliteStore) -> None:
    project = await make_project(store, await make_client(store))
    await make_tasks(store, project, 10, prefix="first-")
    with closing(reader(store)) as early, closing(reader(store)) as late:
        early_count = hold_snapshot(early)
        await grow_log(store, project, "a", to=LIMIT)
        later_count = hold_snapshot(late)
        await grow_log(store, project, "b", to=2 * LIMIT)
        assert hold_snapshot(early) == early_count, "a reader sees its snapshot to the end"
        early.execute("COMMIT")
        await grow_log(store, project, "c", to=3 * LIMIT)  # the later reader still holds it
        assert hold_snapshot(late) == later_count
        late.execute("COMMIT")

        await make_tasks(store, project, 1, prefix="d1")  # folds the log in
        await make_tasks(store, project, 1, prefix="d2")  # starts it again and cuts the file
        assert wal_size(store) <= LIMIT, "the log is cut back once the readers are gone"
        before, sizes = db_size(store), []
        for batch in range(60):
            await make_tasks(store, project, 50, prefix=f"e{batch}-")
            sizes.append((wal_size(store), False))
    assert_bounded(sizes)
    assert db_size(store) - before > 2 * LIMIT, "the batches after them wrote limits' worth"


def assert_bounded(sizes: list[tuple[int, bool]]) -> None:
    """A write smaller than the limit leaves the log over it only if it was not before: the
    write that crossed the limit, by its own size; the next write cuts it back. (A write larger
    than the limit leaves the log at that write's size.)"""
    for (before, _), (after, big) in zip([(0, False), *sizes], sizes, strict=False):
        assert big or before <= LIMIT or after <= LIMIT, (
            f"the log stayed over its limit of {LIMIT} bytes: {before}, then {after}"
        )


async def grow_log(store: SqliteStore, project: Project, prefix: str, *, to: int) -> None:
    """Add batches of tasks until the log is larger than ``to``: a reader holds it."""
    for batch in range(200):
        await make_tasks(store, project, 50, prefix=f"{prefix}{batch}-")
        if wal_size(store) > to:
            return
    raise AssertionError(f"the log stayed at {wal_size(store)} bytes although a reader held it")


def reader(store: SqliteStore) -> sqlite3.Connection:
    """Another connection to the store's file, as ``sqlite3 .backup`` or another process."""
    return sqlite3.connect(store.path, isolation_level=None)


def hold_snapshot(db: sqlite3.Connection) -> int:
    """Begin (or go on with) a read transaction: its snapshot stays until it ends."""
    if not db.in_transaction:
        db.execute("BEGIN")
    count: int = db.execute("SELECT count(*) FROM tasks").fetchone()[0]
    return count


def wal_size(store: SqliteStore) -> int:
    log = Path(f"{store.path}-wal")
    return log.stat().st_size if log.exists() else 0


def db_size(store: SqliteStore) -> int:
    return Path(store.path).stat().st_size
