"""The earnings ledger: what each worker has been credited, each line written once."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any

from ..core.page import Page, cursor_seq
from ..core.records import Credit
from ..store.sqlite.base import SqliteBase
from .store import BonusQuery

__all__ = ["LedgerPart"]

_COLUMNS = (
    "id, worker_id, client_id, assignment_id, kind, amount_cents, currency, reason, key, created_at"
)


def _credit(row: sqlite3.Row) -> Credit:
    return Credit(**{f.name: row[f.name] for f in fields(Credit)})


class LedgerPart(SqliteBase):
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
