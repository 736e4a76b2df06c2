"""The pools on SQLite: which task a worker gets next, at a cost that does not grow with what
the worker, the project or the platform has done (docs/architecture.md, "The pools").

A task is *in its pool* (``work`` for real work, ``gold`` for gold tasks) while it is open, not
lapsed (past its lifetime, as the claim and the count last saw) and, for real work, short of its
seats: ``IN_POOL``, the one statement of that rule, which the partial indexes and the triggers
below are built from. What the database keeps beside the tasks, in the same transactions, by
triggers (so no write path can forget it):

- ``pool_counts``: how many tasks each pool of a project holds;
- ``pool_workers.skipped``: how many of them a worker may not take (had, or excluded from);
  a worker's count is the difference, read in O(1);
- ``tasks.reopened``: the task's *stamp* when it comes back into its pool (a seat freed, one
  more seat asked for, its lifetime extended): the project's count of such returns,
  ``pool_counts`` row ``back``, so later returns have larger stamps;
- ``pool_workers.frontier``, written by the claim: every task of the pool before it that the
  worker may take is one that came back;
- ``pool_workers.back``, the worker's cursor on the tasks that came back: each of those with a
  smaller stamp is one they may not take (had, excluded from, or past its lifetime then: a
  task whose lifetime is extended gets a new stamp).

A claim takes a task that came back first, the earliest stamp at or past the cursor that the
worker may take, else the first open task at or past the frontier. What the look passed over
it leaves behind by moving the cursor (a peek too), so each task that came back is passed over
at most once by each worker who may not take it, and each claim is two index seeks plus what
came back since. A frontier and a cursor of 0 are always true (a migrated store starts there).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import ClassVar

from ..store.sqlite.base import _TASK_COLUMNS, SqliteBase
from .rules import Pool

__all__ = ["PoolPart"]


def in_pool(t: str) -> str:
    """The pool rule on the row named ``t`` (``NEW``, ``OLD``, a table alias, or ``""``)."""
    p = f"{t}." if t else ""
    return (
        f"{p}status = 'open' AND {p}lapsed = 0"
        f" AND ({p}gold IS NOT NULL OR {p}assigned < {p}per_task)"
    )


def _pool_of(t: str) -> str:
    return f"CASE WHEN {t}.gold IS NULL THEN 'work' ELSE 'gold' END"


_SELECT: dict[Pool, str] = {"work": "gold IS NULL", "gold": "gold IS NOT NULL"}
_INDEX: dict[Pool, str] = {"work": "tasks_work_pool", "gold": "tasks_gold_pool"}
_BACK_INDEX: dict[Pool, str] = {"work": "tasks_work_back", "gold": "tasks_gold_back"}
_LAPSE_BATCH = 200  # tasks past their lifetime taken out of the counts per call, at most

# the workers a change to a task's place in its pool concerns: those who had it, and the one
# it is excluded for
_CONCERNED = (
    "SELECT worker_id AS w FROM assignments WHERE task_id = NEW.id"
    " UNION SELECT NEW.excluded_worker WHERE NEW.excluded_worker IS NOT NULL"
)
_MEMBERSHIP = f"CASE WHEN {in_pool('NEW')} THEN 1 ELSE -1 END"
_WORKER_ROW = "(project_id, worker_id, pool, frontier, skipped)"
# a task of the project comes back: one more return counted, the count is its stamp
_STAMP = f"""INSERT INTO pool_counts SELECT NEW.project_id, 'back', 1 WHERE {in_pool("NEW")}
        ON CONFLICT (project_id, pool) DO UPDATE SET n = n + 1;
    UPDATE tasks SET reopened = (SELECT n FROM pool_counts WHERE project_id = NEW.project_id
        AND pool = 'back') WHERE id = NEW.id AND {in_pool("NEW")};"""


@dataclass(frozen=True, slots=True)
class Look:
    """What a look at a pool found for one worker: the task (``None`` for none), whether it
    came back, and the worker's cursor on the tasks that came back, before and after."""

    row: sqlite3.Row | None
    came_back: bool
    was: int
    back: int


