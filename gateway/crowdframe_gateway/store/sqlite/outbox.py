"""Webhook endpoints, events and the outbox of messages to deliver."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any

from ...records import (
    Attempt,
    Endpoint,
    Event,
    Message,
    now,
)
from ..base import DeliveryOutcome
from .base import (
    SqliteBase,
    _endpoint,
)

__all__ = ["OutboxPart"]


class OutboxPart(SqliteBase):
    SCHEMA = """
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
        with self._tx() as db:
            recorded = self._event(db, client_id, type, data, now=now(), endpoint_id=endpoint_id)
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
