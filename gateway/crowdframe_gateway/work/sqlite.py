"""Assignments: claims, submissions, returns, expiry, review (leases and task lifetimes:
sqlite_lifetimes.py)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from itertools import islice
from typing import Any, ClassVar

from ..core.agreement import aggregate, needs_another_answer
from ..core.errors import Conflict
from ..core.events import assignment_data, task_completed_data
from ..core.page import Page, cursor_seq
from ..core.params import AssignmentQuery, Claim, ReviewDecision, Submission
from ..core.records import Assignment, Project, ProjectSpec, Task, hour_of, new_id
from ..core.stored import spec_from_json
from ..quality.sqlite import AttemptRecordPart, GoldRecordPart
from ..store.sqlite.base import (
    _ASSIGNMENT_COLUMNS,
    _FINAL_STATUSES,
    _assignment,
    _task,
)
from .rules import (
    TASK_LIST_PAGE,
    assignment_deadline,
    claim_pools,
    one_question_at_a_time,
    task_list_full,
    task_list_page,
    task_list_scan,
)
from .sqlite_lifetimes import LifetimePart
from .sqlite_pool import PoolPart

__all__ = ["WorkPart"]


class WorkPart(PoolPart, LifetimePart, GoldRecordPart, AttemptRecordPart):
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("assignments", "signals", "TEXT"),
        ("assignments", "ip_hash", "TEXT"),
    )
    # A client's listings (and the results export) range on ``seq`` in an index for each
    # filter list_assignments takes, so a page reads its own rows and no others: the client's
    # (client_id, seq), one project's, one project's in one status; one status across projects
    # is assignments_by_client. Submissions with a signal (few) have their own two, which the
    # signal filter names (_FLAGGED is their condition, stated in the query as it is here).
    _FLAGGED = "signals != '[]'"
    ADDED_INDEXES: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS assignments_by_client_seq ON assignments (client_id, seq)",
        "CREATE INDEX IF NOT EXISTS assignments_by_project"
        " ON assignments (client_id, project_id, seq)",
        "CREATE INDEX IF NOT EXISTS assignments_by_project_status"
        " ON assignments (client_id, project_id, status, seq)",
        "CREATE INDEX IF NOT EXISTS assignments_flagged ON assignments (client_id, seq)"
        f" WHERE {_FLAGGED}",
        "CREATE INDEX IF NOT EXISTS assignments_flagged_by_project"
        f" ON assignments (client_id, project_id, seq) WHERE {_FLAGGED}",
        "DROP INDEX IF EXISTS assignments_by_address",  # address_workers answers instead
        # the task list walks the active projects only, in creation order (open_projects)
        "CREATE INDEX IF NOT EXISTS projects_active ON projects (seq) WHERE status = 'active'",
    )
    # every worker's submit counts the others on its address (quality/process.py's
    # shared_address signal): the workers who submitted to a project from an address, one row
    # each, written by the submit; a file from before it is filled from its assignments
    ADDED_TABLES: ClassVar[tuple[tuple[str, str, str], ...]] = (
        (
            "address_workers",
            "CREATE TABLE address_workers (project_id TEXT NOT NULL, ip_hash TEXT NOT NULL,"
            " worker_id TEXT NOT NULL, PRIMARY KEY (project_id, ip_hash, worker_id))"
            " WITHOUT ROWID",
            "INSERT OR IGNORE INTO address_workers SELECT project_id, ip_hash, worker_id"
            " FROM assignments WHERE ip_hash IS NOT NULL",
        ),
    )

    SCHEMA = """
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
"""

    # -- work -------------------------------------------------------------------------------

    _LIVE_HERE = (
        "SELECT 1 FROM assignments WHERE project_id = :project AND worker_id = :worker"
        " AND status = 'accepted' AND deadline > :now LIMIT 1"
    )

    async def open_projects(
        self, worker_id: str, *, now: float, after: str | None = None, limit: int = TASK_LIST_PAGE
    ) -> Page[tuple[Project, int]]:
        scan = task_list_scan(limit)
        with self._lock:
            db = self._conn()
            counted: list[tuple[sqlite3.Row, int, int]] = []
            with closing(  # rows read as the walk goes: it often stops long before the last
                db.execute(
                    "SELECT * FROM projects WHERE status = 'active' AND seq > ?"
                    " ORDER BY seq LIMIT ?",
                    (cursor_seq(after, field="after"), scan + 1),
                )
            ) as rows:
                examined = islice(rows, scan)
                while chunk := list(islice(examined, limit)):  # a page's worth at a time
                    counted += [
                        (row, row["seq"], self._available(db, row["id"], worker_id, now))
                        for row in chunk
                    ]
                    if task_list_full(counted, limit):
                        break
                more = rows.fetchone() is not None
            page = task_list_page(counted, limit=limit, more=more)
            items = [(self._project(db, row), available) for row, available in page.items]
        return Page(items, page.next_cursor)

    async def peek_task(self, project_id: str, worker_id: str, *, now: float) -> Task | None:
        with self._lock:
            db = self._conn()
            active = db.execute(
                "SELECT 1 FROM projects WHERE id = ? AND status = 'active'", (project_id,)
            ).fetchone()
            if active is None:
                return None
            look = self._first(db, "work", project_id, worker_id, now)
            if look.back > look.was:  # what it passed over, it need not pass again
                with self._tx() as tx:
                    self._advance(tx, "work", project_id, worker_id, replace(look, row=None))
            return None if look.row is None else _task(look.row)

    async def claim(self, claim: Claim, *, now: float) -> Assignment | None:
        project_id, worker_id = claim.project_id, claim.worker_id
        with self._tx() as db:
            project = db.execute(
                "SELECT client_id, status, spec FROM projects WHERE id = ?", (project_id,)
            ).fetchone()
            if project is None or project["status"] != "active":
                return None
            spec = spec_from_json(project["spec"])
            params = {"project": project_id, "now": now, "worker": worker_id}
            if one_question_at_a_time(spec.kind) and db.execute(self._LIVE_HERE, params).fetchone():
                return None  # one question at a time: a second tab gets none
            self._lapse(db, project_id, now)
            # an assessment attempt's own order first (quality.rules.attempt_questions)
            row = self._chosen(db, project_id, worker_id, claim.questions, now)
            for pool in claim_pools(gold_first=claim.gold) if row is None else ():
                look = self._first(db, pool, project_id, worker_id, now)
                self._advance(db, pool, project_id, worker_id, look)
                if (row := look.row) is not None:
                    break
            if row is None:
                return None
            task = _task(row)
            assignment = Assignment(
                id=new_id("asg"),
                task_id=task.id,
                project_id=project_id,
                client_id=project["client_id"],
                worker_id=worker_id,
                worker_pseudonym=claim.worker_pseudonym,
                external_id=task.external_id,
                status="accepted",
                accepted_at=now,
                deadline=assignment_deadline(now, spec.assignment_duration, task.expires_at),
            )
            db.execute(
                f"INSERT INTO assignments ({_ASSIGNMENT_COLUMNS}) VALUES"
                " (?,?,?,?,?,?,?,?,?,?,NULL,NULL,NULL,NULL,NULL)",
                (
                    assignment.id,
                    task.id,
                    project_id,
                    assignment.client_id,
                    worker_id,
                    claim.worker_pseudonym,
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

    async def submit(self, assignment_id: str, submission: Submission, *, now: float) -> Assignment:
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
                db,
                assignment,
                status="submitted",
                submitted_at=now,
                result=submission.result,
                signals=list(submission.signals),
                ip_hash=submission.ip_hash,
            )
            db.execute(  # the project's submissions per hour (review/sqlite.py, its charts)
                "INSERT INTO submission_hours VALUES (?,?,1)"
                " ON CONFLICT (project_id, hour) DO UPDATE SET count = count + 1",
                (done.project_id, hour_of(now)),
            )
            if submission.ip_hash is not None:
                db.execute(
                    "INSERT OR IGNORE INTO address_workers VALUES (?,?,?)",
                    (done.project_id, submission.ip_hash, done.worker_id),
                )
            self._event(
                db, done.client_id, "assignment.submitted", assignment_data(done, task), now=now
            )
            if submission.gold is not None:
                self._count_gold(db, done, submission.gold, now)
            if submission.attempt is not None:
                self._count_attempt(db, done, submission.attempt, now)
            row = db.execute(
                "SELECT t.per_task, p.spec FROM tasks t JOIN projects p ON p.id = t.project_id"
                " WHERE t.id = ?",
                (task.id,),
            ).fetchone()
            per_task, spec = row["per_task"], spec_from_json(row["spec"])
            if task.gold is None and spec.crowd_review is not None:  # crowd_review.py
                db.execute(
                    "INSERT OR IGNORE INTO crowd_review_queue VALUES (?,?,?)",
                    (done.id, done.project_id, now),
                )
            rows = db.execute(
                f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE task_id = ?"
                " AND status IN ('submitted', 'approved', 'rejected') ORDER BY seq",
                (task.id,),
            ).fetchall()
            if task.gold is None and task.status == "open" and len(rows) >= per_task:
                self._finish_task(db, task, spec, [_assignment(r) for r in rows], now)
        self._notify_outbox()
        return done

    def _finish_task(
        self,
        db: sqlite3.Connection,
        task: Task,
        spec: ProjectSpec,
        submissions: list[Assignment],
        now: float,
    ) -> None:
        """All answers are in: complete the task, or ask one more worker when they disagree."""
        summary = aggregate([a.result for a in submissions])
        more = needs_another_answer(
            summary, len(submissions), agreement_min=spec.agreement_min, most=spec.assignments_max
        )
        if more:
            db.execute("UPDATE tasks SET per_task = per_task + 1 WHERE id = ?", (task.id,))
            return
        db.execute("UPDATE tasks SET status = 'completed' WHERE id = ?", (task.id,))
        self._event(
            db,
            submissions[0].client_id,
            "task.completed",
            task_completed_data(task, submissions),
            now=now,
        )
        self._announce_if_finished(db, submissions[0].client_id, task, now)

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

    async def list_assignments(self, client_id: str, query: AssignmentQuery) -> Page[Assignment]:
        # which index ranges on seq for these filters: see ADDED_INDEXES
        if query.signal is None:
            source = "assignments"
        elif query.project_id is None:
            source = "assignments INDEXED BY assignments_flagged"
        else:
            source = "assignments INDEXED BY assignments_flagged_by_project"
        sql = f"SELECT seq, {_ASSIGNMENT_COLUMNS} FROM {source} WHERE client_id = ? AND seq > ?"
        params: list[Any] = [client_id, cursor_seq(query.cursor)]
        if query.project_id is not None:
            sql += " AND project_id = ?"
            params.append(query.project_id)
        if query.status is not None:
            sql += " AND status = ?"
            params.append(query.status)
        if query.signal is not None:
            sql += f" AND {self._FLAGGED} AND signals LIKE ?"
            params.append(f'%"{query.signal}"%')
        limit = query.limit
        rows = self._read(sql + " ORDER BY seq LIMIT ?", [*params, limit + 1])
        items = [_assignment(r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def review(
        self, assignment_id: str, decision: ReviewDecision, *, now: float
    ) -> Assignment:
        target = "approved" if decision.approve else "rejected"
        with self._tx() as db:
            assignment, task = self._load(db, assignment_id)
            if assignment.status == target:
                return assignment  # repeating a review is harmless
            overturning = decision.overturn and assignment.status == "rejected"
            if assignment.status != "submitted" and not overturning:
                raise Conflict(
                    f"only a submitted assignment can be {target}; this one is {assignment.status}",
                    code="not_reviewable",
                )
            reviewed = self._set_status(
                db, assignment, status=target, reviewed_at=now, reject_reason=decision.reason
            )
            self._event(
                db,
                reviewed.client_id,
                f"assignment.{target}",
                {**assignment_data(reviewed, task), **(decision.event_extra or {})},
                now=now,
            )
        self._notify_outbox()
        return reviewed

    # -- what the quality process reads -------------------------------------------------------

    async def worker_history(
        self, project_id: str, worker_id: str, *, limit: int
    ) -> list[dict[str, Any]]:
        """The worker's latest submitted results in the project, newest first."""
        rows = self._read(
            "SELECT result FROM assignments WHERE project_id = ? AND worker_id = ?"
            " AND status IN ('submitted', 'approved', 'rejected') ORDER BY seq DESC LIMIT ?",
            (project_id, worker_id, limit),
        )
        return [json.loads(r["result"]) for r in rows]

    async def workers_on_ip(self, project_id: str, ip_hash: str, *, other_than: str) -> int:
        """How many other workers submitted to the project from the same address (as many rows
        read as there are workers on it, however often each submitted)."""
        rows = self._read(
            "SELECT COUNT(*) AS n FROM address_workers WHERE project_id = ?"
            " AND ip_hash = ? AND worker_id != ?",
            (project_id, ip_hash, other_than),
        )
        return int(rows[0]["n"])

    async def work_seconds(self, project_id: str, *, limit: int) -> list[float]:
        """Seconds from accept to submit of the project's latest submissions."""
        rows = self._read(  # the project's client too: assignments_by_project, not a scan
            "SELECT submitted_at - accepted_at AS seconds FROM assignments"
            " WHERE client_id = (SELECT client_id FROM projects WHERE id = ?)"
            " AND project_id = ? AND submitted_at IS NOT NULL ORDER BY seq DESC LIMIT ?",
            (project_id, project_id, limit),
        )
        return [float(r["seconds"]) for r in rows]

    # which gold questions of an assessment the worker may still be given
    def _unseen(self, db: sqlite3.Connection, project_id: str, worker_id: str, now: float) -> int:
        return self._available(db, project_id, worker_id, now, "gold")

    async def unseen_questions(self, project_id: str, worker_id: str, *, now: float) -> int:
        with self._lock:
            return self._unseen(self._conn(), project_id, worker_id, now)

    async def unseen_question_ids(
        self, project_id: str, worker_id: str, *, now: float, limit: int
    ) -> list[str]:
        with self._lock:
            return self._unseen_ids(self._conn(), project_id, worker_id, now, limit)
