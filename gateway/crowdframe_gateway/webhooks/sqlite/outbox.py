"""Webhook endpoints, events and the outbox of messages to deliver."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import suppress
from typing import Any

from ...core.records import Attempt, Endpoint, Event, Message, new_id, now
from ...store.sqlite.base import SqliteBase, _endpoint
from ..rules import failing_runs, fan_out, free_slots, message_task, settled_status
from ..store import AttemptResult, Backlog, DeliveryOutcome

_STATUS = {"delivered": "delivered", "retry": "pending", "failed": "failed"}

__all__ = ["OutboxPart", "_endpoints_by_id", "_events_by_id", "_message"]


def _events_by_id(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, Event]:
    wanted = list(ids)
    rows = db.execute(
        f"SELECT id, client_id, type, created_at, data FROM events"
        f" WHERE id IN ({','.join('?' * len(wanted))})",
        wanted,
    ).fetchall()
    return {
        r["id"]: Event(r["id"], r["client_id"], r["type"], r["created_at"], json.loads(r["data"]))
        for r in rows
    }


def _endpoints_by_id(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, Endpoint]:
    wanted = list(ids)
    rows = db.execute(
        f"SELECT * FROM endpoints WHERE id IN ({','.join('?' * len(wanted))})", wanted
    ).fetchall()
    return {r["id"]: _endpoint(r) for r in rows}


def _message(row: sqlite3.Row, event: Event, endpoint: Endpoint) -> Message:
    return Message(
        id=row["id"],
        event=event,
        endpoint=endpoint,
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        created_at=row["created_at"],
    )


# A row that may be leased now: its lease (if any) ran out, and no earlier message about the
# same task to the same endpoint is in flight or not yet tried (per-task order). With the caps of
# rules.free_slots, this store's one statement of the lease rule (Redis's: lease_messages.lua),
# both held to the table of cases in tests/store/test_store_delivery_order.py.
_LEASABLE = (
    "o.status = 'pending' AND o.next_attempt_at <= :now"
    " AND (o.leased_until IS NULL OR o.leased_until <= :now)"
    " AND (o.task_id IS NULL OR NOT EXISTS (SELECT 1 FROM outbox p"
    "  WHERE p.endpoint_id = o.endpoint_id AND p.task_id = o.task_id"
    "  AND p.status = 'pending' AND p.rowid < o.rowid"
    "  AND (p.attempts = 0 OR p.leased_until > :now)))"
)
_LEASE_COLUMNS = (
    "o.rowid, o.id, o.event_id, o.endpoint_id, o.status, o.attempts, o.next_attempt_at,"
    " o.created_at"
)
# How many of the oldest due messages the first look reads. Beyond them lie only messages of
# endpoints already at their cap (a backlog), in flight, or waiting for a task's earlier one:
# then each endpoint is asked on its own, so a backlog costs no scan of itself on every lease.
LEASE_WINDOW = 128
_ANY_DUE = (
    "SELECT 1 FROM outbox INDEXED BY outbox_due WHERE status = 'pending' AND next_attempt_at <= ?"
    " LIMIT 1"
)


def _leasable(
    db: sqlite3.Connection, now: float, limit: int, in_flight: dict[str, int], per_endpoint: int
) -> list[sqlite3.Row]:
    """Up to ``limit`` leasable rows, oldest first, within each endpoint's cap."""
    full = {
        f"full{i}": e
        for i, e in enumerate(e for e, n in in_flight.items() if not free_slots(n, per_endpoint))
    }
    window = db.execute(
        f"SELECT {_LEASE_COLUMNS} FROM (SELECT rowid AS r FROM outbox INDEXED BY outbox_due"
        "  WHERE status = 'pending' AND next_attempt_at <= :now"
        "  ORDER BY next_attempt_at LIMIT :window)"
        f" JOIN outbox o ON o.rowid = r"
        f" WHERE o.endpoint_id NOT IN ({','.join(':' + name for name in full)}) AND {_LEASABLE}"
        " ORDER BY o.next_attempt_at",
        {"now": now, "window": LEASE_WINDOW, **full},
    ).fetchall()
    chosen = _within_caps(window, limit, dict(in_flight), per_endpoint)
    if (
        len(chosen) >= limit
        or not db.execute(
            "SELECT 1 FROM outbox INDEXED BY outbox_due WHERE status = 'pending'"
            " AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 1 OFFSET ?",
            (now, LEASE_WINDOW),
        ).fetchone()
    ):
        return chosen  # every due message was in the window
    found = []
    for (endpoint_id,) in db.execute(_PENDING_ENDPOINTS).fetchall():
        room = min(free_slots(in_flight.get(endpoint_id, 0), per_endpoint), limit)
        if room <= 0:
            continue
        found += db.execute(
            f"SELECT {_LEASE_COLUMNS} FROM outbox o INDEXED BY outbox_pending"
            f" WHERE o.endpoint_id = :endpoint AND {_LEASABLE}"
            " ORDER BY o.next_attempt_at LIMIT :room",
            {"endpoint": endpoint_id, "now": now, "room": room},
        ).fetchall()
    found.sort(key=lambda row: row["next_attempt_at"])
    return _within_caps(found, limit, dict(in_flight), per_endpoint)


