"""The earnings ledger: what each worker has been credited, each line written once; and the
worker's statement of work, its lines and totals changed together in one transaction."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any, ClassVar

from ..core.page import Page, cursor_seq
from ..core.records import Credit
from ..store.sqlite.base import SqliteBase
from .rules import day_of
from .store import BonusQuery, WorkLine, WorkTotal

__all__ = ["LedgerPart"]

_COLUMNS = (
    "id, worker_id, client_id, assignment_id, kind, amount_cents, currency, reason, key, created_at"
)


def _credit(row: sqlite3.Row) -> Credit:
    return Credit(**{f.name: row[f.name] for f in fields(Credit)})


_LINE_FIELDS = tuple(f.name for f in fields(WorkLine))
_LINE_COLUMNS = ", ".join(_LINE_FIELDS)


def _line(row: sqlite3.Row) -> WorkLine:
    return WorkLine(**{name: row[name] for name in _LINE_FIELDS})


def _moved(db: sqlite3.Connection, line: WorkLine, sign: int) -> None:
    """Add ``line`` to its worker's totals (``sign`` 1), or take it out of them (-1)."""
    db.execute(
        "INSERT INTO work_totals VALUES (?,?,?,?,?) ON CONFLICT (worker_id, status, currency)"
        " DO UPDATE SET amount_cents = amount_cents + excluded.amount_cents,"
        " count = count + excluded.count",
        (line.worker_id, line.status, line.currency, sign * line.amount_cents, sign),
    )


def _day_moved(db: sqlite3.Connection, line: WorkLine, sign: int) -> None:
    """Count ``line`` on its worker's day (``sign`` 1), or take it out (-1); a bonus is no
    task done."""
    if line.status != "bonus":
        db.execute(
            "INSERT INTO work_days VALUES (?,?,?) ON CONFLICT (worker_id, day)"
            " DO UPDATE SET count = count + excluded.count",
            (line.worker_id, day_of(line.submitted_at), sign),
        )


def _day_key(line: WorkLine) -> tuple[int, bool]:
    return day_of(line.submitted_at), line.status != "bonus"


