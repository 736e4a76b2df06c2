"""What clients do with their webhooks beyond receiving them: read the delivery log, replay
messages, rotate secrets, enable and disable endpoints (automatically, too)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ...core.errors import NotFound
from ...core.page import Page, cursor_seq
from ...core.records import Endpoint, Message
from ...store.sqlite.base import SqliteBase, _endpoint
from ..rules import (
    changed_endpoint,
    check_replay,
    check_replay_failed,
    disabled_endpoint,
    fails_pending,
    replay_schedule,
    rotated_endpoint,
)
from ..store import EndpointChange, MessageQuery
from .outbox import _endpoints_by_id, _events_by_id, _message

__all__ = ["DeliveryLogPart"]

# Columns added after the first release: files made before get them on open.
_ADDED_COLUMNS = {
    "outbox": {"task_id": "TEXT", "leased_until": "REAL"},
    "endpoints": {
        "old_secrets_expire_at": "REAL",
        "failing_since": "REAL",
        "disabled_reason": "TEXT",
    },
}
_INDEXES = """
CREATE INDEX IF NOT EXISTS outbox_by_endpoint ON outbox (endpoint_id, status);
CREATE INDEX IF NOT EXISTS outbox_by_task ON outbox (endpoint_id, task_id) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS outbox_leased ON outbox (leased_until) WHERE leased_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_by_client ON events (client_id, seq);
"""
_MESSAGE_COLUMNS = (
    "o.rowid, o.id, o.event_id, o.endpoint_id, o.status, o.attempts, o.next_attempt_at,"
    " o.created_at"
)


class DeliveryLogPart(SqliteBase):
    async def open(self) -> None:
        await super().open()
        db = self._conn()
        for table, columns in _ADDED_COLUMNS.items():
            present = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns.items():
                if name not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        db.executescript(_INDEXES)

    # -- endpoints --------------------------------------------------------------------------

    def _endpoint_row(self, db: sqlite3.Connection, endpoint_id: str) -> Endpoint:
        row = db.execute("SELECT * FROM endpoints WHERE id = ?", (endpoint_id,)).fetchone()
        if row is None:
            raise NotFound("no such webhook endpoint", field="endpoint_id")
        return _endpoint(row)

    def _save_endpoint(self, db: sqlite3.Connection, before: Endpoint, after: Endpoint) -> None:
        db.execute(
            "UPDATE endpoints SET url = ?, secrets = ?, event_types = ?, status = ?,"
            " old_secrets_expire_at = ?, failing_since = ?, disabled_reason = ? WHERE id = ?",
            (
                after.url,
                json.dumps(list(after.secrets)),
                None if after.event_types is None else json.dumps(after.event_types),
                after.status,
                after.old_secrets_expire_at,
                after.failing_since,
                after.disabled_reason,
                after.id,
            ),
        )
        if fails_pending(before, after):
            # nothing more is attempted; the client can replay these once the endpoint works
            db.execute(
                "UPDATE outbox SET status = 'failed', leased_until = NULL"
                " WHERE endpoint_id = ? AND status = 'pending'",
                (after.id,),
            )

    async def update_endpoint(self, endpoint_id: str, change: EndpointChange) -> Endpoint:
        with self._tx() as db:
            before = self._endpoint_row(db, endpoint_id)
            after = changed_endpoint(before, change)
            self._save_endpoint(db, before, after)
            return self._endpoint_row(db, endpoint_id)

    async def rotate_endpoint_secret(
        self, endpoint_id: str, secret: str, *, now: float, old_valid_until: float
    ) -> Endpoint:
        with self._tx() as db:
            before = self._endpoint_row(db, endpoint_id)
            after = rotated_endpoint(before, secret, now=now, old_valid_until=old_valid_until)
            self._save_endpoint(db, before, after)
            return self._endpoint_row(db, endpoint_id)

    async def disable_endpoint(self, endpoint_id: str, *, reason: str, now: float) -> bool:
        with self._tx() as db:
            endpoint = self._endpoint_row(db, endpoint_id)
            after = disabled_endpoint(endpoint, reason)
            if after is None:
                return False
            self._save_endpoint(db, endpoint, after)
            data: dict[str, Any] = {
                "endpoint_id": endpoint.id,
                "url": endpoint.url,
                "reason": reason,
                "failing_since": endpoint.failing_since,
            }
            self._event(db, endpoint.client_id, "endpoint.disabled", data, now=now)
        self._notify_outbox()
        return True

    # -- messages ---------------------------------------------------------------------------

    async def get_message(self, message_id: str) -> Message | None:
        with self._lock:
            db = self._conn()
            row = db.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM outbox o WHERE o.id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return None
            return self._messages(db, [row])[0]

    def _messages(self, db: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Message]:
        if not rows:
            return []
        events = _events_by_id(db, {r["event_id"] for r in rows})
        endpoints = _endpoints_by_id(db, {r["endpoint_id"] for r in rows})
        return [_message(r, events[r["event_id"]], endpoints[r["endpoint_id"]]) for r in rows]

    async def list_messages(self, endpoint_id: str, query: MessageQuery) -> Page[Message]:
        status, cursor, limit = query.status, query.cursor, query.limit
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM outbox o WHERE o.endpoint_id = ?"
        params: list[Any] = [endpoint_id]
        if cursor is not None:
            params.append(cursor_seq(cursor))
            sql += " AND o.rowid < ?"
        if status is not None:
            sql += " AND o.status = ?"
            params.append(status)
        with self._lock:
            db = self._conn()
            rows = db.execute(sql + " ORDER BY o.rowid DESC LIMIT ?", [*params, limit + 1])
            rows_list = rows.fetchall()
            items = self._messages(db, rows_list[:limit])
        more = len(rows_list) > limit
        return Page(items, str(rows_list[limit - 1]["rowid"]) if more else None)

    async def replay_message(self, message_id: str, *, now: float) -> Message:
        with self._tx() as db:
            row = db.execute(
                "SELECT status, endpoint_id FROM outbox WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise NotFound("no such webhook message", field="message_id")
            check_replay(row["status"], self._endpoint_row(db, row["endpoint_id"]))
            fresh = replay_schedule(now)
            db.execute(
                "UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_at = ?,"
                " leased_until = NULL WHERE id = ?",
                (fresh.attempts, fresh.next_attempt_at, message_id),
            )
            replayed = self._messages(
                db,
                db.execute(
                    f"SELECT {_MESSAGE_COLUMNS} FROM outbox o WHERE o.id = ?", (message_id,)
                ).fetchall(),
            )[0]
        self._notify_outbox()
        return replayed

    async def replay_failed(self, endpoint_id: str, *, since: float, now: float) -> int:
        with self._tx() as db:
            check_replay_failed(self._endpoint_row(db, endpoint_id))
            fresh = replay_schedule(now)
            count = db.execute(
                "UPDATE outbox SET status = 'pending', attempts = ?, next_attempt_at = ?,"
                " leased_until = NULL WHERE endpoint_id = ? AND status = 'failed'"
                " AND created_at >= ?",
                (fresh.attempts, fresh.next_attempt_at, endpoint_id, since),
            ).rowcount
        if count:
            self._notify_outbox()
        return count
