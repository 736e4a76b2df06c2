"""MTurk compatibility: SigV4 credentials, HIT types, HITs (a HIT is a task plus its question)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, ClassVar

from ..core.errors import Conflict, NotFound
from ..core.page import Page, cursor_seq
from ..core.params import TaskAssignmentsQuery
from ..core.records import Assignment, Project, Task
from ..core.stored import spec_to_json
from ..store.sqlite.base import (
    _ASSIGNMENT_COLUMNS,
    _TASK_COLUMNS,
    SqliteBase,
    _assignment,
    _task,
)
from .records import (
    Hit,
    HitType,
    MTurkCredential,
    QualificationScore,
    QualificationType,
    hit_from,
    hit_type_from,
    qualification_type_from,
    with_auto_grants,
)

__all__ = ["CompatPart"]


def _hit_type(row: sqlite3.Row) -> HitType:
    stored = dict(row)
    return hit_type_from({**json.loads(stored.pop("spec")), **stored})


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"You have already created a QualificationType with this name: {name}",
        field="Name",
        code="name_taken",
    )


class CompatPart(SqliteBase):
    # UpdateHITReviewStatus's flag, on a store made before it
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("mturk_hits", "reviewing", "INTEGER NOT NULL DEFAULT 0"),
    )

    SCHEMA = """
CREATE TABLE IF NOT EXISTS mturk_credentials (
    access_key_id TEXT PRIMARY KEY, client_id TEXT NOT NULL, secret_encrypted TEXT NOT NULL,
    status TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS mturk_hit_types (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, fingerprint TEXT NOT NULL, spec TEXT NOT NULL,
    created_at REAL NOT NULL, UNIQUE (client_id, fingerprint));
CREATE TABLE IF NOT EXISTS mturk_hit_type_projects (
    hit_type_id TEXT NOT NULL, origin TEXT NOT NULL, project_id TEXT NOT NULL,
    PRIMARY KEY (hit_type_id, origin));
CREATE TABLE IF NOT EXISTS mturk_hits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, task_id TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL, hit_type_id TEXT NOT NULL, question TEXT NOT NULL,
    external_url TEXT NOT NULL, frame_height INTEGER NOT NULL, annotation TEXT NOT NULL,
    request_token TEXT, created_at REAL NOT NULL, disposed_at REAL,
    reviewing INTEGER NOT NULL DEFAULT 0, UNIQUE (client_id, request_token));
CREATE INDEX IF NOT EXISTS mturk_hits_by_client ON mturk_hits (client_id, seq);
CREATE INDEX IF NOT EXISTS mturk_hit_type_projects_by_project
    ON mturk_hit_type_projects (project_id);
CREATE TABLE IF NOT EXISTS mturk_qualification_types (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    name TEXT NOT NULL, record TEXT NOT NULL, UNIQUE (client_id, name));
CREATE TABLE IF NOT EXISTS mturk_qualification_scores (
    type_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL, value INTEGER NOT NULL,
    granted_at REAL NOT NULL, PRIMARY KEY (type_id, worker_pseudonym));
