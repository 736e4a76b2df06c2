"""The quality context on SQLite: workers' gold records (counted by a submission in its own
transaction, ``GoldRecordPart``, which the work part builds on), clients' block lists,
auto-approval, and assessments (attempts and the qualifications they grant; an answer is
counted in its attempt by the submission's own transaction too, ``AttemptRecordPart``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from ..core.errors import Conflict
from ..core.events import assignment_data, attempt_data, attempt_event_type, worker_stopped_data
from ..core.page import Page, cursor_seq
from ..core.params import AttemptGrade, GoldGrade
from ..core.records import AssessmentAttempt, Assignment, Block, GoldStats, Qualification
from ..core.stored import ATTEMPT, GOLD_STATS, QUALIFICATION
from ..store.sqlite.base import _ASSIGNMENT_COLUMNS, SqliteBase
from .rules import attempt_outcome, attempt_state, block_scopes
from .store import AttemptRequest, AttemptStart

__all__ = ["AssessmentsPart", "AttemptRecordPart", "GoldRecordPart", "QualityPart"]


_LATEST = "SELECT * FROM assessment_attempts WHERE project_id = ? AND worker_id = ?"


_attempt = ATTEMPT.from_row
_qualification = QUALIFICATION.from_row
_gold = GOLD_STATS.from_row


def _latest_row(db: sqlite3.Connection, project_id: str, worker_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        _LATEST + " ORDER BY number DESC LIMIT 1", (project_id, worker_id)
    ).fetchone()
    return row


class AssessmentsPart(SqliteBase):
    # an attempt's questions in its order (JSON); an attempt from before them has none
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("assessment_attempts", "questions", "TEXT"),
    )

    if TYPE_CHECKING:  # the work context's, beside this part in the composed store

        def _unseen(
            self, db: sqlite3.Connection, project_id: str, worker_id: str, now: float
        ) -> int: ...

    SCHEMA = """
CREATE TABLE IF NOT EXISTS assessment_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, worker_id TEXT NOT NULL,
    worker_pseudonym TEXT NOT NULL, number INTEGER NOT NULL, test_size INTEGER NOT NULL,
    started_at REAL NOT NULL, answered INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0, finished_at REAL, passed INTEGER, questions TEXT,
    UNIQUE (project_id, worker_id, number));
CREATE TABLE IF NOT EXISTS qualifications (
    assessment_id TEXT NOT NULL, worker_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL,
    score REAL NOT NULL, granted_at REAL NOT NULL, PRIMARY KEY (assessment_id, worker_id));
