"""Write-ahead-log checkpoints: mostly from a thread, and from the write path once the log is
over its limit, so that the log stays bounded whatever the caller does.

SQLite's own automatic checkpoint runs inside the COMMIT that crosses its threshold, on the
connection that committed: it copies the log into the database file and flushes both to disk,
which stops the event loop for 10-20 ms every thousand pages or so (measured on loopback, the
p99 of a webhook's latency). Here the store's connection has ``wal_autocheckpoint=0`` and tells
the ``Checkpointer`` of each commit, holding the store's lock:

- every ``every`` commits, a second connection checkpoints from the checkpointer's own thread
  (PASSIVE, as SQLite's own does: it blocks no reader and no writer). Whether that thread is
  still busy is asked of the thread, not of the event loop: a loop of store calls that never
  yields still gets its checkpoints (it got one only, when an asyncio future said so).
- the log starts again from its beginning only when a write begins after a checkpoint copied all
  of it, which commits made during a PASSIVE checkpoint prevent: under a steady stream of writes
  the log would grow for as long as the stream lasts. So a commit that leaves the log file over
  ``limit`` bytes folds it in at once, on the committing thread, still holding the store's lock
  (no commit of this process starts meanwhile): a RESTART checkpoint copies what the thread has
  not copied yet, and the next commit writes the log from its beginning and cuts the file back
  to ``limit`` (``journal_size_limit``). The one pause left, once per ``limit`` bytes written.
  The file is over ``limit`` only after the commit that crossed it, by that commit's size.
  (TRUNCATE would empty the file at once, but a log that grows its file anew each time made
  steady writes 20% slower than one written over in place.)

The fold does not wait for readers (its connection's busy timeout is zero): a read transaction
held elsewhere (``sqlite3 .backup``, another process) pins the log, which then grows while that
reader lasts; the first commits after the reader ends fold it in and cut it back. A log left
large, by an older gateway too, is cut back the same way.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress

__all__ = ["COMMITS_PER_CHECKPOINT", "WAL_LIMIT", "Checkpointer"]

COMMITS_PER_CHECKPOINT = 200
WAL_LIMIT = 32 * 1024 * 1024  # bytes of write-ahead log before a commit folds it in


class Checkpointer:
    def __init__(
        self, path: str, *, every: int = COMMITS_PER_CHECKPOINT, limit: int = WAL_LIMIT
    ) -> None:
        self._path = path
        self._log = path + "-wal"
        self._every = every
        self._limit = limit
        self._commits = 0
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")
        self._running: Future[None] | None = None
        self._db: sqlite3.Connection | None = None
        self._using_db = threading.Lock()  # the thread's checkpoint or a fold, one at a time

    def committed(self) -> None:
        """Count a commit (the caller holds the store's lock); fold the log in if it is over the
        limit, else start the thread's checkpoint when enough commits accumulated."""
        self._commits += 1
        if self._log_size() > self._limit:
            self._fold()
            return
        if self._commits < self._every:
            return
        if self._running is not None and not self._running.done():
            return
        self._commits = 0
        self._running = self._thread.submit(self._checkpoint, "PASSIVE")

    def _log_size(self) -> int:
        try:
            return os.stat(self._log).st_size
        except FileNotFoundError:
            return 0

    def _fold(self) -> None:
        """Copy the rest of the log so that the next commit starts it again; a reader pinning
        it makes this a no-op that the next commit tries again."""
        with suppress(sqlite3.OperationalError):  # the commit stands; the next one tries again
            self._checkpoint("RESTART")
        self._commits = 0

    def _checkpoint(self, mode: str) -> None:
        with self._using_db:
            if self._db is None:
                self._db = sqlite3.connect(
                    self._path, isolation_level=None, check_same_thread=False
                )
                self._db.execute("PRAGMA busy_timeout=0")  # never wait for a reader
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()

    async def aclose(self) -> None:
        if self._running is not None:
            with suppress(sqlite3.Error):
                await asyncio.wrap_future(self._running)
            self._running = None
        self._thread.shutdown(wait=True)
        with self._using_db:
            if self._db is not None:
                self._db.close()
                self._db = None
