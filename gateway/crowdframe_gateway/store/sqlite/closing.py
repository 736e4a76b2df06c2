"""Closing tasks outside the answers: a client's cancel, and the ``project.completed`` that
whichever change closes a project's last open task writes (work.py's submit calls it too)."""

from __future__ import annotations

import sqlite3

from ...events import project_completed_data, task_cancelled_data
from ...records import Task
from .base import _TASK_COLUMNS, SqliteBase, _task

__all__ = ["ClosingPart"]


class ClosingPart(SqliteBase):
    async def cancel_task(
        self, task_id: str, *, now: float, untaken_only: bool = False
    ) -> Task | None:
        with self._tx() as db:
            # ``assigned`` counts every seat taken and not given back (returned or expired)
            changed = db.execute(
                "UPDATE tasks SET status = 'cancelled' WHERE id = ? AND status = 'open'"
                + (" AND assigned = 0" if untaken_only else ""),
                (task_id,),
            ).rowcount
            row = db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,)
            ).fetchone()
            task = None if row is None else _task(row)
            if changed and task is not None:
                client_id = db.execute(
                    "SELECT client_id FROM projects WHERE id = ?", (task.project_id,)
                ).fetchone()["client_id"]
                self._event(db, client_id, "task.cancelled", task_cancelled_data(task), now=now)
                if task.gold is None:
                    self._announce_if_finished(db, client_id, task, now)
        if changed:
            self._notify_outbox()
        return task

    def _announce_if_finished(
        self, db: sqlite3.Connection, client_id: str, closed: Task, now: float
    ) -> None:
        """``project.completed``, written by the change that closed the project's last open
        task (gold tasks never close by answers and do not count). Only such a change calls
        this, so it is sent once each time a project runs out of open tasks."""
        # on the submit path: a probe of the open-tasks index, the full count only at the end
        still_open = db.execute(
            "SELECT 1 FROM tasks WHERE project_id = ? AND status = 'open' AND gold IS NULL LIMIT 1",
            (closed.project_id,),
        ).fetchone()
        if still_open is not None:
            return
        counts = db.execute(
            "SELECT COUNT(*) AS tasks, COALESCE(SUM(status = 'open' AND gold IS NULL), 0) AS open,"
            " COALESCE(SUM(status = 'completed'), 0) AS completed,"
            " COALESCE(SUM(status = 'cancelled'), 0) AS cancelled,"
            " COALESCE(SUM(status = 'expired'), 0) AS expired FROM tasks WHERE project_id = ?",
            (closed.project_id,),
        ).fetchone()
        if counts["open"] == 0:
            data = project_completed_data(closed.project_id, closed.id, dict(counts))
            self._event(db, client_id, "project.completed", data, now=now)