"""

    # -- credentials ------------------------------------------------------------------------

    async def create_mturk_credential(self, credential: MTurkCredential) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO mturk_credentials VALUES (?,?,?,?,?)",
                (
                    credential.access_key_id,
                    credential.client_id,
                    credential.secret_encrypted,
                    credential.status,
                    credential.created_at,
                ),
            )

    async def get_mturk_credential(self, access_key_id: str) -> MTurkCredential | None:
        rows = self._read(
            "SELECT * FROM mturk_credentials WHERE access_key_id = ?", (access_key_id,)
        )
        return MTurkCredential(**dict(rows[0])) if rows else None

    async def revoke_mturk_credential(self, access_key_id: str) -> bool:
        with self._tx() as db:
            done = db.execute(
                "UPDATE mturk_credentials SET status = 'revoked' WHERE access_key_id = ?"
                " AND status = 'active'",
                (access_key_id,),
            )
            return done.rowcount > 0

    # -- HIT types --------------------------------------------------------------------------

    async def hit_type_for(self, hit_type: HitType) -> HitType:
        spec = {
            "title": hit_type.title,
            "description": hit_type.description,
            "keywords": hit_type.keywords,
            "reward_cents": hit_type.reward_cents,
            "assignment_duration": hit_type.assignment_duration,
            "auto_approve_delay": hit_type.auto_approve_delay,
            "countries": list(hit_type.countries),
            "excluded_countries": list(hit_type.excluded_countries),
            "requirements": hit_type.requirements,
        }
        with self._tx() as db:
            db.execute(
                "INSERT INTO mturk_hit_types VALUES (?,?,?,?,?)"
                " ON CONFLICT (client_id, fingerprint) DO NOTHING",
                (
                    hit_type.id,
                    hit_type.client_id,
                    hit_type.fingerprint,
                    json.dumps(spec),
                    hit_type.created_at,
                ),
            )
            row = db.execute(
                "SELECT * FROM mturk_hit_types WHERE client_id = ? AND fingerprint = ?",
                (hit_type.client_id, hit_type.fingerprint),
            ).fetchone()
        return _hit_type(row)

    async def get_hit_type(self, hit_type_id: str) -> HitType | None:
        rows = self._read("SELECT * FROM mturk_hit_types WHERE id = ?", (hit_type_id,))
        return _hit_type(rows[0]) if rows else None

    async def hit_type_project(self, hit_type_id: str, origin: str, project: Project) -> Project:
        with self._tx() as db:
            row = db.execute(
                "SELECT project_id FROM mturk_hit_type_projects"
                " WHERE hit_type_id = ? AND origin = ?",
                (hit_type_id, origin),
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO projects (id, client_id, status, created_at, spec)"
                    " VALUES (?,?,?,?,?)",
                    (
                        project.id,
                        project.client_id,
                        project.status,
                        project.created_at,
                        spec_to_json(project.spec),
                    ),
                )
                db.execute(
                    "INSERT INTO mturk_hit_type_projects VALUES (?,?,?)",
                    (hit_type_id, origin, project.id),
                )
                project_id = project.id
            else:
                project_id = row["project_id"]
            return self._project(
                db, db.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchone()
            )

    # -- HITs -------------------------------------------------------------------------------

    def _hit(self, db: sqlite3.Connection, row: sqlite3.Row) -> Hit:
        task_row = db.execute(
            f"SELECT {_TASK_COLUMNS}, per_task FROM tasks WHERE id = ?", (row["task_id"],)
        ).fetchone()
        counts = db.execute(
            "SELECT COALESCE(SUM(status = 'accepted'), 0) AS pending,"
            " COALESCE(SUM(status = 'submitted'), 0) AS submitted,"
            " COALESCE(SUM(status IN ('approved', 'rejected')), 0) AS reviewed"
            " FROM assignments WHERE task_id = ?",
            (row["task_id"],),
        ).fetchone()
        return hit_from(_task(task_row), dict(row), task_row["per_task"], tuple(counts))

    async def create_hit(self, hit: Hit, unique_request_token: str | None) -> Hit:
        task = hit.task
        with self._tx() as db:
            if unique_request_token is not None:
                seen = db.execute(
                    "SELECT task_id FROM mturk_hits WHERE client_id = ? AND request_token = ?",
                    (hit.client_id, unique_request_token),
                ).fetchone()
                if seen is not None:
                    raise Conflict(
                        f"a HIT with this UniqueRequestToken exists: {seen['task_id']}",
                        field="UniqueRequestToken",
                        code="hit_exists",
                    )
            db.execute(
                "INSERT INTO tasks (id, project_id, external_id, input, status, per_task,"
                " created_at, expires_at) VALUES (?,?,?,?,?,?,?,?)",
                (
                    task.id,
                    task.project_id,
                    task.external_id,
                    json.dumps(task.input),
                    task.status,
                    hit.max_assignments,
                    task.created_at,
                    task.expires_at,
                ),
            )
            db.execute(
                "INSERT INTO mturk_hits (task_id, client_id, hit_type_id, question, external_url,"
                " frame_height, annotation, request_token, created_at)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    task.id,
                    hit.client_id,
                    hit.hit_type_id,
                    hit.question,
                    hit.external_url,
                    hit.frame_height,
                    hit.annotation,
                    unique_request_token,
                    hit.created_at,
                ),
            )
        return hit

    async def get_hit(self, task_id: str) -> Hit | None:
        with self._lock:
            rows = self._read("SELECT * FROM mturk_hits WHERE task_id = ?", (task_id,))
            return self._hit(self._conn(), rows[0]) if rows else None

    async def list_hits(self, client_id: str, *, cursor: str | None, limit: int) -> Page[Hit]:
        with self._lock:
            rows = self._read(
                "SELECT * FROM mturk_hits WHERE client_id = ? AND disposed_at IS NULL"
                " AND seq > ? ORDER BY seq LIMIT ?",
                (client_id, cursor_seq(cursor), limit + 1),
            )
            items = [self._hit(self._conn(), r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def dispose_hit(self, task_id: str, *, now: float) -> Hit:
        with self._tx() as db:
            row = db.execute("SELECT * FROM mturk_hits WHERE task_id = ?", (task_id,)).fetchone()
            if row is None:
                raise NotFound("no such HIT", field="HITId")
            hit = self._hit(db, row)
            if hit.disposed:
                return hit  # deleting twice is harmless
            open_for_work = hit.task.status == "open" and hit.task.expires_at > now
            if open_for_work or hit.pending or hit.submitted:
                raise Conflict(
                    "only a HIT that has expired or is complete, with every submitted assignment"
                    " approved or rejected, can be deleted",
                    field="HITId",
                    code="hit_not_disposable",
                )
            db.execute("UPDATE mturk_hits SET disposed_at = ? WHERE task_id = ?", (now, task_id))
            return self._hit(
                db, db.execute("SELECT * FROM mturk_hits WHERE task_id = ?", (task_id,)).fetchone()
            )

    async def add_hit_assignments(self, task_id: str, more: int, *, now: float) -> None:
        with self._tx() as db:
            row = db.execute("SELECT status FROM tasks WHERE id = ?", (task_id,)).fetchone()
            if row is None:
                raise NotFound("no such HIT", field="HITId")
            if row["status"] == "cancelled":
                raise Conflict("this HIT was cancelled", field="HITId", code="task_cancelled")
            # the pool's triggers put the task back (work/sqlite_pool.py)
            db.execute(
                "UPDATE tasks SET per_task = per_task + ?, status = 'open' WHERE id = ?",
                (more, task_id),
            )

    async def set_hit_reviewing(self, task_id: str, reviewing: bool) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE mturk_hits SET reviewing = ? WHERE task_id = ?", (int(reviewing), task_id)
            )

    async def project_requirements(self, client_id: str, project_id: str) -> list[dict[str, Any]]:
        rows = self._read(
            "SELECT t.spec FROM mturk_hit_type_projects p"
            " JOIN mturk_hit_types t ON t.id = p.hit_type_id WHERE p.project_id = ?",
            (project_id,),
        )
        return list(json.loads(rows[0]["spec"])["requirements"]) if rows else []

    # -- qualification types ----------------------------------------------------------------

    async def create_qualification_type(self, qualification: QualificationType) -> None:
        with self._tx() as db:
            try:
                db.execute(
                    "INSERT INTO mturk_qualification_types (id, client_id, name, record)"
                    " VALUES (?,?,?,?)",
                    (
                        qualification.id,
                        qualification.client_id,
                        qualification.name,
                        json.dumps(asdict(qualification)),
                    ),
                )
            except sqlite3.IntegrityError:
                raise _name_taken(qualification.name) from None

    async def get_qualification_type(
        self, client_id: str, type_id: str
    ) -> QualificationType | None:
        rows = self._read(
            "SELECT record FROM mturk_qualification_types WHERE id = ? AND client_id = ?",
            (type_id, client_id),
        )
        return qualification_type_from(rows[0]["record"]) if rows else None

    async def list_qualification_types(self, client_id: str) -> list[QualificationType]:
        rows = self._read(
            "SELECT record FROM mturk_qualification_types WHERE client_id = ? ORDER BY seq",
            (client_id,),
        )
        return [qualification_type_from(r["record"]) for r in rows]

    async def update_qualification_type(self, qualification: QualificationType) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE mturk_qualification_types SET record = ? WHERE id = ? AND client_id = ?",
                (json.dumps(asdict(qualification)), qualification.id, qualification.client_id),
            )
            if qualification.status == "Disposing":
                db.execute(
                    "DELETE FROM mturk_qualification_scores WHERE type_id = ?",
                    (qualification.id,),
                )

    async def set_qualification_score(self, client_id: str, score: QualificationScore) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO mturk_qualification_scores VALUES (?,?,?,?)"
                " ON CONFLICT (type_id, worker_pseudonym)"
                " DO UPDATE SET value = excluded.value, granted_at = excluded.granted_at",
                (score.type_id, score.worker_pseudonym, score.value, score.granted_at),
            )

    async def remove_qualification_score(
        self, client_id: str, type_id: str, worker_pseudonym: str
    ) -> bool:
        with self._tx() as db:
            done = db.execute(
                "DELETE FROM mturk_qualification_scores WHERE type_id = ? AND worker_pseudonym = ?",
                (type_id, worker_pseudonym),
            )
            return done.rowcount > 0

    async def qualification_scores(self, client_id: str, type_id: str) -> list[QualificationScore]:
        rows = self._read(
            "SELECT * FROM mturk_qualification_scores WHERE type_id = ? ORDER BY worker_pseudonym",
            (type_id,),
        )
        return [QualificationScore(**dict(r)) for r in rows]

    async def qualification_score(
        self, client_id: str, type_id: str, worker_pseudonym: str
    ) -> QualificationScore | None:
        rows = self._read(
            "SELECT * FROM mturk_qualification_scores WHERE type_id = ? AND worker_pseudonym = ?",
            (type_id, worker_pseudonym),
        )
        return QualificationScore(**dict(rows[0])) if rows else None

    async def worker_scores(
        self, client_id: str, worker_pseudonym: str, type_ids: Sequence[str]
    ) -> dict[str, int]:
        rows = self._read(
            "SELECT type_id, value FROM mturk_qualification_scores WHERE worker_pseudonym = ?"
            " AND type_id IN (SELECT value FROM json_each(?))",
            (worker_pseudonym, json.dumps(list(type_ids))),
        )
        held = {r["type_id"]: int(r["value"]) for r in rows}
        types = [await self.get_qualification_type(client_id, t) for t in type_ids]
        return with_auto_grants(held, types)

    # -- tasks, as HITs need them -----------------------------------------------------------

    async def set_task_expiry(
        self, task_id: str, expires_at: float, *, reopen: bool = False
    ) -> Task:
        with self._tx() as db:
            # a lapsed task comes back into its pool with a new lifetime (work/sqlite_pool.py);
            # one the sweep expired is open again when asked (mturk/hits.py decides)
            db.execute(
                "UPDATE tasks SET expires_at = ?, lapsed = 0, status = CASE WHEN ?"
                " AND status = 'expired' THEN 'open' ELSE status END WHERE id = ?",
                (expires_at, reopen, task_id),
            )
            row = db.execute(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (task_id,))
            found = row.fetchone()
            if found is None:
                raise NotFound("no such task", field="task_id")
            return _task(found)

    async def list_task_assignments(
        self, task_id: str, query: TaskAssignmentsQuery
    ) -> Page[Assignment]:
        limit = query.limit
        params: list[Any] = [task_id, cursor_seq(query.cursor), json.dumps(list(query.statuses))]
        rows = self._read(
            f"SELECT seq, {_ASSIGNMENT_COLUMNS} FROM assignments WHERE task_id = ? AND seq > ?"
            " AND status IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?",
            [*params, limit + 1],
        )
        items = [_assignment(r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)
