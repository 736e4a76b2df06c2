"""Quality: workers' gold-task records, clients' block lists, and auto-approval."""

from __future__ import annotations

import sqlite3

from ...events import assignment_data, worker_stopped_data
from ...records import Assignment, Block, GoldStats, now
from .base import _ASSIGNMENT_COLUMNS, SqliteBase

__all__ = ["QualityPart"]


def _gold(row: sqlite3.Row, *, stopped: bool = False) -> GoldStats:
    return GoldStats(
        project_id=row["project_id"],
        worker_id=row["worker_id"],
        worker_pseudonym=row["worker_pseudonym"],
        answered=row["answered"],
        correct=row["correct"],
        stopped=bool(row["stopped"]) or stopped,
    )


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

    async def record_gold(
        self,
        project_id: str,
        worker_id: str,
        worker_pseudonym: str,
        *,
        correct: bool,
        min_answers: int,
        min_accuracy: float,
    ) -> GoldStats:
        with self._tx() as db:
            db.execute(
                "INSERT INTO gold_stats VALUES (?,?,?,1,?,0) ON CONFLICT (project_id, worker_id)"
                " DO UPDATE SET answered = answered + 1, correct = correct + excluded.correct",
                (project_id, worker_id, worker_pseudonym, int(correct)),
            )
            row = db.execute(
                "SELECT * FROM gold_stats WHERE project_id = ? AND worker_id = ?",
                (project_id, worker_id),
            ).fetchone()
            stop = (
                row["answered"] >= min_answers and row["correct"] < min_accuracy * row["answered"]
            )
            if stop and not row["stopped"]:
                db.execute(
                    "UPDATE gold_stats SET stopped = 1 WHERE project_id = ? AND worker_id = ?",
                    (project_id, worker_id),
                )
                client_id = db.execute(
                    "SELECT client_id FROM projects WHERE id = ?", (project_id,)
                ).fetchone()["client_id"]
                self._event(
                    db,
                    client_id,
                    "worker.stopped",
                    worker_stopped_data(
                        project_id, worker_pseudonym, row["answered"], row["correct"]
                    ),
                    now=now(),
                )
            stats = _gold(row, stopped=stop)
        if stop:
            self._notify_outbox()
        return stats

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
            " AND project_id IN ('', ?) UNION ALL SELECT 1 FROM gold_stats"
            " WHERE project_id = ? AND worker_id = ? AND stopped = 1 LIMIT 1",
            (client_id, worker_pseudonym, project_id, project_id, worker_id),
        )
        return bool(rows)

    async def auto_approve(self, *, now: float) -> list[Assignment]:
        """Approve every submission its project's auto-approve delay has passed for."""
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