"""

    async def start_attempt(self, request: AttemptRequest, *, now: float) -> AttemptStart:
        project_id, worker_id, test_size = request.project_id, request.worker_id, request.test_size
        with self._tx() as db:
            held = db.execute(
                "SELECT 1 FROM qualifications WHERE assessment_id = ? AND worker_id = ?",
                (project_id, worker_id),
            ).fetchone()
            row = _latest_row(db, project_id, worker_id)
            latest = None if row is None else _attempt(row)
            state = attempt_state(
                held=held is not None,
                latest=latest,
                unseen=self._unseen(db, project_id, worker_id, now),
                test_size=test_size,
                retry_after=request.retry_after,
                now=now,
            )
            if state != "start":
                return AttemptStart(state, latest)
            number = 1 if latest is None else latest.number + 1
            db.execute(
                "INSERT INTO assessment_attempts (project_id, worker_id, worker_pseudonym,"
                " number, test_size, started_at, questions) VALUES (?,?,?,?,?,?,?)",
                (
                    project_id,
                    worker_id,
                    request.worker_pseudonym,
                    number,
                    test_size,
                    now,
                    json.dumps(list(request.questions)),
                ),
            )
            started = AssessmentAttempt(
                project_id,
                worker_id,
                request.worker_pseudonym,
                number,
                test_size,
                now,
                questions=request.questions,
            )
        return AttemptStart("open", started)

    async def latest_attempt(self, project_id: str, worker_id: str) -> AssessmentAttempt | None:
        rows = self._read(_LATEST + " ORDER BY number DESC LIMIT 1", (project_id, worker_id))
        return _attempt(rows[0]) if rows else None

    async def held_qualifications(self, worker_id: str, assessment_ids: Sequence[str]) -> set[str]:
        if not assessment_ids:
            return set()
        marks = ",".join("?" * len(assessment_ids))
        rows = self._read(
            f"SELECT assessment_id FROM qualifications WHERE worker_id = ?"
            f" AND assessment_id IN ({marks})",
            (worker_id, *assessment_ids),
        )
        return {r["assessment_id"] for r in rows}

    async def list_assessment_attempts(
        self, project_id: str, *, cursor: str | None, limit: int
    ) -> Page[AssessmentAttempt]:
        rows = self._read(
            "SELECT * FROM assessment_attempts WHERE project_id = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (project_id, cursor_seq(cursor), limit + 1),
        )
        items = [_attempt(r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def get_qualification(self, assessment_id: str, worker_id: str) -> Qualification | None:
        rows = self._read(
            "SELECT * FROM qualifications WHERE assessment_id = ? AND worker_id = ?",
            (assessment_id, worker_id),
        )
        return _qualification(rows[0]) if rows else None

    async def revoke_qualification(self, assessment_id: str, worker_pseudonym: str) -> bool:
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM qualifications WHERE assessment_id = ? AND worker_pseudonym = ?",
                (assessment_id, worker_pseudonym),
            ).rowcount
        return gone > 0


class QualityPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS gold_stats (
    project_id TEXT NOT NULL, worker_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL,
    answered INTEGER NOT NULL, correct INTEGER NOT NULL, stopped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, worker_id));
CREATE TABLE IF NOT EXISTS blocks (
    client_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL, project_id TEXT NOT NULL,
    reason TEXT NOT NULL, created_at REAL NOT NULL,
    PRIMARY KEY (client_id, worker_pseudonym, project_id));
"""

    async def gold_stats(self, project_id: str) -> list[GoldStats]:
        rows = self._read(
            "SELECT * FROM gold_stats WHERE project_id = ? ORDER BY answered DESC", (project_id,)
        )
        return [_gold(r) for r in rows]

    async def gold_record(self, project_id: str, worker_id: str) -> GoldStats | None:
        rows = self._read(
            "SELECT * FROM gold_stats WHERE project_id = ? AND worker_id = ?",
            (project_id, worker_id),
        )
        return _gold(rows[0]) if rows else None

    async def block(self, block: Block) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO blocks VALUES (?,?,?,?,?)",
                (
                    block.client_id,
                    block.worker_pseudonym,
                    block.project_id,
                    block.reason,
                    block.created_at,
                ),
            )

    async def unblock(self, client_id: str, worker_pseudonym: str, project_id: str) -> bool:
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM blocks WHERE client_id = ? AND worker_pseudonym = ?"
                " AND project_id = ?",
                (client_id, worker_pseudonym, project_id),
            ).rowcount
        return gone > 0

    async def list_blocks(self, client_id: str) -> list[Block]:
        rows = self._read(
            "SELECT * FROM blocks WHERE client_id = ? ORDER BY created_at", (client_id,)
        )
        return [Block(**dict(r)) for r in rows]

    async def is_blocked(
        self, client_id: str, worker_id: str, worker_pseudonym: str, project_id: str
    ) -> bool:
        """Blocked by the client (from this project or all of them), or stopped on gold."""
        rows = self._read(
            "SELECT 1 FROM blocks WHERE client_id = ? AND worker_pseudonym = ?"
            " AND project_id IN (?, ?) UNION ALL SELECT 1 FROM gold_stats"
            " WHERE project_id = ? AND worker_id = ? AND stopped = 1 LIMIT 1",
            (client_id, worker_pseudonym, *block_scopes(project_id), project_id, worker_id),
        )
        return bool(rows)

    async def auto_approve(self, *, now: float) -> list[Assignment]:
        """Approve every submission its project's auto-approve delay has passed for (the
        query states ``rules.approval_due``, as approve.lua does: the same cases hold both)."""
        with self._tx() as db:
            rows = db.execute(
                f"SELECT {', '.join('a.' + c for c in _ASSIGNMENT_COLUMNS.split(', '))}"
                " FROM assignments a JOIN projects p ON p.id = a.project_id"
                " WHERE a.status = 'submitted'"
                " AND a.submitted_at + json_extract(p.spec, '$.auto_approve_delay') <= ?",
                (now,),
            ).fetchall()
            approved_all = []
            for row in rows:
                assignment, task = self._load(db, row["id"])
                approved = self._set_status(db, assignment, status="approved", reviewed_at=now)
                approved_all.append(approved)
                self._event(
                    db,
                    approved.client_id,
                    "assignment.approved",
                    {**assignment_data(approved, task), "auto_approved": True},
                    now=now,
                )
        if rows:
            self._notify_outbox()
        return approved_all