class LedgerPart(SqliteBase):
    # the worker's statement: a page ranges on (worker_id, seq); the totals are one row per
    # status and currency, the submissions of a day one row per worker and day
    # (``rules.day_of``); a file from before them is filled from its submitted assignments of
    # projects that pay
    ADDED_TABLES: ClassVar[tuple[tuple[str, str, str], ...]] = (
        (
            "work_lines",
            "CREATE TABLE work_lines (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
            " key TEXT NOT NULL UNIQUE, assignment_id TEXT NOT NULL, worker_id TEXT NOT NULL,"
            " client_id TEXT NOT NULL, project_id TEXT NOT NULL, title TEXT NOT NULL,"
            " status TEXT NOT NULL, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL,"
            " submitted_at REAL NOT NULL, approval_due_at REAL NOT NULL, reviewed_at REAL,"
            " reject_reason TEXT)",
            f"INSERT INTO work_lines ({_LINE_COLUMNS}) SELECT * FROM (SELECT a.id, a.id,"
            " a.worker_id, a.client_id,"
            " a.project_id, json_extract(p.spec, '$.title'), a.status,"
            " json_extract(p.spec, '$.reward_cents'), json_extract(p.spec, '$.currency'),"
            " a.submitted_at, a.submitted_at + json_extract(p.spec, '$.auto_approve_delay'),"
            " CASE WHEN a.status = 'submitted' THEN NULL ELSE a.reviewed_at END,"
            " CASE WHEN a.status = 'rejected' THEN a.reject_reason END"
            " FROM assignments a JOIN projects p ON p.id = a.project_id"
            " WHERE a.submitted_at IS NOT NULL"
            " AND a.status IN ('submitted', 'approved', 'rejected')"
            " AND json_extract(p.spec, '$.reward_cents') > 0 UNION ALL"
            " SELECT c.key, c.assignment_id, c.worker_id, c.client_id, COALESCE(a.project_id, ''),"
            " c.reason, 'bonus', c.amount_cents, c.currency, c.created_at, c.created_at, NULL, NULL"
            " FROM credits c LEFT JOIN assignments a ON a.id = c.assignment_id"
            " WHERE c.kind = 'bonus') ORDER BY 10",
        ),
        (
            "work_totals",
            "CREATE TABLE work_totals (worker_id TEXT NOT NULL, status TEXT NOT NULL,"
            " currency TEXT NOT NULL, amount_cents INTEGER NOT NULL, count INTEGER NOT NULL,"
            " PRIMARY KEY (worker_id, status, currency)) WITHOUT ROWID",
            "INSERT INTO work_totals SELECT worker_id, status, currency, SUM(amount_cents),"
            " COUNT(*) FROM work_lines GROUP BY worker_id, status, currency",
        ),
        (
            "work_days",
            "CREATE TABLE work_days (worker_id TEXT NOT NULL, day INTEGER NOT NULL,"
            " count INTEGER NOT NULL, PRIMARY KEY (worker_id, day)) WITHOUT ROWID",
            # rules.day_of: a time's whole days since 1970 (CAST truncates, as // does here)
            "INSERT INTO work_days SELECT worker_id, CAST(submitted_at / 86400 AS INTEGER),"
            " COUNT(*) FROM work_lines WHERE status != 'bonus' GROUP BY 1, 2",
        ),
    )
    ADDED_INDEXES: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS work_lines_by_worker ON work_lines (worker_id, seq)",
        # what counted a day before work_days did
        "DROP INDEX IF EXISTS work_lines_by_submission",
    )
    SCHEMA = """
CREATE TABLE IF NOT EXISTS credits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, worker_id TEXT NOT NULL,
    client_id TEXT NOT NULL, assignment_id TEXT NOT NULL, task_id TEXT NOT NULL,
    kind TEXT NOT NULL, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL,
    reason TEXT NOT NULL, key TEXT NOT NULL UNIQUE, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS credits_by_worker ON credits (worker_id, seq);
CREATE INDEX IF NOT EXISTS credits_by_client ON credits (client_id, kind, seq);
"""

    async def credit(self, credit: Credit) -> Credit:
        with self._tx() as db:
            seen = db.execute(f"SELECT {_COLUMNS} FROM credits WHERE key = ?", (credit.key,))
            row = seen.fetchone()
            if row is not None:
                return _credit(row)  # credited once: a repeat changes nothing
            task = db.execute(
                "SELECT task_id FROM assignments WHERE id = ?", (credit.assignment_id,)
            ).fetchone()
            db.execute(
                f"INSERT INTO credits ({_COLUMNS}, task_id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    credit.id,
                    credit.worker_id,
                    credit.client_id,
                    credit.assignment_id,
                    credit.kind,
                    credit.amount_cents,
                    credit.currency,
                    credit.reason,
                    credit.key,
                    credit.created_at,
                    task["task_id"] if task is not None else "",
                ),
            )
        return credit

    async def earnings(self, worker_id: str) -> list[Credit]:
        rows = self._read(
            f"SELECT {_COLUMNS} FROM credits WHERE worker_id = ? ORDER BY seq DESC", (worker_id,)
        )
        return [_credit(r) for r in rows]

    async def note_work(self, line: WorkLine) -> bool:
        with self._tx() as db:
            row = db.execute(
                f"SELECT {_LINE_COLUMNS} FROM work_lines WHERE key = ?", (line.key,)
            ).fetchone()
            was = None if row is None else _line(row)
            if was == line:
                return False
            if was is None:
                marks = ",".join("?" * len(_LINE_FIELDS))
                db.execute(
                    f"INSERT INTO work_lines ({_LINE_COLUMNS}) VALUES ({marks})",
                    [getattr(line, name) for name in _LINE_FIELDS],
                )
            else:
                _moved(db, was, -1)
                changes = ", ".join(f"{name} = ?" for name in _LINE_FIELDS)
                db.execute(
                    f"UPDATE work_lines SET {changes} WHERE key = ?",
                    [*(getattr(line, name) for name in _LINE_FIELDS), line.key],
                )
            _moved(db, line, 1)
            if was is None or _day_key(was) != _day_key(line):
                if was is not None:
                    _day_moved(db, was, -1)
                _day_moved(db, line, 1)
        return True

    async def work_lines(
        self, worker_id: str, *, limit: int, cursor: str | None = None
    ) -> Page[WorkLine]:
        before = cursor_seq(cursor) if cursor is not None else None
        sql = f"SELECT seq, {_LINE_COLUMNS} FROM work_lines WHERE worker_id = ?"
        params: list[Any] = [worker_id]
        if before is not None:
            sql += " AND seq < ?"
            params.append(before)
        rows = self._read(sql + " ORDER BY seq DESC LIMIT ?", [*params, limit + 1])
        items = [_line(r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def work_totals(self, worker_id: str) -> list[WorkTotal]:
        rows = self._read(
            "SELECT status, currency, amount_cents, count FROM work_totals"
            " WHERE worker_id = ? AND count > 0 ORDER BY status, currency",
            (worker_id,),
        )
        return [WorkTotal(**dict(r)) for r in rows]

    async def work_on(self, worker_id: str, day: int) -> int:
        rows = self._read(
            "SELECT count FROM work_days WHERE worker_id = ? AND day = ?", (worker_id, day)
        )
        return int(rows[0]["count"]) if rows else 0

    async def list_bonuses(self, client_id: str, query: BonusQuery) -> Page[Credit]:
        sql = (
            f"SELECT seq, {_COLUMNS} FROM credits WHERE client_id = ? AND kind = 'bonus'"
            " AND seq > ?"
        )
        params: list[Any] = [client_id, cursor_seq(query.cursor)]
        if query.task_id is not None:
            sql += " AND task_id = ?"
            params.append(query.task_id)
        if query.assignment_id is not None:
            sql += " AND assignment_id = ?"
            params.append(query.assignment_id)
        rows = self._read(sql + " ORDER BY seq LIMIT ?", [*params, query.limit + 1])
        items = [_credit(r) for r in rows[: query.limit]]
        return Page(items, str(rows[query.limit - 1]["seq"]) if len(rows) > query.limit else None)
