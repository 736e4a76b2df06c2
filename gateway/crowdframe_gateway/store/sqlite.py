"""``SqliteStore``: the default store, one SQLite file in WAL mode, zero setup.

Each operation is one short transaction run on the caller's thread (``BEGIN IMMEDIATE``, so
concurrent writers, even in other processes, queue instead of interleaving). There is no
``await`` inside a transaction, which is what makes a claim atomic within the event loop; the
database lock is what makes it atomic across processes.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..errors import Conflict, NotFound
from ..events import assignment_data, task_completed_data
from ..records import (
    Assignment,
    AssignmentStatus,
    Attempt,
    Client,
    Endpoint,
    Event,
    Message,
    Project,
    ProjectSpec,
    Task,
    Worker,
    new_id,
)
from .base import DeliveryOutcome, Page, TaskBatchResult

__all__ = ["SqliteStore"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS clients (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, api_key_hash TEXT NOT NULL UNIQUE,
    signing_secrets TEXT NOT NULL, pseudonym_key TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
    country TEXT NOT NULL, languages TEXT NOT NULL, created_at REAL NOT NULL);
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
CREATE TABLE IF NOT EXISTS assignments (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL,
    project_id TEXT NOT NULL, client_id TEXT NOT NULL, worker_id TEXT NOT NULL,
    worker_pseudonym TEXT NOT NULL, external_id TEXT NOT NULL, status TEXT NOT NULL,
    accepted_at REAL NOT NULL,
    deadline REAL NOT NULL, submitted_at REAL, result TEXT, reviewed_at REAL,
    reject_reason TEXT, UNIQUE (task_id, worker_id));
CREATE INDEX IF NOT EXISTS assignments_by_client ON assignments (client_id, status, seq);
CREATE INDEX IF NOT EXISTS assignments_by_worker ON assignments (worker_id, project_id, status);
CREATE INDEX IF NOT EXISTS assignments_live ON assignments (status, deadline);
CREATE TABLE IF NOT EXISTS idempotency (
    client_id TEXT NOT NULL, key TEXT NOT NULL, request_hash TEXT NOT NULL,
    task_ids TEXT NOT NULL, created_at REAL NOT NULL, PRIMARY KEY (client_id, key));
CREATE TABLE IF NOT EXISTS endpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    url TEXT NOT NULL, secrets TEXT NOT NULL, event_types TEXT, status TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    type TEXT NOT NULL, created_at REAL NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, event_id TEXT NOT NULL, endpoint_id TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, at REAL NOT NULL,
    status_code INTEGER, latency_ms REAL NOT NULL, response TEXT NOT NULL, error TEXT);
CREATE INDEX IF NOT EXISTS attempts_by_message ON attempts (message_id, seq);
"""

_ASSIGNMENT_COLUMNS = (
    "id, task_id, project_id, client_id, worker_id, worker_pseudonym, external_id, status, "
    "accepted_at, deadline, submitted_at, result, reviewed_at, reject_reason"
)
_TASK_COLUMNS = "id, project_id, external_id, input, status, created_at, expires_at"
_FINAL_STATUSES = ("submitted", "approved", "rejected")


def _spec_to_json(spec: ProjectSpec) -> str:
    return json.dumps(asdict(spec))


def _spec_from_json(text: str) -> ProjectSpec:
    raw = json.loads(text)
    raw["allow"] = tuple(raw.get("allow", ()))
    return ProjectSpec(**raw)


def _assignment(row: sqlite3.Row) -> Assignment:
    return Assignment(
        id=row["id"],
        task_id=row["task_id"],
        project_id=row["project_id"],
        client_id=row["client_id"],
        worker_id=row["worker_id"],
        worker_pseudonym=row["worker_pseudonym"],
        external_id=row["external_id"],
        status=row["status"],
        accepted_at=row["accepted_at"],
        deadline=row["deadline"],
        submitted_at=row["submitted_at"],
        result=None if row["result"] is None else json.loads(row["result"]),
        reviewed_at=row["reviewed_at"],
        reject_reason=row["reject_reason"],
    )


