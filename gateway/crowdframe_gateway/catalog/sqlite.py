"""Projects, tasks and idempotent task batches.

Closing tasks outside the answers: a client's cancel, and the ``project.completed`` that
whichever change closes a project's last open task writes (work.py's submit calls it too).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict
from typing import ClassVar

from ..core.errors import Conflict, NotFound
from ..core.events import project_completed_data, task_cancelled_data
from ..core.page import Page, cursor_seq
from ..core.records import Project, ProjectSpec, Task
from ..core.stored import spec_from_json, spec_to_json
from ..store.sqlite.base import (
    _TASK_COLUMNS,
    SqliteBase,
    _task,
)
from .store import FileUpload, PreviewTask, TaskBatch, TaskBatchResult

__all__ = ["CatalogPart", "ClosingPart", "DraftsPart"]


class CatalogPart(SqliteBase):
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (("tasks", "gold", "TEXT"),)

    SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    status TEXT NOT NULL, created_at REAL NOT NULL, spec TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS projects_by_client ON projects (client_id, seq);
CREATE TABLE IF NOT EXISTS tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, project_id TEXT NOT NULL,
    external_id TEXT NOT NULL, input TEXT NOT NULL, status TEXT NOT NULL,
    per_task INTEGER NOT NULL, assigned INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL, expires_at REAL NOT NULL, UNIQUE (project_id, external_id));
CREATE INDEX IF NOT EXISTS tasks_open ON tasks (project_id, status, seq);
-- a project's task counts, kept by the database itself on every change of a task's status, so
-- reading a project (every submit does, twice) costs no count of its tasks
CREATE TABLE IF NOT EXISTS task_counts (
    project_id TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (project_id, status)) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS task_counts_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO task_counts VALUES (NEW.project_id, NEW.status, 1)
        ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS task_counts_update AFTER UPDATE OF project_id, status ON tasks
WHEN OLD.project_id IS NOT NEW.project_id OR OLD.status IS NOT NEW.status BEGIN
    UPDATE task_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
    INSERT INTO task_counts VALUES (NEW.project_id, NEW.status, 1)
        ON CONFLICT (project_id, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS task_counts_delete AFTER DELETE ON tasks BEGIN
    UPDATE task_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
END;
CREATE TABLE IF NOT EXISTS idempotency (
    client_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
    task_ids TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (client_id, key));
"""

    async def open(self) -> None:
        await super().open()
        with self._tx(durable=False) as db:
            # a file from before task_counts (or one its triggers missed): count once, here
            counted, tasks = db.execute(
                "SELECT (SELECT COALESCE(SUM(n), 0) FROM task_counts), (SELECT COUNT(*) FROM tasks)"
            ).fetchone()
            if counted != tasks:
                db.execute("DELETE FROM task_counts")
                db.execute(
                    "INSERT INTO task_counts SELECT project_id, status, COUNT(*) FROM tasks"
                    " GROUP BY project_id, status"
                )

    # -- projects and tasks -----------------------------------------------------------------

    async def create_project(self, project: Project) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO projects (id, client_id, status, created_at, spec) VALUES (?,?,?,?,?)",
                (
                    project.id,
                    project.client_id,
                    project.status,
                    project.created_at,
                    spec_to_json(project.spec),
                ),
            )

    async def get_project(self, project_id: str) -> Project | None:
        with self._lock:
            rows = self._read("SELECT * FROM projects WHERE id = ?", (project_id,))
            return self._project(self._conn(), rows[0]) if rows else None

    async def list_projects(
        self, client_id: str, *, cursor: str | None, limit: int
    ) -> Page[Project]:
        with self._lock:
            rows = self._read(
                "SELECT * FROM projects WHERE client_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (client_id, cursor_seq(cursor), limit + 1),
            )
            items = [self._project(self._conn(), r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def update_project(self, project_id: str, spec: ProjectSpec, status: str) -> Project:
        with self._tx() as db:
            db.execute(
                "UPDATE projects SET spec = ?, status = ? WHERE id = ?",
                (spec_to_json(spec), status, project_id),
            )
            rows = db.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchall()
            if not rows:
                raise NotFound("no such project", field="project_id")
            return self._project(db, rows[0])

    async def add_tasks(self, client_id: str, project_id: str, batch: TaskBatch) -> TaskBatchResult:
        tasks, idempotency_key = batch.tasks, batch.idempotency_key
        with self._tx() as db:
            if idempotency_key is not None:
                seen = db.execute(
                    "SELECT request_hash, task_ids FROM idempotency"
                    " WHERE client_id = ? AND key = ?",
                    (client_id, idempotency_key),
                ).fetchone()
                if seen is not None:
                    if seen["request_hash"] != batch.request_hash:
                        raise Conflict(
                            "this Idempotency-Key was used with a different request",
                            field="Idempotency-Key",
                            code="idempotency_mismatch",
                        )
                    ids = json.loads(seen["task_ids"])
                    rows = db.execute(
                        f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id IN"
                        " (SELECT value FROM json_each(?))",
                        (json.dumps(ids),),
                    ).fetchall()
                    by_id = {r["id"]: _task(r) for r in rows}
                    return TaskBatchResult([by_id[i] for i in ids if i in by_id], replayed=True)
            external = [t.external_id for t in tasks]
            clash = db.execute(
                "SELECT external_id FROM tasks WHERE project_id = ? AND external_id IN"
                " (SELECT value FROM json_each(?)) LIMIT 1",
                (project_id, json.dumps(external)),
            ).fetchone()
            if clash is not None:
                index = external.index(clash["external_id"])
                raise Conflict(
                    f"external_id {clash['external_id']!r} already exists in this project",
                    field=f"tasks[{index}].external_id",
                )
            per_task = spec_from_json(
                db.execute("SELECT spec FROM projects WHERE id = ?", (project_id,)).fetchone()[
                    "spec"
                ]
            ).assignments_per_task
            db.executemany(
                "INSERT INTO tasks (id, project_id, external_id, input, status, per_task,"
                " created_at, expires_at, gold) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        t.id,
                        project_id,
                        t.external_id,
                        json.dumps(t.input),
                        t.status,
                        per_task,
                        t.created_at,
                        t.expires_at,
                        None if t.gold is None else json.dumps(t.gold),
                    )
                    for t in tasks
                ],
            )
            if idempotency_key is not None:
                db.execute(
                    "INSERT INTO idempotency VALUES (?,?,?,?,?)",
                    (
                        client_id,
                        idempotency_key,
                        batch.request_hash,
                        json.dumps([t.id for t in tasks]),
                        tasks[0].created_at if tasks else 0.0,
                    ),
                )
        return TaskBatchResult(list(tasks), replayed=False)

    async def get_task(self, task_id: str) -> Task | None:
        rows = self._read(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        return _task(rows[0]) if rows else None

    async def get_tasks(self, task_ids: Sequence[str]) -> dict[str, Task]:
        # the ids as one JSON parameter: no limit on how many (SQLite's on variables is none)
        rows = self._read(
            f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(task_ids)),),
        )
        return {r["id"]: _task(r) for r in rows}


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


class DraftsPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS file_uploads (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, project_id TEXT NOT NULL, name TEXT NOT NULL,
    text TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS file_uploads_expiry ON file_uploads (expires_at);
CREATE TABLE IF NOT EXISTS preview_tasks (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, task TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS preview_tasks_expiry ON preview_tasks (expires_at);
"""

    async def keep_file_upload(self, upload: FileUpload, *, now: float) -> None:
        with self._tx(durable=False) as db:
            db.execute("DELETE FROM file_uploads WHERE expires_at <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO file_uploads VALUES (?,?,?,?,?,?)",
                (upload.id, upload.client_id, upload.project_id, upload.name, upload.text,
                 upload.expires_at),
            )  # fmt: skip

    async def get_file_upload(self, upload_id: str, *, now: float) -> FileUpload | None:
        rows = self._read(
            "SELECT * FROM file_uploads WHERE id = ? AND expires_at > ?", (upload_id, now)
        )
        return FileUpload(**dict(rows[0])) if rows else None

    async def keep_preview_task(self, preview: PreviewTask, *, now: float) -> None:
        task = {**asdict(preview.task)}
        with self._tx(durable=False) as db:
            db.execute("DELETE FROM preview_tasks WHERE expires_at <= ?", (now,))
            db.execute(
                "INSERT OR REPLACE INTO preview_tasks VALUES (?,?,?,?)",
                (preview.task.id, preview.client_id, json.dumps(task), preview.expires_at),
            )

    async def get_preview_task(self, task_id: str, *, now: float) -> PreviewTask | None:
        rows = self._read(
            "SELECT * FROM preview_tasks WHERE id = ? AND expires_at > ?", (task_id, now)
        )
        if not rows:
            return None
        row = rows[0]
        return PreviewTask(row["client_id"], Task(**json.loads(row["task"])), row["expires_at"])
