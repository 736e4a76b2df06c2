"""Crowd review: review tasks their submitter never gets, and the queue of answers to review.

``submit`` (work.py) puts each non-gold answer of a project with ``crowd_review`` on the
queue in its own transaction; the gateway takes it off once the crowd's verdict is settled.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..core.errors import NotFound
from ..core.records import ASSIGNMENT_STATUSES, HOUR, Assignment, AssignmentStatus, Task
from ..core.stored import spec_from_json
from ..store.sqlite.base import _TASK_COLUMNS, SqliteBase, _task

__all__ = ["CrowdReviewPart", "ProgressPart"]


class CrowdReviewPart(SqliteBase):
    # a task its excluded worker may never take (work/sqlite_pool.py's _OPEN_TO reads it)
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("tasks", "excluded_worker", "TEXT"),
    )

    SCHEMA = """
CREATE TABLE IF NOT EXISTS crowd_review_queue (
    assignment_id TEXT PRIMARY KEY, project_id TEXT NOT NULL, due_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS crowd_review_due ON crowd_review_queue (due_at);
"""

    async def record_review(self, assignment: Assignment) -> None:
        return None  # review_counts reads the assignments themselves

    async def review_counts(self, worker_id: str) -> tuple[int, int]:
        rows = self._read(
            "SELECT COALESCE(SUM(status = 'approved'), 0) AS approved,"
            " COALESCE(SUM(status = 'rejected'), 0) AS rejected"
            " FROM assignments WHERE worker_id = ? AND status IN ('approved', 'rejected')",
            (worker_id,),
        )
        return int(rows[0]["approved"]), int(rows[0]["rejected"])

    async def add_review_task(self, task: Task, *, excluded_worker: str) -> Task:
        with self._tx() as db:
            row = db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task.id,)
            ).fetchone()
            if row is not None:
                return _task(row)
            project = db.execute(
                "SELECT spec FROM projects WHERE id = ?", (task.project_id,)
            ).fetchone()
            if project is None:
                raise NotFound("no such project", field="project_id")
            spec = spec_from_json(project["spec"])
            db.execute(
                "INSERT INTO tasks (id, project_id, external_id, input, status, per_task,"
                " created_at, expires_at, excluded_worker) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    task.id,
                    task.project_id,
                    task.external_id,
                    json.dumps(task.input),
                    task.status,
                    spec.assignments_per_task,
                    task.created_at,
                    task.expires_at,
                    excluded_worker,
                ),
            )
        return task

    async def crowd_reviews_due(self, *, now: float, limit: int) -> list[str]:
        rows = self._read(
            "SELECT assignment_id FROM crowd_review_queue WHERE due_at <= ?"
            " ORDER BY due_at LIMIT ?",
            (now, limit),
        )
        return [r["assignment_id"] for r in rows]

    async def schedule_crowd_review(self, assignment_id: str, *, at: float | None) -> None:
        with self._tx() as db:
            if at is None:
                db.execute(
                    "DELETE FROM crowd_review_queue WHERE assignment_id = ?", (assignment_id,)
                )
            else:
                db.execute(
                    "UPDATE crowd_review_queue SET due_at = ? WHERE assignment_id = ?",
                    (at, assignment_id),
                )


class ProgressPart(SqliteBase):
    # a project's submissions per hour (hour_of), one row an hour with answers, added to by
    # submit (work/sqlite.py) in its transaction; a file from before it is filled from its
    # assignments
    ADDED_TABLES: ClassVar[tuple[tuple[str, str, str], ...]] = (
        (
            "submission_hours",
            "CREATE TABLE submission_hours (project_id TEXT NOT NULL, hour INTEGER NOT NULL,"
            " count INTEGER NOT NULL, PRIMARY KEY (project_id, hour)) WITHOUT ROWID",
            "INSERT INTO submission_hours SELECT project_id,"
            f" CAST(submitted_at / {HOUR} AS INTEGER) AS hour, COUNT(*) FROM assignments"
            " WHERE submitted_at IS NOT NULL GROUP BY project_id, hour",
        ),
    )

    async def submission_hours(self, project_id: str, *, first_hour: int, hours: int) -> list[int]:
        rows = self._read(
            "SELECT hour, count FROM submission_hours WHERE project_id = ?"
            " AND hour >= ? AND hour < ?",
            (project_id, first_hour, first_hour + hours),
        )
        counts = {int(r["hour"]): int(r["count"]) for r in rows}
        return [counts.get(first_hour + i, 0) for i in range(hours)]

    async def latest_answers(self, project_id: str, *, limit: int) -> list[tuple[str, Any]]:
        rows = self._read(  # the project's client too: assignments_by_project, newest first
            "SELECT task_id, result FROM assignments"
            " WHERE client_id = (SELECT client_id FROM projects WHERE id = ?)"
            " AND project_id = ? AND submitted_at IS NOT NULL ORDER BY seq DESC LIMIT ?",
            (project_id, project_id, limit),
        )
        return [(r["task_id"], json.loads(r["result"])) for r in rows if r["result"]]

    async def assignment_counts(
        self, client_id: str, project_id: str
    ) -> dict[AssignmentStatus, int]:
        # an index-only count: assignments_by_project_status leads with these three
        rows = self._read(
            "SELECT status, COUNT(*) AS n FROM assignments"
            " WHERE client_id = ? AND project_id = ? GROUP BY status",
            (client_id, project_id),
        )
        counts = {row["status"]: int(row["n"]) for row in rows}
        return {status: counts[status] for status in ASSIGNMENT_STATUSES if status in counts}
