"""Assessments: workers' attempts at qualification tests, and the qualifications they grant."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ...errors import NotFound
from ...events import attempt_data, attempt_event_type
from ...exam_rules import attempt_state
from ...records import AssessmentAttempt, Qualification
from ..base import AttemptStart, Page
from .base import SqliteBase, _seq
from .work import WorkPart

__all__ = ["AssessmentsPart"]

_LATEST = "SELECT * FROM assessment_attempts WHERE project_id = ? AND worker_id = ?"


def _attempt(row: sqlite3.Row) -> AssessmentAttempt:
    return AssessmentAttempt(
        project_id=row["project_id"],
        worker_id=row["worker_id"],
        worker_pseudonym=row["worker_pseudonym"],
        number=row["number"],
        test_size=row["test_size"],
        started_at=row["started_at"],
        answered=row["answered"],
        correct=row["correct"],
        finished_at=row["finished_at"],
        passed=None if row["passed"] is None else bool(row["passed"]),
    )


def _qualification(row: sqlite3.Row) -> Qualification:
    return Qualification(
        assessment_id=row["assessment_id"],
        worker_id=row["worker_id"],
        worker_pseudonym=row["worker_pseudonym"],
        score=row["score"],
        granted_at=row["granted_at"],
    )


class AssessmentsPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS assessment_attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, project_id TEXT NOT NULL, worker_id TEXT NOT NULL,
    worker_pseudonym TEXT NOT NULL, number INTEGER NOT NULL, test_size INTEGER NOT NULL,
    started_at REAL NOT NULL, answered INTEGER NOT NULL DEFAULT 0,
    correct INTEGER NOT NULL DEFAULT 0, finished_at REAL, passed INTEGER,
    UNIQUE (project_id, worker_id, number));
CREATE TABLE IF NOT EXISTS qualifications (
    assessment_id TEXT NOT NULL, worker_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL,
    score REAL NOT NULL, granted_at REAL NOT NULL, PRIMARY KEY (assessment_id, worker_id));
"""

    @staticmethod
    def _latest_row(db: sqlite3.Connection, project_id: str, worker_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = db.execute(
            _LATEST + " ORDER BY number DESC LIMIT 1", (project_id, worker_id)
        ).fetchone()
        return row

    @staticmethod
    def _unseen(db: sqlite3.Connection, project_id: str, worker_id: str, now: float) -> int:
        row = db.execute(
            f"SELECT COUNT(*) AS n FROM tasks t WHERE t.project_id = :project AND {WorkPart._GOLD}",
            {"project": project_id, "now": now, "worker": worker_id},
        ).fetchone()
        return int(row["n"])

    async def start_attempt(
        self,
        project_id: str,
        worker_id: str,
        worker_pseudonym: str,
        *,
        test_size: int,
        retry_after: float,
        now: float,
    ) -> AttemptStart:
        with self._tx() as db:
            held = db.execute(
                "SELECT 1 FROM qualifications WHERE assessment_id = ? AND worker_id = ?",
                (project_id, worker_id),
            ).fetchone()
            row = self._latest_row(db, project_id, worker_id)
            latest = None if row is None else _attempt(row)
            state = attempt_state(
                held=held is not None,
                latest=latest,
                unseen=self._unseen(db, project_id, worker_id, now),
                test_size=test_size,
                retry_after=retry_after,
                now=now,
            )
            if state != "start":
                return AttemptStart(state, latest)
            number = 1 if latest is None else latest.number + 1
            db.execute(
                "INSERT INTO assessment_attempts (project_id, worker_id, worker_pseudonym,"
                " number, test_size, started_at) VALUES (?,?,?,?,?,?)",
                (project_id, worker_id, worker_pseudonym, number, test_size, now),
            )
            started = AssessmentAttempt(
                project_id, worker_id, worker_pseudonym, number, test_size, now
            )
        return AttemptStart("open", started)

    async def record_attempt_answer(
        self, project_id: str, worker_id: str, *, correct: bool, needed: int, now: float
    ) -> AssessmentAttempt | None:
        with self._tx() as db:
            row = self._latest_row(db, project_id, worker_id)
            if row is None or row["finished_at"] is not None:
                return None
            answered, right = row["answered"] + 1, row["correct"] + int(correct)
            done = answered >= row["test_size"]
            passed = right >= needed if done else None
            db.execute(
                "UPDATE assessment_attempts SET answered = ?, correct = ?, finished_at = ?,"
                " passed = ? WHERE seq = ?",
                (answered, right, now if done else None,
                 None if passed is None else int(passed), row["seq"]),
            )  # fmt: skip
            attempt = _attempt(db.execute(
                "SELECT * FROM assessment_attempts WHERE seq = ?", (row["seq"],)
            ).fetchone())  # fmt: skip
            if done:
                if passed:
                    db.execute(
                        "INSERT OR IGNORE INTO qualifications VALUES (?,?,?,?,?)",
                        (project_id, worker_id, attempt.worker_pseudonym, attempt.score, now),
                    )
                client = db.execute(
                    "SELECT client_id FROM projects WHERE id = ?", (project_id,)
                ).fetchone()
                if client is None:
                    raise NotFound("no such project", field="project_id")
                self._event(
                    db,
                    client["client_id"],
                    attempt_event_type(attempt),
                    attempt_data(attempt),
                    now=now,
                )
        if done:
            self._notify_outbox()
        return attempt

    async def latest_attempt(self, project_id: str, worker_id: str) -> AssessmentAttempt | None:
        rows = self._read(_LATEST + " ORDER BY number DESC LIMIT 1", (project_id, worker_id))
        return _attempt(rows[0]) if rows else None

    async def unseen_questions(self, project_id: str, worker_id: str, *, now: float) -> int:
        with self._lock:
            return self._unseen(self._conn(), project_id, worker_id, now)

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
            (project_id, _seq(cursor), limit + 1),
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
