"""The sentiment example's own storage: ``data_dir/sentiment.db`` (SQLite).

It keeps the registration (project, reading test, webhook endpoint and its secret), the review
texts by task id, every verified webhook delivery once, the answers with their fraud signals,
crowd review status and bonus, and the agreed answers of completed tasks.

app.py loads this file from its own directory (the example is loaded by file path).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypedDict

__all__ = ["Delivery", "Result", "SentimentStore"]


class Result(TypedDict):
    event_id: str
    assignment_id: str
    task_id: str
    text_id: str
    text: str
    sentiment: str
    worker_id: str
    submitted_at: str
    signals: list[str]  # the fraud signals the gateway saw at submission
    crowd_review: str | None  # the crowd's outcome (assignment.crowd_reviewed), None until then
    bonus_cents: int  # paid by this app when the answer matched the agreed one


class Delivery(TypedDict):
    headers: dict[str, str]
    body: str


SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (
    task_id TEXT PRIMARY KEY, external_id TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    headers TEXT NOT NULL, body TEXT NOT NULL, received_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL,
    text_id TEXT NOT NULL, text TEXT NOT NULL, sentiment TEXT NOT NULL, worker_id TEXT NOT NULL,
    submitted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agreements (
    task_id TEXT PRIMARY KEY, text_id TEXT NOT NULL, sentiment TEXT, agreement REAL NOT NULL,
    answers INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (
    assignment_id TEXT PRIMARY KEY, crowd_review TEXT, bonus_cents INTEGER NOT NULL DEFAULT 0);
"""
# Columns added since the first version: an older sentiment.db gets them on open.
RESULT_COLUMNS = {
    "assignment_id": "TEXT NOT NULL DEFAULT ''",
    "signals": "TEXT NOT NULL DEFAULT '[]'",
}


class SentimentStore:
    """``data_dir/sentiment.db``: the registration, review texts by task id, received webhooks.

    Each call is one short SQLite transaction; the file is small and local, so the event loop is
    not worth a thread hop here.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(results)")}
        for column, kind in RESULT_COLUMNS.items():
            if column not in have:
                self._db.execute(f"ALTER TABLE results ADD COLUMN {column} {kind}")

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def get(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM state WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def put(self, **values: str) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", values.items()
            )

    def form_secret(self) -> str:
        """The token the results page's forms carry (made once, kept across restarts)."""
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO state (key, value) VALUES ('form_secret', ?)",
                (secrets.token_urlsafe(32),),
            )
            row = db.execute("SELECT value FROM state WHERE key = 'form_secret'").fetchone()
        return str(row["value"])

    def forget_registration(self) -> None:
        """Drop the project, its texts and the endpoint: they belong to another gateway."""
        with self._tx() as db:
            db.execute("DELETE FROM state WHERE key != 'form_secret'")
            db.execute("DELETE FROM texts")

    def remember_texts(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """``(task_id, external_id, text)`` rows, e.g. from a batch answer."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)", list(rows))

    def text_of(self, task_id: str) -> tuple[str, str] | None:
        """``(external_id, text)`` of a task this app knows."""
        rows = self._rows("SELECT external_id, text FROM texts WHERE task_id = ?", (task_id,))
        return (str(rows[0]["external_id"]), str(rows[0]["text"])) if rows else None

    def record(
        self, event_type: str, headers: dict[str, str], body: str, result: Result | None
    ) -> bool:
        """Store a verified delivery (and its result); False if this event id was seen before."""
        event_id = headers["webhook-id"]
        with self._tx() as db:
            added = db.execute(
                "INSERT OR IGNORE INTO deliveries (event_id, type, headers, body, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, event_type, json.dumps(headers), body, time.time()),
            ).rowcount
            if added and result is not None:
                db.execute(
                    "INSERT INTO results (event_id, assignment_id, task_id, text_id, text,"
                    " sentiment, worker_id, submitted_at, signals) VALUES (:event_id,"
                    " :assignment_id, :task_id, :text_id, :text, :sentiment, :worker_id,"
                    " :submitted_at, :signals)",
                    {**result, "signals": json.dumps(result["signals"])},
                )
        return bool(added)

    # Outcomes are kept apart from the answers: webhooks may arrive in any order.
    def crowd_reviewed(self, assignment_id: str, status: str) -> None:
        """The crowd's outcome for an answer (``assignment.crowd_reviewed``)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO outcomes (assignment_id, crowd_review) VALUES (?, ?)"
                " ON CONFLICT (assignment_id) DO UPDATE SET crowd_review = excluded.crowd_review",
                (assignment_id, status),
            )

    def bonus_paid(self, assignment_id: str, amount_cents: int) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO outcomes (assignment_id, bonus_cents) VALUES (?, ?)"
                " ON CONFLICT (assignment_id) DO UPDATE SET bonus_cents = excluded.bonus_cents",
                (assignment_id, amount_cents),
            )

    def agree(self, data: dict[str, Any]) -> None:
        """Keep the majority answer of a completed task (its ``task.completed`` aggregate)."""
        vote = data.get("aggregate", {}).get("sentiment", {})
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO agreements VALUES (?, ?, ?, ?, ?)",
                (
                    str(data.get("task_id", "")),
                    str(data.get("external_id", "")),
                    vote.get("value"),
                    float(vote.get("agreement", 0.0)),
                    len(data.get("submissions", [])),
                ),
            )

    def agreements(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows("SELECT * FROM agreements ORDER BY text_id")]

    def results(self) -> list[Result]:
        rows = self._rows(
            "SELECT r.*, o.crowd_review, coalesce(o.bonus_cents, 0) AS bonus_cents"
            " FROM results r LEFT JOIN outcomes o USING (assignment_id) ORDER BY r.seq"
        )
        return [
            Result(
                event_id=row["event_id"],
                assignment_id=row["assignment_id"],
                task_id=row["task_id"],
                text_id=row["text_id"],
                text=row["text"],
                sentiment=row["sentiment"],
                worker_id=row["worker_id"],
                submitted_at=row["submitted_at"],
                signals=json.loads(row["signals"]),
                crowd_review=row["crowd_review"],
                bonus_cents=row["bonus_cents"],
            )
            for row in rows
        ]

    def delivery_count(self) -> int:
        return int(self._rows("SELECT count(*) AS n FROM deliveries")[0]["n"])

    def deliveries(self) -> list[Delivery]:
        rows = self._rows("SELECT headers, body FROM deliveries ORDER BY seq")
        return [Delivery(headers=json.loads(row["headers"]), body=row["body"]) for row in rows]
