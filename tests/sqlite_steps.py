"""SQLite's own count of work: the steps of its virtual machine (its progress handler), so a
test can say an operation costs the same at ten times the data without looking at a clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from crowdframe_gateway.runtime import SqliteStore

__all__ = ["counted_steps"]


@contextmanager
def counted_steps(store: SqliteStore) -> Iterator[list[int]]:
    """SQLite's virtual machine steps while inside, in tens (``steps[0]`` once done)."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # go on

    db = store._conn()
    db.set_progress_handler(step, 10)
    try:
        yield steps
    finally:
        db.set_progress_handler(None, 10)