def _within_caps(
    rows: list[sqlite3.Row], limit: int, in_flight: dict[str, int], per_endpoint: int
) -> list[sqlite3.Row]:
    chosen = []
    for row in rows:
        taken = in_flight.get(row["endpoint_id"], 0)
        if free_slots(taken, per_endpoint):
            in_flight[row["endpoint_id"]] = taken + 1
            chosen.append(row)
            if len(chosen) == limit:
                break
    return chosen


# Each endpoint with a pending message: one index seek per endpoint, not one step per message.
_PENDING_ENDPOINTS = """
WITH RECURSIVE pending(id) AS (
    SELECT (SELECT endpoint_id FROM outbox INDEXED BY outbox_pending WHERE status = 'pending'
            ORDER BY endpoint_id LIMIT 1)
    UNION ALL
    SELECT (SELECT endpoint_id FROM outbox INDEXED BY outbox_pending WHERE status = 'pending'
            AND endpoint_id > pending.id ORDER BY endpoint_id LIMIT 1)
    FROM pending WHERE pending.id IS NOT NULL)
SELECT id FROM pending WHERE id IS NOT NULL
"""


class OutboxPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS endpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    url TEXT NOT NULL, secrets TEXT NOT NULL, event_types TEXT, status TEXT NOT NULL,
    created_at REAL NOT NULL, old_secrets_expire_at REAL, failing_since REAL,
    disabled_reason TEXT);
-- every event looks up its client's endpoints
CREATE INDEX IF NOT EXISTS endpoints_by_client ON endpoints (client_id, status);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    type TEXT NOT NULL, created_at REAL NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY, event_id TEXT NOT NULL, endpoint_id TEXT NOT NULL,
    status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL,
    created_at REAL NOT NULL, task_id TEXT, leased_until REAL);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (endpoint_id, next_attempt_at)
    WHERE status = 'pending';
-- the lease query counts each endpoint's leases and keeps a task's messages in order: without
-- these it would scan the whole outbox, delivered history included, on every lease
CREATE INDEX IF NOT EXISTS outbox_leased ON outbox (leased_until)
    WHERE leased_until IS NOT NULL;
CREATE INDEX IF NOT EXISTS outbox_by_task ON outbox (endpoint_id, task_id, status)
    WHERE task_id IS NOT NULL;
-- the indexes on columns that older files lack are made by delivery_log.py, after its migration
CREATE TABLE IF NOT EXISTS attempts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, at REAL NOT NULL,
    status_code INTEGER, latency_ms REAL NOT NULL, response TEXT NOT NULL, error TEXT);
