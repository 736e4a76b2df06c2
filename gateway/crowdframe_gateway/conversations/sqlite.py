"""The conversations context on SQLite: disputes, threads and messages, mutes and notices.

Each change that clients hear about (a dispute opened or reported overdue, a worker's reply)
writes its event and outbox messages in the same transaction."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import astuple, fields
from typing import Any, TypeVar

from ..core.errors import Conflict, NotFound
from ..core.page import Page, cursor_seq
from ..store.sqlite.base import SqliteBase
from .records import Dispute, Notice, Thread, ThreadMessage
from .store import DisputeAnswer, DisputeQuery, ThreadMessageQuery

__all__ = ["ConversationsPart", "conversation_record"]

R = TypeVar("R")


def _columns(kind: type[Any]) -> str:
    return ", ".join(f.name for f in fields(kind))


def _record(kind: type[R], row: sqlite3.Row) -> R:
    return kind(**{f.name: row[f.name] for f in fields(kind)})  # type: ignore[arg-type]


def _insert(db: sqlite3.Connection, table: str, record: Any, *, ignore: bool = False) -> bool:
    marks = ",".join("?" * len(fields(record)))
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    sql = f"{verb} INTO {table} ({_columns(type(record))}) VALUES ({marks})"
    return db.execute(sql, astuple(record)).rowcount > 0


def conversation_record(table: str, row: sqlite3.Row) -> Any:
    """The record a row of one of this part's tables holds (``crowdframe migrate`` reads them)."""
    kinds = {"disputes": Dispute, "threads": Thread, "thread_messages": ThreadMessage}
    return _record(kinds.get(table, Notice), row)


_DISPUTES = _columns(Dispute)
_THREADS = _columns(Thread)
_MESSAGES = _columns(ThreadMessage)
_NOTICES = _columns(Notice)


class ConversationsPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS disputes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
    assignment_id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL, project_id TEXT NOT NULL,
    task_id TEXT NOT NULL, worker_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL,
    message TEXT NOT NULL, reject_reason TEXT NOT NULL, status TEXT NOT NULL,
    opened_at REAL NOT NULL, due_at REAL NOT NULL, answered_at REAL, reply TEXT,
    reported_at REAL);
CREATE INDEX IF NOT EXISTS disputes_by_client ON disputes (client_id, status, seq);
CREATE INDEX IF NOT EXISTS disputes_open_due ON disputes (due_at) WHERE status = 'open';
CREATE TABLE IF NOT EXISTS threads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    worker_id TEXT NOT NULL, worker_pseudonym TEXT NOT NULL, project_id TEXT NOT NULL,
    subject TEXT NOT NULL, created_at REAL NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS threads_by_client ON threads (client_id, seq);
CREATE INDEX IF NOT EXISTS threads_by_worker ON threads (worker_id, last_seq);
CREATE TABLE IF NOT EXISTS thread_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, thread_id TEXT NOT NULL,
    client_id TEXT NOT NULL, author TEXT NOT NULL, body TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS thread_messages_by_thread ON thread_messages (thread_id, seq);
CREATE INDEX IF NOT EXISTS thread_messages_by_client ON thread_messages (client_id, seq);
CREATE TABLE IF NOT EXISTS contacts (
    client_id TEXT NOT NULL, pseudonym TEXT NOT NULL, worker_id TEXT NOT NULL,
    PRIMARY KEY (client_id, pseudonym));
CREATE TABLE IF NOT EXISTS mutes (
    client_id TEXT NOT NULL, worker_id TEXT NOT NULL, PRIMARY KEY (client_id, worker_id));
CREATE TABLE IF NOT EXISTS notices (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, worker_id TEXT NOT NULL,
    kind TEXT NOT NULL, text TEXT NOT NULL, link TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS notices_by_worker ON notices (worker_id, seq);
CREATE TABLE IF NOT EXISTS rejections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, worker_id TEXT NOT NULL, client_id TEXT NOT NULL,
    assignment_id TEXT NOT NULL UNIQUE);
