"""The plumbing every part of ``SqliteStore`` shares: the connection, transactions, events.

Each part (accounts, catalog, work, outbox) is a mixin with its own ``SCHEMA``; ``open`` creates
the tables of every part. A new feature adds a part rather than growing an existing one.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar

from ...core.errors import NotFound
from ...core.records import (
    PROJECT_COUNTS,
    Assignment,
    Client,
    Event,
    Project,
    Task,
    Worker,
    new_id,
)
from ...core.stored import ASSIGNMENT, CLIENT, ENDPOINT, TASK, WORKER, spec_from_json
from .checkpoint import WAL_LIMIT, Checkpointer
from .flusher import Flusher

__all__ = ["SqliteBase"]

_ASSIGNMENT_COLUMNS = (
    "id, task_id, project_id, client_id, worker_id, worker_pseudonym, external_id, status, "
    "accepted_at, deadline, submitted_at, result, reviewed_at, reject_reason, signals"
)
_TASK_COLUMNS = "id, project_id, external_id, input, status, created_at, expires_at, gold"
_FINAL_STATUSES = ("submitted", "approved", "rejected")
# what SQLite's own FULL does on Linux: the log's data and size, not its timestamps (a log
# written over in place then costs no journal commit of its inode)
_flush_data = os.fdatasync if hasattr(os, "fdatasync") else os.fsync
# the number of the last durable commit made in a request (``track_writes``): one list a
# request, shared with the tasks it starts, which copy the variable, not the list
_OWN_COMMITS: ContextVar[list[int] | None] = ContextVar("own_commits", default=None)


_assignment = ASSIGNMENT.from_row
_task = TASK.from_row
_endpoint = ENDPOINT.from_row


# a file from before skills, or before platform clients, lacks the column (crowdframe migrate
# reads old files as they are): read as a mapping, a missing column is none
def _worker(row: sqlite3.Row) -> Worker:
    return WORKER.from_hash(dict(row))


def _client(row: sqlite3.Row) -> Client:
    return CLIENT.from_hash(dict(row))


class SqliteBase:
    """Connection and transactions.

    ``synchronous`` is the durability asked for: ``FULL`` (default) survives power loss,
    ``NORMAL`` survives a crashed process but not a crashed machine. Either way the connection
    itself commits in ``NORMAL`` mode, so a commit never blocks the event loop on a disk flush;
    with ``FULL``, ``sync()`` flushes the write-ahead log in a thread before an answer leaves the
    gateway, and one flush covers every commit made meanwhile (group commit).
    """

    # an embedded file is never unreachable: no error means the store is down for a while
    outage_errors: tuple[type[Exception], ...] = ()
    reads_together = False  # each read answers in place, on the caller's thread

    SCHEMA: ClassVar[str] = ""
    # columns added after a table was first shipped: (table, column, declaration); a table
    # that is itself added (below) is made with them
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    # indexes (and triggers) on such columns: made once the columns are there; one that is
    # replaced is dropped by name first, in the same list
    ADDED_INDEXES: ClassVar[tuple[str, ...]] = ()
    # tables kept from others, added after those were first shipped: (name, the statement
    # creating it, the statement filling it from what is there); made and filled once, in one
    # transaction, by the first open that finds the table missing
    ADDED_TABLES: ClassVar[tuple[tuple[str, str, str], ...]] = ()

    def __init__(
        self, path: str | Path, *, synchronous: str = "FULL", wal_limit: int = WAL_LIMIT
    ) -> None:
        self.path = str(path)
        self._wal_limit = wal_limit  # the write-ahead log's bound in bytes (checkpoint.py)
        self._synchronous = synchronous
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outbox_signal: asyncio.Event | None = None
        # replaced by a fresh one each time events are recorded: readers of the live feed wait on
        # the one they saw before reading, so no notification falls between read and wait
        self._events_signal: asyncio.Event | None = None
        self._wants_sync = synchronous.upper() in ("FULL", "EXTRA")
        self._written = 0  # durable commits so far
        # group commit (flusher.py); the log's flush is looked up at each call
        self._flusher = Flusher(
            self.path + "-wal", lambda fd: self._flush_log(fd), lambda: self._written
        )
        self._checkpoints: Checkpointer | None = None

    @classmethod
    def _schemas(cls) -> list[str]:
        return [vars(part)["SCHEMA"] for part in reversed(cls.__mro__) if vars(part).get("SCHEMA")]

    def _project(self, db: sqlite3.Connection, row: sqlite3.Row) -> Project:
        by_status = dict(
            db.execute(
                "SELECT status, n FROM task_counts WHERE project_id = ?", (row["id"],)
            ).fetchall()
        )
        return Project(
            id=row["id"],
            client_id=row["client_id"],
            spec=spec_from_json(row["spec"]),
            status=row["status"],
            created_at=row["created_at"],
            counts={"tasks": sum(by_status.values())}
            | {status: by_status.get(status, 0) for status in PROJECT_COUNTS[1:]},
        )

    def _load(self, db: sqlite3.Connection, assignment_id: str) -> tuple[Assignment, Task]:
        row = db.execute(
            f"SELECT {_ASSIGNMENT_COLUMNS} FROM assignments WHERE id = ?", (assignment_id,)
        ).fetchone()
        if row is None:
            raise NotFound("no such assignment", field="assignment_id")
        assignment = _assignment(row)
        task = _task(
            db.execute(
                f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", (assignment.task_id,)
            ).fetchone()
        )
        return assignment, task

    def _set_status(
        self, db: sqlite3.Connection, assignment: Assignment, **changes: Any
    ) -> Assignment:
        columns = ", ".join(f"{name} = ?" for name in changes)
        values = [
            json.dumps(v) if name in ("result", "signals") else v for name, v in changes.items()
        ]
        changed = db.execute(
            f"UPDATE assignments SET {columns} WHERE id = ? RETURNING {_ASSIGNMENT_COLUMNS}",
            (*values, assignment.id),
        ).fetchall()
        return _assignment(changed[0])

    @classmethod
    def _added_columns(cls) -> list[tuple[str, str, str]]:
        return [c for part in reversed(cls.__mro__) for c in vars(part).get("ADDED_COLUMNS", ())]

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("store is not open")
        return self._db

    async def open(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # FULL's flushes happen in sync()
        db.execute("PRAGMA busy_timeout=10000")
        if self.path != ":memory:":
            db.execute("PRAGMA wal_autocheckpoint=0")  # Checkpointer does it, mostly off the loop
            db.execute(f"PRAGMA journal_size_limit={self._wal_limit}")
            self._checkpoints = Checkpointer(self.path, limit=self._wal_limit)
        for schema in self._schemas():
            db.executescript(schema)
        for table, column, declaration in self._added_columns():
            present = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
            if present and column not in present:  # a table not there yet is made with it
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
        for part in reversed(type(self).__mro__):
            for name, create, fill in vars(part).get("ADDED_TABLES", ()):
                self._add_table(db, name, create, fill)
            # at once: a trigger replaced is never missing while another process writes
            db.execute("BEGIN IMMEDIATE")
            for index in vars(part).get("ADDED_INDEXES", ()):
                db.execute(index)
            db.execute("COMMIT")
        self._db = db
        self._loop = asyncio.get_running_loop()
        self._outbox_signal = asyncio.Event()
        self._events_signal = asyncio.Event()

    @staticmethod
    def _add_table(db: sqlite3.Connection, name: str, create: str, fill: str) -> None:
        db.execute("BEGIN IMMEDIATE")  # two processes opening at once: one makes it
        try:
            if not db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone():
                db.execute(create)
                db.execute(fill)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    async def ping(self) -> None:
        """Raise unless the database answers (readiness)."""
        self._conn().execute("SELECT 1").fetchone()

    async def close(self) -> None:
        if self._db is not None:
            await self.sync()
            await self._flusher.aclose()
            if self._checkpoints is not None:
                await self._checkpoints.aclose()  # first: closing the last one checkpoints
            self._db.close()
            self._db = None

    def track_writes(self) -> None:
        _OWN_COMMITS.set([0])

    async def sync(self) -> None:
        """Make the durable commits of this request (``track_writes``; else every one so far)
        survive power loss (``synchronous=FULL``). A request that committed nothing durable
        returns at once: an answer waits for its own writes, not for others' (which their own
        answers wait for; a write that builds on another is a later commit in the same log,
        and its flush covers both).

        The flush runs in a thread of its own (``flusher.py``), so the event loop goes on
        meanwhile, and one flush covers every commit made before it began (group commit).
        """
        if not self._wants_sync or self._loop is None:
            return
        own = _OWN_COMMITS.get()
        await self._flusher.wait_for(self._written if own is None else own[0])

    @staticmethod
    def _flush_log(fd: int) -> None:
        _flush_data(fd)

    @contextmanager
    def _tx(self, *, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction. ``durable=False`` marks bookkeeping whose loss in a power
        failure only repeats work (a lease, a delivery record): ``sync()`` need not wait for
        it, though the next flush covers it too. A crashed process loses nothing either way."""
        db = self._db
        if db is None:
            raise RuntimeError("store is not open")
        with self._lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            if durable:
                self._written += 1
                own = _OWN_COMMITS.get()
                if own is not None:
                    own[0] = self._written
            if self._checkpoints is not None:
                self._checkpoints.committed()

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        db = self._db
        if db is None:
            raise RuntimeError("store is not open")
        with self._lock:
            return db.execute(sql, params).fetchall()

    def _notify_outbox(self) -> None:
        """Wake the delivery loop and the live event readers: events were recorded."""
        self._signal(self._wake_all)

    def _signal(self, wake: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            wake()
        else:
            with suppress(RuntimeError):  # the loop may already be closed
                loop.call_soon_threadsafe(wake)

    def _wake_all(self) -> None:
        if self._outbox_signal is not None:
            self._outbox_signal.set()
        if self._events_signal is not None:
            self._events_signal.set()
            self._events_signal = asyncio.Event()

    def _event(
        self,
        db: sqlite3.Connection,
        client_id: str,
        type: str,
        data: dict[str, Any],
        *,
        now: float,
        endpoint_id: str | None = None,
    ) -> tuple[Event, list[str]]:
        """Write an event and its outbox messages; the caller's transaction commits both."""
        event = Event(id=new_id("evt"), client_id=client_id, type=type, created_at=now, data=data)
        db.execute(
            "INSERT INTO events (id, client_id, type, created_at, data) VALUES (?,?,?,?,?)",
            (event.id, client_id, type, now, json.dumps(data)),
        )
        return event, self._queue_messages(db, event, endpoint_id)

    def _queue_messages(
        self, db: sqlite3.Connection, event: Event, endpoint_id: str | None
    ) -> list[str]:
        """Write an event's outbox messages: the webhooks part does (webhooks/sqlite/outbox.py),
        by its rules of who hears what."""
        raise NotImplementedError
