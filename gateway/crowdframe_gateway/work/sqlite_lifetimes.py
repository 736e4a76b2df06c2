"""Leases and lifetimes on SQLite: a heartbeat's longer deadline, and the sweep that moves tasks
past their lifetime to ``expired`` (work/rules.py decides both)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from ..catalog.sqlite import ClosingPart
from ..core.errors import NotFound
from ..core.events import task_expired_data
from ..core.records import Assignment
from ..store.sqlite.base import _ASSIGNMENT_COLUMNS, _TASK_COLUMNS, _assignment, _task

__all__ = ["LifetimePart"]

_EXPIRE_BATCH = 200  # tasks the sweep expires in one transaction, at most


class LifetimePart(ClosingPart):
    # the open tasks by the end of their lifetime, across projects: the sweep's walk
    ADDED_INDEXES: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS tasks_lifetime ON tasks (expires_at) WHERE status = 'open'",
    )

    # work/rules.py task_expires, with holds for "held", stated once for SQLite: open, at or
    # past its lifetime, and no assignment accepted and not past its deadline
    _EXPIRING = (
        f"SELECT {_TASK_COLUMNS} FROM tasks t INDEXED BY tasks_lifetime"
        " WHERE t.status = 'open' AND t.expires_at <= ?1 AND NOT EXISTS (SELECT 1"
        " FROM assignments a WHERE a.task_id = t.id AND a.status = 'accepted'"
        " AND a.deadline >= ?1) ORDER BY t.expires_at LIMIT ?2"
    )

    async def extend_lease(self, assignment_id: str, *, deadline: float, was: float) -> Assignment:
        # the compare-and-set of work/rules.py heartbeat_deadline: only the assignment as the
        # decision read it (still accepted, its deadline unchanged) takes the new one. A lost
        # extension costs the worker a little time at most: no durable flush
        with self._tx(durable=False) as db:
            db.execute(
                "UPDATE assignments SET deadline = ? WHERE id = ? AND status = 'accepted'"
                " AND deadline = ?",
                (deadline, assignment_id, was),
            )
            row = db.execute(
                f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)
            ).fetchone()
        if row is None:
            raise NotFound("no such assignment", field="assignment_id")
        return _assignment(row)

    async def expire_tasks(self, *, now: float) -> int:
        if not self._read(self._EXPIRING, (now, 1)):
            return 0  # nothing due: a read, not the write lock
        with self._tx() as db:
            due = [_task(row) for row in db.execute(self._EXPIRING, (now, _EXPIRE_BATCH))]
            clients: dict[str, str] = {}
            for task in due:
                db.execute("UPDATE tasks SET status = 'expired' WHERE id = ?", (task.id,))
                expired = replace(task, status="expired")
                if task.project_id not in clients:
                    clients[task.project_id] = db.execute(
                        "SELECT client_id FROM projects WHERE id = ?", (task.project_id,)
                    ).fetchone()["client_id"]
                client_id = clients[task.project_id]
                self._event(db, client_id, "task.expired", task_expired_data(expired), now=now)
                if task.gold is None:  # gold tasks never hold a project open
                    self._announce_if_finished(db, client_id, expired, now)
        if due:
            self._notify_outbox()
        return len(due)