class GoldRecordPart(SqliteBase):
    def _count_gold(
        self, db: sqlite3.Connection, answer: Assignment, grade: GoldGrade, now: float
    ) -> bool:
        """Count one graded gold answer as ``grade`` decided it; True when it stopped the
        worker (then with its ``worker.stopped`` event). The caller's transaction commits it."""
        key = (answer.project_id, answer.worker_id)
        row = db.execute(
            "SELECT answered, correct, stopped FROM gold_stats"
            " WHERE project_id = ? AND worker_id = ?",
            key,
        ).fetchone()
        if (0 if row is None else row["answered"]) != grade.seen:
            raise Conflict("the worker's gold record changed meanwhile", code="gold_record_changed")
        db.execute(
            "INSERT INTO gold_stats VALUES (?,?,?,1,?,?) ON CONFLICT (project_id, worker_id)"
            " DO UPDATE SET answered = answered + 1, correct = correct + excluded.correct,"
            " stopped = MAX(stopped, excluded.stopped)",
            (*key, answer.worker_pseudonym, int(grade.correct), int(grade.stop)),
        )
        if not grade.stop or (row is not None and row["stopped"]):
            return False
        correct = (0 if row is None else row["correct"]) + int(grade.correct)
        self._event(
            db,
            answer.client_id,
            "worker.stopped",
            worker_stopped_data(
                answer.project_id, answer.worker_pseudonym, grade.seen + 1, correct
            ),
            now=now,
        )
        return True


class AttemptRecordPart(SqliteBase):
    def _count_attempt(
        self, db: sqlite3.Connection, answer: Assignment, grade: AttemptGrade, now: float
    ) -> None:
        """Count one graded answer in the worker's open attempt (none open: it counts for
        nothing). The attempt's last answer ends it, as ``quality.rules.attempt_outcome``
        decides with the attempt as it is in this transaction (it ends once): passed with at
        least ``grade.needed`` right, which grants the qualification (once), and its event.
        The caller's transaction commits it."""
        project_id, worker_id = answer.project_id, answer.worker_id
        row = _latest_row(db, project_id, worker_id)
        if row is None or row["finished_at"] is not None:
            return
        answered, right = row["answered"] + 1, row["correct"] + int(grade.correct)
        passed = attempt_outcome(
            answered=answered, correct=right, test_size=row["test_size"], needed=grade.needed
        )
        db.execute(
            "UPDATE assessment_attempts SET answered = ?, correct = ?, finished_at = ?,"
            " passed = ? WHERE seq = ?",
            (answered, right, None if passed is None else now,
             None if passed is None else int(passed), row["seq"]),
        )  # fmt: skip
        if passed is None:
            return
        attempt = _attempt(db.execute(
            "SELECT * FROM assessment_attempts WHERE seq = ?", (row["seq"],)
        ).fetchone())  # fmt: skip
        if passed:
            db.execute(
                "INSERT OR IGNORE INTO qualifications VALUES (?,?,?,?,?)",
                (project_id, worker_id, attempt.worker_pseudonym, attempt.score, now),
            )
        self._event(
            db, answer.client_id, attempt_event_type(attempt), attempt_data(attempt), now=now
        )
