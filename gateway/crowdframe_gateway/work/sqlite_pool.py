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
- ``tasks.reopened``: set when a task comes back into its pool (a seat freed, one more seat
  asked for, its lifetime extended);
- ``pool_workers.frontier``, written by the claim: every task of the pool before it that the
  worker may take is a reopened one. A claim reads the first open task at or past the frontier
  and the first reopened one before it, and takes the earlier: two index seeks, whatever the
  worker did before. A frontier of 0 is always true (a migrated store starts there).
"""

from __future__ import annotations

import sqlite3
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
_LAPSE_BATCH = 200  # tasks past their lifetime taken out of the counts per call, at most

# the workers a change to a task's place in its pool concerns: those who had it, and the one
# it is excluded for
_CONCERNED = (
    "SELECT worker_id AS w FROM assignments WHERE task_id = NEW.id"
    " UNION SELECT NEW.excluded_worker WHERE NEW.excluded_worker IS NOT NULL"
)
_MEMBERSHIP = f"CASE WHEN {in_pool('NEW')} THEN 1 ELSE -1 END"


class PoolPart(SqliteBase):
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tasks", "lapsed", "INTEGER NOT NULL DEFAULT 0"),
        ("tasks", "reopened", "INTEGER NOT NULL DEFAULT 0"),
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
            " PRIMARY KEY (project_id, worker_id, pool)) WITHOUT ROWID",
            f"INSERT INTO pool_workers SELECT t.project_id, w.worker_id, {_pool_of('t')}, 0,"
            " COUNT(*) FROM tasks t JOIN (SELECT task_id, worker_id FROM assignments UNION"
            " SELECT id, excluded_worker FROM tasks WHERE excluded_worker IS NOT NULL) w"
            f" ON w.task_id = t.id WHERE {in_pool('t')} GROUP BY 1, 2, 3",
        ),
    )

    # made once the columns they read are there (base.py)
    ADDED_INDEXES: ClassVar[tuple[str, ...]] = (
        f"CREATE INDEX IF NOT EXISTS tasks_work_pool ON tasks (project_id, seq)"
        f" WHERE gold IS NULL AND {in_pool('')}",
        f"CREATE INDEX IF NOT EXISTS tasks_gold_pool ON tasks (project_id, seq)"
        f" WHERE gold IS NOT NULL AND {in_pool('')}",
        f"CREATE INDEX IF NOT EXISTS tasks_reopened ON tasks (project_id, seq)"
        f" WHERE reopened = 1 AND {in_pool('')}",
        f"CREATE INDEX IF NOT EXISTS tasks_lapsing ON tasks (project_id, expires_at)"
        f" WHERE {in_pool('')}",
        f"""CREATE TRIGGER IF NOT EXISTS pool_task_insert AFTER INSERT ON tasks
WHEN {in_pool("NEW")} BEGIN
    INSERT INTO pool_counts VALUES (NEW.project_id, {_pool_of("NEW")}, 1)
        ON CONFLICT (project_id, pool) DO UPDATE SET n = n + 1;
    INSERT INTO pool_workers SELECT NEW.project_id, NEW.excluded_worker, {_pool_of("NEW")}, 0, 1
        WHERE NEW.excluded_worker IS NOT NULL
        ON CONFLICT (project_id, worker_id, pool) DO UPDATE SET skipped = skipped + 1;
END""",
        f"""CREATE TRIGGER IF NOT EXISTS pool_task_change
AFTER UPDATE OF status, assigned, per_task, lapsed ON tasks
WHEN ({in_pool("NEW")}) IS NOT ({in_pool("OLD")}) BEGIN
    INSERT INTO pool_counts VALUES (NEW.project_id, {_pool_of("NEW")}, {_MEMBERSHIP})
        ON CONFLICT (project_id, pool) DO UPDATE SET n = n + excluded.n;
    INSERT INTO pool_workers SELECT NEW.project_id, w, {_pool_of("NEW")}, 0, {_MEMBERSHIP}
        FROM ({_CONCERNED}) WHERE true
        ON CONFLICT (project_id, worker_id, pool)
        DO UPDATE SET skipped = skipped + excluded.skipped;
    UPDATE tasks SET reopened = 1 WHERE id = NEW.id AND {in_pool("NEW")};
END""",
        # a claim of a task that stays in its pool: one more this worker may not take (a claim
        # that fills the task takes it out, for every worker who had it, this one included)
        f"""CREATE TRIGGER IF NOT EXISTS pool_claim AFTER INSERT ON assignments
BEGIN
    INSERT INTO pool_workers SELECT NEW.project_id, NEW.worker_id, {_pool_of("t")}, 0, 1
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
    def _first_sql(cls, pool: Pool) -> str:
        pick = f"SELECT {_TASK_COLUMNS}, seq FROM tasks t INDEXED BY"
        where = f"t.project_id = :project AND t.{_SELECT[pool]} AND {in_pool('t')}"
        return (
            f"SELECT * FROM (SELECT * FROM ({pick} {_INDEX[pool]} WHERE {where}"
            f" AND t.seq >= :frontier AND {cls._OPEN_TO} ORDER BY t.seq LIMIT 1)"
            f" UNION ALL SELECT * FROM ({pick} tasks_reopened WHERE {where} AND t.reopened = 1"
            f" AND t.seq < :frontier AND {cls._OPEN_TO} ORDER BY t.seq LIMIT 1))"
            " ORDER BY seq LIMIT 1"
        )

    def _first(
        self, db: sqlite3.Connection, pool: Pool, project_id: str, worker_id: str, now: float
    ) -> sqlite3.Row | None:
        """The first task of the pool the worker may take (read, not taken)."""
        frontier = db.execute(
            "SELECT frontier FROM pool_workers WHERE project_id = ? AND worker_id = ? AND pool = ?",
            (project_id, worker_id, pool),
        ).fetchone()
        row: sqlite3.Row | None = db.execute(
            self._first_sql(pool),
            {
                "project": project_id,
                "worker": worker_id,
                "now": now,
                "frontier": 0 if frontier is None else frontier["frontier"],
            },
        ).fetchone()
        return row

    @staticmethod
    def _advance(
        db: sqlite3.Connection, pool: Pool, project_id: str, worker_id: str, seq: int
    ) -> None:
        """The worker takes the task at ``seq``, the first they could: nothing before it is
        left for them but what comes back (reopened)."""
        db.execute(
            "INSERT INTO pool_workers VALUES (?, ?, ?, ?, 0) ON CONFLICT (project_id, worker_id,"
            " pool) DO UPDATE SET frontier = MAX(frontier, excluded.frontier)",
            (project_id, worker_id, pool, seq + 1),
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