class PoolPart(SqliteBase):
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tasks", "lapsed", "INTEGER NOT NULL DEFAULT 0"),
        ("tasks", "reopened", "INTEGER NOT NULL DEFAULT 0"),
        ("pool_workers", "back", "INTEGER NOT NULL DEFAULT 0"),
    )

    # made and filled once (base.py): a store from before the pools were kept counts them then
    ADDED_TABLES: ClassVar[tuple[tuple[str, str, str], ...]] = (
        (
            "pool_counts",
            "CREATE TABLE pool_counts (project_id TEXT NOT NULL, pool TEXT NOT NULL,"
            " n INTEGER NOT NULL, PRIMARY KEY (project_id, pool)) WITHOUT ROWID",
            f"INSERT INTO pool_counts SELECT project_id, {_pool_of('t')}, COUNT(*) FROM tasks t"
            f" WHERE {in_pool('t')} GROUP BY 1, 2",
        ),
        (
            "pool_workers",
            "CREATE TABLE pool_workers (project_id TEXT NOT NULL, worker_id TEXT NOT NULL,"
            " pool TEXT NOT NULL, frontier INTEGER NOT NULL, skipped INTEGER NOT NULL,"
            " back INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (project_id, worker_id, pool))"
            " WITHOUT ROWID",
            f"INSERT INTO pool_workers {_WORKER_ROW} SELECT t.project_id, w.worker_id,"
            f" {_pool_of('t')}, 0, COUNT(*) FROM tasks t JOIN (SELECT task_id, worker_id"
            " FROM assignments UNION SELECT id, excluded_worker FROM tasks"
            " WHERE excluded_worker IS NOT NULL) w"
            f" ON w.task_id = t.id WHERE {in_pool('t')} GROUP BY 1, 2, 3",
        ),
    )

    # made once the columns they read are there (base.py)
    ADDED_INDEXES: ClassVar[tuple[str, ...]] = (
        f"CREATE INDEX IF NOT EXISTS tasks_work_pool ON tasks (project_id, seq)"
        f" WHERE gold IS NULL AND {in_pool('')}",
        f"CREATE INDEX IF NOT EXISTS tasks_gold_pool ON tasks (project_id, seq)"
        f" WHERE gold IS NOT NULL AND {in_pool('')}",
        "DROP INDEX IF EXISTS tasks_reopened",  # by order, before the stamps
        f"CREATE INDEX IF NOT EXISTS tasks_work_back ON tasks (project_id, reopened)"
        f" WHERE gold IS NULL AND reopened != 0 AND {in_pool('')}",
        f"CREATE INDEX IF NOT EXISTS tasks_gold_back ON tasks (project_id, reopened)"
        f" WHERE gold IS NOT NULL AND reopened != 0 AND {in_pool('')}",
        f"CREATE INDEX IF NOT EXISTS tasks_lapsing ON tasks (project_id, expires_at)"
        f" WHERE {in_pool('')}",
        f"""CREATE TRIGGER IF NOT EXISTS pool_task_insert AFTER INSERT ON tasks
WHEN {in_pool("NEW")} BEGIN
    INSERT INTO pool_counts VALUES (NEW.project_id, {_pool_of("NEW")}, 1)
        ON CONFLICT (project_id, pool) DO UPDATE SET n = n + 1;
    INSERT INTO pool_workers {_WORKER_ROW}
        SELECT NEW.project_id, NEW.excluded_worker, {_pool_of("NEW")}, 0, 1
        WHERE NEW.excluded_worker IS NOT NULL
        ON CONFLICT (project_id, worker_id, pool) DO UPDATE SET skipped = skipped + 1;
END""",
        "DROP TRIGGER IF EXISTS pool_task_change",  # marked a return, before the stamps
        f"""CREATE TRIGGER IF NOT EXISTS pool_task_moved
AFTER UPDATE OF status, assigned, per_task, lapsed ON tasks
WHEN ({in_pool("NEW")}) IS NOT ({in_pool("OLD")}) BEGIN
    INSERT INTO pool_counts VALUES (NEW.project_id, {_pool_of("NEW")}, {_MEMBERSHIP})
        ON CONFLICT (project_id, pool) DO UPDATE SET n = n + excluded.n;
    INSERT INTO pool_workers {_WORKER_ROW}
        SELECT NEW.project_id, w, {_pool_of("NEW")}, 0, {_MEMBERSHIP}
        FROM ({_CONCERNED}) WHERE true
        ON CONFLICT (project_id, worker_id, pool)
        DO UPDATE SET skipped = skipped + excluded.skipped;
    {_STAMP}
END""",
        # a longer lifetime for a task in its pool: those who passed it over as past its
        # lifetime see it again
        f"""CREATE TRIGGER IF NOT EXISTS pool_task_lifetime AFTER UPDATE OF expires_at ON tasks
WHEN NEW.expires_at > OLD.expires_at AND {in_pool("NEW")} AND {in_pool("OLD")} BEGIN
    {_STAMP}
END""",
        # a claim of a task that stays in its pool: one more this worker may not take (a claim
        # that fills the task takes it out, for every worker who had it, this one included)
        f"""CREATE TRIGGER IF NOT EXISTS pool_claim AFTER INSERT ON assignments
BEGIN
    INSERT INTO pool_workers {_WORKER_ROW}
        SELECT NEW.project_id, NEW.worker_id, {_pool_of("t")}, 0, 1
        FROM tasks t WHERE t.id = NEW.task_id AND {in_pool("t")}
        ON CONFLICT (project_id, worker_id, pool) DO UPDATE SET skipped = skipped + 1;
END""",
    )

    # whether this worker may take a task of its pool (work/rules.py): not expired, never had,
    # not excluded (crowd review)
    _OPEN_TO = (
        "t.expires_at > :now"
        " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id"
        " AND a.worker_id = :worker)"
        " AND (t.excluded_worker IS NULL OR t.excluded_worker != :worker)"
    )

    @classmethod
    def _first_sql(cls, pool: Pool, *, came_back: bool) -> str:
        # != 0 (as the index), not > 0: a range on it would stand in for the cursor's
        index, position, order = (
            (_BACK_INDEX[pool], "t.reopened != 0 AND t.reopened >= :back", "t.reopened")
            if came_back
            else (_INDEX[pool], "t.seq >= :frontier", "t.seq")
        )
        return (
            f"SELECT {_TASK_COLUMNS}, seq, reopened FROM tasks t INDEXED BY {index}"
            f" WHERE t.project_id = :project AND t.{_SELECT[pool]} AND {in_pool('t')}"
            f" AND {position} AND {cls._OPEN_TO} ORDER BY {order} LIMIT 1"
        )

    def _first(
        self, db: sqlite3.Connection, pool: Pool, project_id: str, worker_id: str, now: float
    ) -> Look:
        """The task of the pool the worker would get next (read, not taken)."""
        params = {"project": project_id, "worker": worker_id, "now": now, "pool": pool}
        at = db.execute(
            "SELECT (SELECT n FROM pool_counts WHERE project_id = :project AND pool = 'back')"
            " AS stamp, frontier, back FROM (SELECT 1) LEFT JOIN pool_workers ON"
            " project_id = :project AND worker_id = :worker AND pool = :pool",
            params,
        ).fetchone()
        was = at["back"] or 0
        params |= {"back": was, "frontier": at["frontier"] or 0}
        row: sqlite3.Row | None = db.execute(
            self._first_sql(pool, came_back=True), params
        ).fetchone()
        if row is not None:  # the cursor stays on it: it is passed over once it is taken
            return Look(row, came_back=True, was=was, back=row["reopened"])
        row = db.execute(self._first_sql(pool, came_back=False), params).fetchone()
        return Look(row, came_back=False, was=was, back=(at["stamp"] or 0) + 1)

    def _chosen(
        self, db: sqlite3.Connection, project_id: str, worker_id: str, ids: tuple[str, ...],
        now: float,
    ) -> sqlite3.Row | None:  # fmt: skip
        """The first of ``ids`` (an assessment attempt's questions, in its order) the worker
        may take from the project's gold pool; None for none. Read by the ids themselves:
        the pool's order is not walked, nor the worker's cursor or frontier moved."""
        if not ids:
            return None
        marks = ",".join(f":q{i}" for i in range(len(ids)))
        params = {"project": project_id, "worker": worker_id, "now": now}
        params |= {f"q{i}": task_id for i, task_id in enumerate(ids)}
        rows = db.execute(
            f"SELECT {_TASK_COLUMNS}, seq, reopened FROM tasks t WHERE t.id IN ({marks})"
            f" AND t.project_id = :project AND t.{_SELECT['gold']} AND {in_pool('t')}"
            f" AND {self._OPEN_TO}",
            params,
        ).fetchall()
        found = {row["id"]: row for row in rows}
        return next((found[task_id] for task_id in ids if task_id in found), None)

    def _unseen_ids(
        self, db: sqlite3.Connection, project_id: str, worker_id: str, now: float, limit: int
    ) -> list[str]:
        """The first ``limit`` gold tasks of the project's pool the worker may take, in order."""
        params = {"project": project_id, "worker": worker_id, "now": now, "limit": limit}
        rows = db.execute(
            f"SELECT t.id FROM tasks t INDEXED BY {_INDEX['gold']} WHERE t.project_id = :project"
            f" AND t.{_SELECT['gold']} AND {in_pool('t')} AND {self._OPEN_TO}"
            " ORDER BY t.seq LIMIT :limit",
            params,
        ).fetchall()
        return [row["id"] for row in rows]

    @staticmethod
    def _advance(
        db: sqlite3.Connection, pool: Pool, project_id: str, worker_id: str, look: Look
    ) -> None:
        """What the worker's look passed over is behind them; a task they take past the
        frontier moves it on (nothing before it is left for them but what comes back)."""
        frontier = 0 if look.row is None or look.came_back else look.row["seq"] + 1
        db.execute(
            f"INSERT INTO pool_workers {_WORKER_ROW[:-1]}, back) VALUES (?, ?, ?, ?, 0, ?)"
            " ON CONFLICT (project_id, worker_id, pool) DO UPDATE SET"
            " frontier = MAX(frontier, excluded.frontier), back = MAX(back, excluded.back)",
            (project_id, worker_id, pool, frontier, look.back),
        )

    @staticmethod
    def _lapse(db: sqlite3.Connection, project_id: str, now: float) -> None:
        """Take tasks past their lifetime out of the project's pools (a batch at most: what
        is left, the next call takes; claims check the lifetime themselves). Only a read when
        none is due: the task list counts every project of its page, outside a transaction."""
        due = (
            f"SELECT id FROM tasks INDEXED BY tasks_lapsing WHERE project_id = ? AND {in_pool('')}"
            " AND expires_at <= ? LIMIT ?"
        )
        if db.execute(due, (project_id, now, 1)).fetchone() is not None:
            db.execute(
                f"UPDATE tasks SET lapsed = 1 WHERE id IN ({due})", (project_id, now, _LAPSE_BATCH)
            )

    @staticmethod
    def _available(
        db: sqlite3.Connection, project_id: str, worker_id: str, now: float, pool: Pool = "work"
    ) -> int:
        """How many tasks of the pool the worker may take: its size less those they may not."""
        PoolPart._lapse(db, project_id, now)
        row = db.execute(
            "SELECT COALESCE((SELECT n FROM pool_counts WHERE project_id = :p AND pool = :pool),"
            " 0) - COALESCE((SELECT skipped FROM pool_workers WHERE project_id = :p"
            " AND worker_id = :w AND pool = :pool), 0) AS n",
            {"p": project_id, "w": worker_id, "pool": pool},
        ).fetchone()
        return int(row["n"])