def _task(row: sqlite3.Row) -> Task:
    return Task(
        id=row["id"],
        project_id=row["project_id"],
        external_id=row["external_id"],
        input=json.loads(row["input"]),
        status=row["status"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


def _endpoint(row: sqlite3.Row) -> Endpoint:
    types = row["event_types"]
    return Endpoint(
        id=row["id"],
        client_id=row["client_id"],
        url=row["url"],
        secrets=tuple(json.loads(row["secrets"])),
        event_types=None if types is None else tuple(json.loads(types)),
        status=row["status"],
        created_at=row["created_at"],
    )


def _worker(row: sqlite3.Row) -> Worker:
    return Worker(
        id=row["id"],
        email=row["email"],
        password_hash=row["password_hash"],
        country=row["country"],
        languages=tuple(json.loads(row["languages"])),
        created_at=row["created_at"],
    )


def _client(row: sqlite3.Row) -> Client:
    return Client(
        id=row["id"],
        name=row["name"],
        signing_secrets=tuple(json.loads(row["signing_secrets"])),
        pseudonym_key=row["pseudonym_key"],
        created_at=row["created_at"],
    )


class SqliteStore:
    """The embedded store. ``synchronous`` is SQLite's durability knob: ``FULL`` (default)
    survives power loss; ``NORMAL`` survives a crashed process but not a crashed machine."""

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        self.path = str(path)
        self._synchronous = synchronous
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox_signal: asyncio.Event | None = None

    # -- plumbing ---------------------------------------------------------------------------

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={self._synchronous}")
        db.execute("PRAGMA busy_timeout=10000")
        db.executescript(SCHEMA)
        self._db = db
        self._loop = asyncio.get_running_loop()
        self._outbox_signal = asyncio.Event()

    async def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        if db is None:
            raise RuntimeError("store is not open")
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        db = self._db
        if db is None:
            raise RuntimeError("store is not open")
        with self._lock:
            return db.execute(sql, params).fetchall()

    def _notify_outbox(self) -> None:
        signal, loop = self._outbox_signal, self._loop
        if signal is None or loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            signal.set()
        else:
            with suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(signal.set)

    def _event(
        self,
        db: sqlite3.Connection,
        client_id: str,
        type: str,
        data: dict[str, Any],
        *,
        now: float,
        endpoint_id: str | None = None,
    ) -> tuple[Event, list[str]]:
        """Write an event and its outbox messages; the caller's transaction commits both."""
        event = Event(id=new_id("evt"), client_id=client_id, type=type, created_at=now, data=data)
        db.execute(
            "INSERT INTO events (id, client_id, type, created_at, data) VALUES (?,?,?,?,?)",
            (event.id, client_id, type, now, json.dumps(data)),
        )
        if endpoint_id is None:
            rows = db.execute(
                "SELECT * FROM endpoints WHERE client_id = ? AND status = 'enabled'", (client_id,)
            ).fetchall()
            targets = [
                e.id for e in map(_endpoint, rows) if e.event_types is None or type in e.event_types
            ]
        else:
            targets = [endpoint_id]
        message_ids = []
        for target in targets:
            message_id = new_id("msg")
            db.execute(
                "INSERT INTO outbox (id, event_id, endpoint_id, status, next_attempt_at,"
                " created_at) VALUES (?,?,?,'pending',?,?)",
                (message_id, event.id, target, now, now),
            )
            message_ids.append(message_id)
        return event, message_ids

    # -- clients and workers ----------------------------------------------------------------

    async def create_client(self, client: Client, api_key_hash: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO clients VALUES (?,?,?,?,?,?)",
                (
                    client.id,
                    client.name,
                    api_key_hash,
                    json.dumps(list(client.signing_secrets)),
                    client.pseudonym_key,
                    client.created_at,
                ),
            )

    async def client_by_key_hash(self, key_hash: str) -> Client | None:
        rows = self._read("SELECT * FROM clients WHERE api_key_hash = ?", (key_hash,))
        return _client(rows[0]) if rows else None

    async def get_client(self, client_id: str) -> Client | None:
        rows = self._read("SELECT * FROM clients WHERE id = ?", (client_id,))
        return _client(rows[0]) if rows else None

    async def create_worker(self, worker: Worker) -> None:
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO workers VALUES (?,?,?,?,?,?)",
                    (
                        worker.id,
                        worker.email,
                        worker.password_hash,
                        worker.country,
                        json.dumps(list(worker.languages)),
                        worker.created_at,
                    ),
                )
        except sqlite3.IntegrityError:
            raise Conflict("an account with this email exists", field="email") from None

    async def worker_by_email(self, email: str) -> Worker | None:
        rows = self._read("SELECT * FROM workers WHERE email = ?", (email,))
        return _worker(rows[0]) if rows else None

    async def get_worker(self, worker_id: str) -> Worker | None:
        rows = self._read("SELECT * FROM workers WHERE id = ?", (worker_id,))
        return _worker(rows[0]) if rows else None

    # -- projects and tasks -----------------------------------------------------------------

    def _project(self, db: sqlite3.Connection, row: sqlite3.Row) -> Project:
        counts = db.execute(
            "SELECT COUNT(*) AS tasks, COALESCE(SUM(status = 'open'), 0) AS open,"
            " COALESCE(SUM(status = 'completed'), 0) AS completed"
            " FROM tasks WHERE project_id = ?",
            (row["id"],),
        ).fetchone()
        return Project(
            id=row["id"],
            client_id=row["client_id"],
            spec=_spec_from_json(row["spec"]),
            status=row["status"],
            created_at=row["created_at"],
            counts={k: counts[k] for k in ("tasks", "open", "completed")},
        )

    async def create_project(self, project: Project) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO projects (id, client_id, status, created_at, spec) VALUES (?,?,?,?,?)",
                (
                    project.id,
                    project.client_id,
                    project.status,
                    project.created_at,
                    _spec_to_json(project.spec),
                ),
            )

    async def get_project(self, project_id: str) -> Project | None:
        with self._lock:
            rows = self._read("SELECT * FROM projects WHERE id = ?", (project_id,))
            return self._project(self._conn(), rows[0]) if rows else None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def list_projects(
        self, client_id: str, *, cursor: str | None, limit: int
    ) -> Page[Project]:
        with self._lock:
            rows = self._read(
                "SELECT * FROM projects WHERE client_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (client_id, _seq(cursor), limit + 1),
            )
            items = [self._project(self._conn(), r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def update_project(self, project_id: str, spec: ProjectSpec, status: str) -> Project:
        with self._tx() as db:
            db.execute(
                "UPDATE projects SET spec = ?, status = ? WHERE id = ?",
                (_spec_to_json(spec), status, project_id),
            )
            rows = db.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchall()
            if not rows:
                raise NotFound("no such project", field="project_id")
            return self._project(db, rows[0])

    async def add_tasks(
        self,
        client_id: str,
        project_id: str,
        tasks: Sequence[Task],
        *,
        idempotency_key: str | None,
        request_hash: str,
    ) -> TaskBatchResult:
        with self._tx() as db:
            if idempotency_key is not None:
                seen = db.execute(
                    "SELECT request_hash, task_ids FROM idempotency"
                    " WHERE client_id = ? AND key = ?",
                    (client_id, idempotency_key),
                ).fetchone()
                if seen is not None:
                    if seen["request_hash"] != request_hash:
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
            per_task = _spec_from_json(
                db.execute("SELECT spec FROM projects WHERE id = ?", (project_id,)).fetchone()[
                    "spec"
                ]
            ).assignments_per_task
            db.executemany(
                "INSERT INTO tasks (id, project_id, external_id, input, status, per_task,"
                " created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)",
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
                        request_hash,
                        json.dumps([t.id for t in tasks]),
                        tasks[0].created_at if tasks else 0.0,
                    ),
                )
        return TaskBatchResult(list(tasks), replayed=False)

    async def get_task(self, task_id: str) -> Task | None:
        rows = self._read(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
        return _task(rows[0]) if rows else None

    # -- work -------------------------------------------------------------------------------

    _AVAILABLE = (
        "t.status = 'open' AND t.assigned < t.per_task AND t.expires_at > :now"
        " AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.task_id = t.id"
        " AND a.worker_id = :worker)"
    )

    async def open_projects(self, worker_id: str, *, now: float) -> list[tuple[Project, int]]:
        with self._lock:
            rows = self._read(
                "SELECT p.*, COUNT(t.id) AS available FROM projects p"
                " JOIN tasks t ON t.project_id = p.id"
                f" WHERE p.status = 'active' AND {self._AVAILABLE}"
                " GROUP BY p.id ORDER BY p.seq",
                {"now": now, "worker": worker_id},  # type: ignore[arg-type]
            )
            return [(self._project(self._conn(), r), r["available"]) for r in rows]

    async def peek_task(self, project_id: str, worker_id: str, *, now: float) -> Task | None:
        rows = self._read(
            f"SELECT {_TASK_COLUMNS} FROM tasks t WHERE t.project_id = :project AND "
            f"{self._AVAILABLE} ORDER BY t.seq LIMIT 1",
            {"project": project_id, "now": now, "worker": worker_id},  # type: ignore[arg-type]
        )
        return _task(rows[0]) if rows else None

    async def claim(
        self, project_id: str, worker_id: str, worker_pseudonym: str, *, now: float
    ) -> Assignment | None:
        with self._tx() as db:
            project = db.execute(
                "SELECT client_id, status, spec FROM projects WHERE id = ?", (project_id,)
            ).fetchone()
            if project is None or project["status"] != "active":
                return None
            row = db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks t WHERE t.project_id = :project AND "
                f"{self._AVAILABLE} ORDER BY t.seq LIMIT 1",
                {"project": project_id, "now": now, "worker": worker_id},
            ).fetchone()
            if row is None:
                return None
            task = _task(row)
            spec = _spec_from_json(project["spec"])
            assignment = Assignment(
                id=new_id("asg"),
                task_id=task.id,
                project_id=project_id,
                client_id=project["client_id"],
                worker_id=worker_id,
                worker_pseudonym=worker_pseudonym,
                external_id=task.external_id,
                status="accepted",
                accepted_at=now,
                deadline=min(now + spec.assignment_duration, task.expires_at),
            )
            db.execute(
                f"INSERT INTO assignments ({_ASSIGNMENT_COLUMNS}) VALUES"
                " (?,?,?,?,?,?,?,?,?,?,NULL,NULL,NULL,NULL)",
                (
                    assignment.id,
                    task.id,
                    project_id,
                    assignment.client_id,
                    worker_id,
                    worker_pseudonym,
                    task.external_id,
                    "accepted",
                    now,
                    assignment.deadline,
                ),
            )
            db.execute("UPDATE tasks SET assigned = assigned + 1 WHERE id = ?", (task.id,))
            self._event(
                db,
                assignment.client_id,
                "assignment.accepted",
                assignment_data(assignment, task),
                now=now,
            )
        self._notify_outbox()
        return assignment

    async def live_assignment(self, project_id: str, worker_id: str) -> Assignment | None:
        rows = self._read(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE worker_id = ? AND project_id = ?"
            " AND status = 'accepted' ORDER BY seq DESC LIMIT 1",
            (worker_id, project_id),
        )
        return _assignment(rows[0]) if rows else None

    async def get_assignment(self, assignment_id: str) -> Assignment | None:
        rows = self._read(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)
        )
        return _assignment(rows[0]) if rows else None

    def _load(self, db: sqlite3.Connection, assignment_id: str) -> tuple[Assignment, Task]:
        row = db.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)
        ).fetchone()
        if row is None:
            raise NotFound("no such assignment", field="assignment_id")
        assignment = _assignment(row)
        task = _task(
            db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (assignment.task_id,)
            ).fetchone()
        )
        return assignment, task

    def _set_status(
        self, db: sqlite3.Connection, assignment: Assignment, **changes: Any
    ) -> Assignment:
        columns = ", ".join(f"{name} = ?" for name in changes)
        values = [json.dumps(v) if name == "result" else v for name, v in changes.items()]
        db.execute(f"UPDATE assignments SET {columns} WHERE id = ?", (*values, assignment.id))
        return _assignment(
            db.execute(
                f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment.id,)
            ).fetchone()
        )

    async def submit(self, assignment_id: str, result: dict[str, Any], *, now: float) -> Assignment:
        with self._tx() as db:
            assignment, task = self._load(db, assignment_id)
            if assignment.status in _FINAL_STATUSES:
                raise Conflict("this assignment was already submitted", code="already_submitted")
            if assignment.status != "accepted" or now > assignment.deadline:
                raise Conflict(
                    f"this assignment is {'expired' if assignment.live else assignment.status}",
                    code="assignment_closed",
                )
            done = self._set_status(
                db, assignment, status="submitted", submitted_at=now, result=result
            )
            self._event(
                db, done.client_id, "assignment.submitted", assignment_data(done, task), now=now
            )
            per_task = db.execute("SELECT per_task FROM tasks WHERE id = ?", (task.id,)).fetchone()[
                "per_task"
            ]
            rows = db.execute(
                f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE task_id = ?"
                " AND status IN ('submitted', 'approved', 'rejected') ORDER BY seq",
                (task.id,),
            ).fetchall()
            if len(rows) >= per_task:
                db.execute("UPDATE tasks SET status = 'completed' WHERE id = ?", (task.id,))
                self._event(
                    db,
                    done.client_id,
                    "task.completed",
                    task_completed_data(task, [_assignment(r) for r in rows]),
                    now=now,
                )
        self._notify_outbox()
        return done

    def _release(
        self, db: sqlite3.Connection, assignment: Assignment, task: Task, status: str, now: float
    ) -> Assignment:
        released = self._set_status(db, assignment, status=status)
        db.execute("UPDATE tasks SET assigned = assigned - 1 WHERE id = ?", (task.id,))
        self._event(
            db,
            released.client_id,
            f"assignment.{status}",
            assignment_data(released, task),
            now=now,
        )
        return released

    async def return_assignment(self, assignment_id: str, *, now: float) -> Assignment:
        with self._tx() as db:
            assignment, task = self._load(db, assignment_id)
            if assignment.status != "accepted":
                raise Conflict(f"this assignment is {assignment.status}", code="assignment_closed")
            returned = self._release(db, assignment, task, "returned", now)
        self._notify_outbox()
        return returned

    async def expire_assignments(self, *, now: float) -> int:
        with self._tx() as db:
            ids = [
                r["id"]
                for r in db.execute(
                    "SELECT id FROM assignments WHERE status = 'accepted' AND deadline < ?",
                    (now,),
                ).fetchall()
            ]
            for assignment_id in ids:
                assignment, task = self._load(db, assignment_id)
                self._release(db, assignment, task, "expired", now)
        if ids:
            self._notify_outbox()
        return len(ids)

    # -- review -----------------------------------------------------------------------------

    async def list_assignments(
        self,
        client_id: str,
        *,
        project_id: str | None,
        status: AssignmentStatus | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Assignment]:
        sql = f"SELECT seq, {_ASSIGNMENT_COLUMNS} FROM assignments WHERE client_id = ? AND seq > ?"
        params: list[Any] = [client_id, _seq(cursor)]
        if project_id is not None:
            sql += " AND project_id = ?"
            params.append(project_id)
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        rows = self._read(sql + " ORDER BY seq LIMIT ?", [*params, limit + 1])
        items = [_assignment(r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def review(
        self, assignment_id: str, *, approve: bool, reason: str | None, now: float
    ) -> Assignment:
        target = "approved" if approve else "rejected"
        with self._tx() as db:
            assignment, task = self._load(db, assignment_id)
            if assignment.status == target:
                return assignment  # repeating a review is harmless
            if assignment.status != "submitted":
                raise Conflict(
                    f"only a submitted assignment can be {target}; this one is {assignment.status}",
                    code="not_reviewable",
                )
            reviewed = self._set_status(
                db, assignment, status=target, reviewed_at=now, reject_reason=reason
            )
            self._event(
                db,
                reviewed.client_id,
                f"assignment.{target}",
                assignment_data(reviewed, task),
                now=now,
            )
        self._notify_outbox()
        return reviewed

    # -- webhooks ---------------------------------------------------------------------------

    async def create_endpoint(self, endpoint: Endpoint) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO endpoints (id, client_id, url, secrets, event_types, status,"
                " created_at) VALUES (?,?,?,?,?,?,?)",
                (
                    endpoint.id,
                    endpoint.client_id,
                    endpoint.url,
                    json.dumps(list(endpoint.secrets)),
                    None if endpoint.event_types is None else json.dumps(endpoint.event_types),
                    endpoint.status,
                    endpoint.created_at,
                ),
            )

    async def get_endpoint(self, endpoint_id: str) -> Endpoint | None:
        rows = self._read("SELECT * FROM endpoints WHERE id = ?", (endpoint_id,))
        return _endpoint(rows[0]) if rows else None

    async def list_endpoints(self, client_id: str) -> list[Endpoint]:
        rows = self._read("SELECT * FROM endpoints WHERE client_id = ? ORDER BY seq", (client_id,))
        return [_endpoint(r) for r in rows]

    async def record_event(
        self, client_id: str, type: str, data: dict[str, Any], *, endpoint_id: str | None = None
    ) -> tuple[Event, list[str]]:
        from ..records import now as clock

        with self._tx() as db:
            recorded = self._event(db, client_id, type, data, now=clock(), endpoint_id=endpoint_id)
        self._notify_outbox()
        return recorded

    async def lease_messages(
        self, *, now: float, limit: int, lease_seconds: float
    ) -> list[Message]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT o.id, o.attempts, o.next_attempt_at, o.status, e.id AS event_id,"
                " e.client_id, e.type, e.created_at, e.data, o.endpoint_id"
                " FROM outbox o JOIN events e ON e.id = o.event_id"
                " WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
                " ORDER BY o.next_attempt_at LIMIT ?",
                (now, limit),
            ).fetchall()
            if not rows:
                return []
            db.executemany(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ?",
                [(now + lease_seconds, r["id"]) for r in rows],
            )
            endpoints = {
                r["endpoint_id"]: _endpoint(
                    db.execute(
                        "SELECT * FROM endpoints WHERE id = ?", (r["endpoint_id"],)
                    ).fetchone()
                )
                for r in rows
            }
        return [
            Message(
                id=r["id"],
                event=Event(
                    id=r["event_id"],
                    client_id=r["client_id"],
                    type=r["type"],
                    created_at=r["created_at"],
                    data=json.loads(r["data"]),
                ),
                endpoint=endpoints[r["endpoint_id"]],
                status=r["status"],
                attempts=r["attempts"],
                next_attempt_at=r["next_attempt_at"],
            )
            for r in rows
        ]

    async def finish_attempt(
        self, attempt: Attempt, outcome: DeliveryOutcome, *, next_attempt_at: float | None
    ) -> None:
        status = {"delivered": "delivered", "retry": "pending", "failed": "failed"}[outcome]
        with self._tx() as db:
            db.execute(
                "INSERT INTO attempts (message_id, at, status_code, latency_ms, response, error)"
                " VALUES (?,?,?,?,?,?)",
                (
                    attempt.message_id,
                    attempt.at,
                    attempt.status_code,
                    attempt.latency_ms,
                    attempt.response,
                    attempt.error,
                ),
            )
            db.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1,"
                " next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?",
                (status, next_attempt_at, attempt.message_id),
            )

    async def list_attempts(self, message_id: str) -> list[Attempt]:
        rows = self._read(
            "SELECT message_id, at, status_code, latency_ms, response, error FROM attempts"
            " WHERE message_id = ? ORDER BY seq",
            (message_id,),
        )
        return [Attempt(**dict(r)) for r in rows]

    async def wait_for_messages(self, seconds: float) -> None:
        signal = self._outbox_signal
        if signal is None:
            await asyncio.sleep(seconds)
            return
        with suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), seconds)
        signal.clear()


def _seq(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        return int(cursor)
    except ValueError:
        from ..errors import InvalidInput

        raise InvalidInput("not a cursor from a previous page", field="cursor") from None