CREATE INDEX IF NOT EXISTS rejections_by_worker ON rejections (worker_id, seq);
CREATE TABLE IF NOT EXISTS notice_optouts (worker_id TEXT PRIMARY KEY, kinds TEXT NOT NULL);
"""

    # -- disputes -------------------------------------------------------------------------------

    async def open_dispute(self, dispute: Dispute, event: dict[str, Any]) -> Dispute:
        with self._tx() as db:
            if not _insert(db, "disputes", dispute, ignore=True):
                row = db.execute(
                    f"SELECT {_DISPUTES} FROM disputes WHERE assignment_id = ?",
                    (dispute.assignment_id,),
                ).fetchone()
                raise Conflict(
                    f"this rejection was already disputed (dispute {row['id']})",
                    code="already_disputed",
                )
            self._event(db, dispute.client_id, "assignment.disputed", event, now=dispute.opened_at)
        self._notify_outbox()
        return dispute

    def _dispute(self, sql: str, params: tuple[Any, ...]) -> Dispute | None:
        rows = self._read(f"SELECT {_DISPUTES} FROM disputes WHERE {sql}", params)
        return _record(Dispute, rows[0]) if rows else None

    async def get_dispute(self, client_id: str, dispute_id: str) -> Dispute | None:
        return self._dispute("id = ? AND client_id = ?", (dispute_id, client_id))

    async def dispute_of(self, client_id: str, assignment_id: str) -> Dispute | None:
        return self._dispute("assignment_id = ? AND client_id = ?", (assignment_id, client_id))

    async def list_disputes(self, client_id: str, query: DisputeQuery) -> Page[Dispute]:
        sql = f"SELECT seq, {_DISPUTES} FROM disputes WHERE client_id = ? AND seq > ?"
        params: list[Any] = [client_id, cursor_seq(query.cursor)]
        if query.status is not None:
            sql += " AND status = ?"
            params.append(query.status)
        rows = self._read(sql + " ORDER BY seq LIMIT ?", [*params, query.limit + 1])
        items = [_record(Dispute, r) for r in rows[: query.limit]]
        more = len(rows) > query.limit
        return Page(items, str(rows[query.limit - 1]["seq"]) if more else None)

    async def answer_dispute(
        self, client_id: str, dispute_id: str, answer: DisputeAnswer
    ) -> Dispute:
        with self._tx() as db:
            db.execute(
                "UPDATE disputes SET status = ?, reply = ?, answered_at = ?"
                " WHERE id = ? AND client_id = ? AND status = 'open'",
                (answer.status, answer.reply, answer.at, dispute_id, client_id),
            )
            row = db.execute(
                f"SELECT {_DISPUTES} FROM disputes WHERE id = ? AND client_id = ?",
                (dispute_id, client_id),
            ).fetchone()
        if row is None:
            raise NotFound("no such dispute", field="dispute_id")
        dispute = _record(Dispute, row)
        if dispute.status != answer.status:
            raise Conflict(f"this dispute was already {dispute.status}", code="dispute_answered")
        return dispute

    async def overdue_disputes(self, *, now: float) -> list[Dispute]:
        rows = self._read(
            f"SELECT {_DISPUTES} FROM disputes WHERE status = 'open' AND due_at <= ?"
            " ORDER BY due_at",
            (now,),
        )
        return [_record(Dispute, r) for r in rows]

    async def report_overdue(self, dispute: Dispute, event: dict[str, Any], *, now: float) -> bool:
        with self._tx() as db:
            changed = db.execute(
                "UPDATE disputes SET reported_at = ? WHERE id = ? AND status = 'open'"
                " AND reported_at IS NULL",
                (now, dispute.id),
            ).rowcount
            if changed:
                self._event(db, dispute.client_id, "dispute.overdue", event, now=now)
        if changed:
            self._notify_outbox()
        return bool(changed)

    # -- threads --------------------------------------------------------------------------------

    async def post_message(
        self, thread: Thread, message: ThreadMessage, event: dict[str, Any] | None
    ) -> None:
        with self._tx() as db:
            _insert(db, "threads", thread, ignore=True)
            _insert(db, "thread_messages", message)
            db.execute(
                "UPDATE threads SET last_seq = last_insert_rowid() WHERE id = ?", (thread.id,)
            )
            if event is not None:
                self._event(db, thread.client_id, "message.received", event, now=message.created_at)
        if event is not None:
            self._notify_outbox()

    async def get_thread(self, thread_id: str) -> Thread | None:
        rows = self._read(f"SELECT {_THREADS} FROM threads WHERE id = ?", (thread_id,))
        return _record(Thread, rows[0]) if rows else None

    async def thread_messages(self, thread: Thread) -> list[ThreadMessage]:
        rows = self._read(
            f"SELECT {_MESSAGES} FROM thread_messages WHERE thread_id = ? ORDER BY seq",
            (thread.id,),
        )
        return [_record(ThreadMessage, r) for r in rows]

    async def client_threads(
        self, client_id: str, *, limit: int, cursor: str | None
    ) -> Page[Thread]:
        rows = self._read(
            f"SELECT seq, {_THREADS} FROM threads WHERE client_id = ? AND seq > ?"
            " ORDER BY seq LIMIT ?",
            (client_id, cursor_seq(cursor), limit + 1),
        )
        items = [_record(Thread, r) for r in rows[:limit]]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)

    async def worker_threads(self, worker_id: str, *, limit: int) -> list[Thread]:
        rows = self._read(
            f"SELECT {_THREADS} FROM threads WHERE worker_id = ? ORDER BY last_seq DESC LIMIT ?",
            (worker_id, limit),
        )
        return [_record(Thread, r) for r in rows]

    async def client_messages(
        self, client_id: str, query: ThreadMessageQuery
    ) -> Page[ThreadMessage]:
        sql = f"SELECT seq, {_MESSAGES} FROM thread_messages WHERE client_id = ? AND seq > ?"
        params: list[Any] = [client_id, cursor_seq(query.cursor)]
        if query.author is not None:
            sql += " AND author = ?"
            params.append(query.author)
        rows = self._read(sql + " ORDER BY seq LIMIT ?", [*params, query.limit + 1])
        items = [_record(ThreadMessage, r) for r in rows[: query.limit]]
        more = len(rows) > query.limit
        return Page(items, str(rows[query.limit - 1]["seq"]) if more else None)

    async def remember_contact(self, client_id: str, pseudonym: str, worker_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO contacts (client_id, pseudonym, worker_id) VALUES (?,?,?)",
                (client_id, pseudonym, worker_id),
            )

    async def contact(self, client_id: str, pseudonym: str) -> str | None:
        rows = self._read(
            "SELECT worker_id FROM contacts WHERE client_id = ? AND pseudonym = ?",
            (client_id, pseudonym),
        )
        return str(rows[0]["worker_id"]) if rows else None

    # -- the worker's side ----------------------------------------------------------------------

    async def set_mute(self, worker_id: str, client_id: str, *, muted: bool) -> None:
        with self._tx() as db:
            if muted:
                db.execute(
                    "INSERT OR IGNORE INTO mutes (client_id, worker_id) VALUES (?,?)",
                    (client_id, worker_id),
                )
            else:
                db.execute(
                    "DELETE FROM mutes WHERE client_id = ? AND worker_id = ?",
                    (client_id, worker_id),
                )

    async def muting_workers(self, client_id: str) -> set[str]:
        rows = self._read("SELECT worker_id FROM mutes WHERE client_id = ?", (client_id,))
        return {str(r["worker_id"]) for r in rows}

    async def add_notice(self, notice: Notice) -> bool:
        with self._tx() as db:
            return _insert(db, "notices", notice, ignore=True)

    async def notices(self, worker_id: str, *, limit: int) -> list[Notice]:
        rows = self._read(
            f"SELECT {_NOTICES} FROM notices WHERE worker_id = ? ORDER BY seq DESC LIMIT ?",
            (worker_id, limit),
        )
        return [_record(Notice, r) for r in rows]

    async def note_rejection(self, worker_id: str, client_id: str, assignment_id: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO rejections (worker_id, client_id, assignment_id)"
                " VALUES (?,?,?)",
                (worker_id, client_id, assignment_id),
            )

    async def rejections(self, worker_id: str) -> list[tuple[str, str]]:
        rows = self._read(
            "SELECT client_id, assignment_id FROM rejections WHERE worker_id = ? ORDER BY seq DESC",
            (worker_id,),
        )
        return [(str(r["client_id"]), str(r["assignment_id"])) for r in rows]

    async def set_notice_optouts(self, worker_id: str, kinds: tuple[str, ...]) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO notice_optouts (worker_id, kinds) VALUES (?, ?)"
                " ON CONFLICT (worker_id) DO UPDATE SET kinds = excluded.kinds",
                (worker_id, json.dumps(list(kinds))),
            )

    async def notice_optouts(self, worker_id: str) -> tuple[str, ...]:
        rows = self._read("SELECT kinds FROM notice_optouts WHERE worker_id = ?", (worker_id,))
        return tuple(json.loads(rows[0]["kinds"])) if rows else ()