CREATE INDEX IF NOT EXISTS attempts_by_message ON attempts (message_id, seq);
"""

    # -- webhooks ---------------------------------------------------------------------------

    async def outbox_backlog(self) -> list[Backlog]:
        rows = self._conn().execute(
            "SELECT endpoint_id, COUNT(*) AS pending, MIN(created_at) AS oldest"
            " FROM outbox INDEXED BY outbox_pending WHERE status = 'pending'"
            " GROUP BY endpoint_id ORDER BY endpoint_id"
        )
        return [Backlog(r["endpoint_id"], r["pending"], r["oldest"]) for r in rows]

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

    def _queue_messages(
        self, db: sqlite3.Connection, event: Event, endpoint_id: str | None
    ) -> list[str]:
        endpoints = []
        if endpoint_id is None:
            rows = db.execute(
                "SELECT * FROM endpoints WHERE client_id = ? ORDER BY seq", (event.client_id,)
            )
            endpoints = [_endpoint(r) for r in rows]
        # messages about one task are delivered to an endpoint in order (lease_messages)
        task_id = message_task(event.data)
        message_ids = []
        for target in fan_out(endpoints, event.type, endpoint_id=endpoint_id):
            message_id = new_id("msg")
            db.execute(
                "INSERT INTO outbox (id, event_id, endpoint_id, status, next_attempt_at,"
                " created_at, task_id) VALUES (?,?,?,'pending',?,?,?)",
                (message_id, event.id, target, event.created_at, event.created_at, task_id),
            )
            message_ids.append(message_id)
        return message_ids

    async def lease_messages(
        self, *, now: float, limit: int, lease_seconds: float, per_endpoint: int = 16
    ) -> list[Message]:
        """Due messages, oldest first, leased for ``lease_seconds``. Skipped: a message while an
        earlier one about the same task for the same endpoint is in flight or not yet tried
        (per-task order), and an endpoint's messages beyond ``per_endpoint`` in flight."""
        if self._outbox_signal is not None:
            # this lease sees every change made so far: only a later one wakes the next wait
            self._outbox_signal.clear()
        # every commit with an event wakes the loop, most with no message (no endpoint hears
        # it): a read says so without a write transaction; a message due after it wakes again
        if not self._read(_ANY_DUE, (now,)):
            return []
        with self._tx(durable=False) as db:
            in_flight: dict[str, int] = dict(
                db.execute(
                    # without INDEXED BY the planner walks the whole outbox in endpoint order
                    "SELECT endpoint_id, COUNT(*) FROM outbox INDEXED BY outbox_leased"
                    " WHERE leased_until > ? GROUP BY endpoint_id",
                    (now,),
                ).fetchall()
            )
            chosen = _leasable(db, now, limit, in_flight, per_endpoint)
            if not chosen:
                return []
            db.execute(
                "UPDATE outbox SET leased_until = ?"
                f" WHERE rowid IN ({','.join('?' * len(chosen))})",
                (now + lease_seconds, *(r["rowid"] for r in chosen)),
            )
            events = _events_by_id(db, {r["event_id"] for r in chosen})
            endpoints = _endpoints_by_id(db, {r["endpoint_id"] for r in chosen})
        return [_message(r, events[r["event_id"]], endpoints[r["endpoint_id"]]) for r in chosen]

    async def finish_attempt(
        self, attempt: Attempt, outcome: DeliveryOutcome, *, next_attempt_at: float | None
    ) -> None:
        await self.finish_attempts([AttemptResult(attempt, outcome, next_attempt_at)])

    async def finish_attempts(self, results: Sequence[AttemptResult]) -> None:
        """Log each attempt, release its lease, and keep the endpoint's ``failing_since``: the
        first failure of the current run, cleared by a success. One transaction for all."""
        if not results:
            return
        with self._tx(durable=False) as db:
            self._finish(db, results)
        # leases ended: the endpoint (or the task's next message) may take another one now
        if self._outbox_signal is not None:
            self._signal(self._outbox_signal.set)

    def _finish(self, db: sqlite3.Connection, results: Sequence[AttemptResult]) -> None:
        ids = [r.attempt.message_id for r in results]
        marks = ",".join("?" * len(ids))
        endpoint_of: dict[str, str] = {}
        enabled: dict[str, bool] = {}
        failing_since: dict[str, float | None] = {}
        for row in db.execute(
            "SELECT o.id AS message_id, e.id AS endpoint_id, e.status, e.failing_since"
            f" FROM outbox o JOIN endpoints e ON e.id = o.endpoint_id WHERE o.id IN ({marks})",
            ids,
        ):
            endpoint_of[row["message_id"]] = row["endpoint_id"]
            enabled[row["endpoint_id"]] = row["status"] == "enabled"
            failing_since[row["endpoint_id"]] = row["failing_since"]
        db.executemany(
            "INSERT INTO attempts (message_id, at, status_code, latency_ms, response, error)"
            " VALUES (?,?,?,?,?,?)",
            [
                (a.message_id, a.at, a.status_code, a.latency_ms, a.response, a.error)
                for a in (r.attempt for r in results)
            ],
        )
        updates: list[tuple[str, float | None, str]] = [
            (
                settled_status(
                    r.outcome,
                    endpoint_enabled=enabled.get(endpoint_of.get(r.attempt.message_id, ""), True),
                ),
                r.next_attempt_at,
                r.attempt.message_id,
            )
            for r in results
        ]
        # one statement for each (status, next attempt) shared: all the deliveries, typically;
        # a message twice in one batch is counted twice, so then one statement each
        grouped: dict[tuple[str, float | None], list[str]] = {}
        for status, next_attempt_at, message_id in updates:
            grouped.setdefault((status, next_attempt_at), []).append(message_id)
        groups = [(*key, ids) for key, ids in grouped.items()]
        if len({message_id for *_, message_id in updates}) < len(updates):
            groups = [(status, at, [message_id]) for status, at, message_id in updates]
        for status, next_attempt_at, ids in groups:
            for start in range(0, len(ids), 500):  # within SQLite's limit on parameters
                chunk = ids[start : start + 500]
                db.execute(
                    "UPDATE outbox SET status = ?, attempts = attempts + 1, leased_until = NULL,"
                    " next_attempt_at = COALESCE(?, next_attempt_at)"
                    f" WHERE id IN ({','.join('?' * len(chunk))})",
                    (status, next_attempt_at, *chunk),
                )
        runs = failing_runs(
            [(endpoint_of.get(r.attempt.message_id), r.outcome, r.attempt.at) for r in results]
        )
        for endpoint_id, run in runs.items():
            since = run.apply(failing_since[endpoint_id])
            if since != failing_since[endpoint_id]:
                db.execute(
                    "UPDATE endpoints SET failing_since = ? WHERE id = ?", (since, endpoint_id)
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
        # asyncio.timeout, not wait_for: in 3.11 a wait_for(..., 0) cancelled from outside can
        # hang its caller for good
        with suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await signal.wait()
        signal.clear()
