"""Gold records on SQLite: the write a submission of a gold task makes in its own transaction
(``WorkPart.submit``). The table and its reads are ``QualityPart``'s (sqlite.py)."""

from __future__ import annotations

import sqlite3

from ..core.errors import Conflict
from ..core.events import worker_stopped_data
from ..core.records import Assignment, GoldGrade
from ..store.sqlite.base import SqliteBase

__all__ = ["GoldRecordPart"]


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
