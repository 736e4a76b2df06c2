"""Write-ahead-log checkpoints in a thread, so the event loop seldom waits for one.

SQLite's own automatic checkpoint runs inside the COMMIT that crosses its threshold, on the
connection that committed: it copies the log into the database file and flushes both to disk,
which stops the event loop for 10-20 ms every thousand pages or so (measured on loopback, the
p99 of a webhook's latency). Here the store's connection has ``wal_autocheckpoint=0`` and, every
``every`` commits, a second connection checkpoints from a worker thread (PASSIVE, as SQLite's
own does: it blocks no reader and no writer).

The log starts again from its beginning only when a write begins after a checkpoint copied all
of it, which commits made during the checkpoint prevent: under a steady stream of writes the
log would grow for as long as the stream lasts. Once it holds more than ``catch_up_frames``, the
thread copies the rest while holding the store's lock (no commit of this process starts
meanwhile): the one pause left, once per that many frames (about 32 MB), not per thousand pages.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from contextlib import suppress

__all__ = ["Checkpointer"]

COMMITS_PER_CHECKPOINT = 200
CATCH_UP_FRAMES = 8000  # pages of 4 KiB


class Checkpointer:
    def __init__(
        self,
        path: str,
        lock: threading.RLock,
        *,
        every: int = COMMITS_PER_CHECKPOINT,
        catch_up_frames: int = CATCH_UP_FRAMES,
    ) -> None:
        self._path = path
        self._lock = lock
        self._every = every
        self._catch_up_frames = catch_up_frames
        self._commits = 0
        self._running: asyncio.Future[None] | None = None
        self._db: sqlite3.Connection | None = None  # used by one worker thread at a time

    def committed(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """Count a commit; start a checkpoint when enough accumulated and none is running.
        Commits made off the store's loop are counted, and checkpointed by a later one."""
        self._commits += 1
        if self._commits < self._every or loop is None:
            return
        if self._running is not None and not self._running.done():
            return
        try:
            if asyncio.get_running_loop() is not loop:
                return
        except RuntimeError:
            return
        self._commits = 0
        self._running = loop.run_in_executor(None, self._checkpoint)

    def _checkpoint(self) -> None:
        if self._db is None:
            self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.execute("PRAGMA synchronous=NORMAL")
        _busy, frames, _copied = self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        if frames > self._catch_up_frames:
            with self._lock:
                self._db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def aclose(self) -> None:
        if self._running is not None:
            with suppress(sqlite3.Error):
                await self._running
            self._running = None
        if self._db is not None:
            self._db.close()
            self._db = None
