"""Group commit for ``synchronous=FULL``: the write-ahead log is flushed to disk from a thread
of its own, so the event loop never waits on the disk, and one flush covers every commit made
before it began.

The thread flushes for as long as answers wait for it: a flush that ends with answers still
waiting (their commits came during it) is followed at once by the next, from the same thread.
Each answer waits on a future of its own; the flush that covered its commit wakes all of those
in one turn of the event loop. (A flush the event loop had to start again after each one waited
for the loop's turns in between: in the work cycle `make bench` runs, 19 flushes a second of
2.5 ms each, and answers waiting a median 37 ms for them. A lock instead of the futures would
wake its waiters one per turn.)

The log is opened for each flush (a checkpoint may cut it back to nothing meanwhile); a log
that is not there has nothing to flush: the checkpoint that removed it synced the database.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from contextlib import suppress

__all__ = ["Flusher"]


class Flusher:
    """Waits for the commits numbered up to a target to be on disk.

    ``flush`` flushes an open file (the log's descriptor); ``written`` is the number of the
    last durable commit made, read by the thread as each flush begins.
    """

    def __init__(self, wal: str, flush: Callable[[int], None], written: Callable[[], int]):
        self._wal, self._flush, self._written = wal, flush, written
        self.synced = 0  # durable commits known to be on disk, as the event loop last heard
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._wanted = threading.Event()  # set by an answer that waits, and to stop
        self._closing = False
        self._thread: threading.Thread | None = None

    async def wait_for(self, target: int) -> None:
        """Return once commit ``target`` is on disk; raise the error of the flush that should
        have covered it (the next caller's flush tries again)."""
        if self.synced >= target:
            return
        loop = asyncio.get_running_loop()
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, args=(loop,), name="wal-flush", daemon=True
            )
            self._thread.start()
        waiter = loop.create_future()
        self._waiters.append((target, waiter))
        self._wanted.set()
        await waiter  # a caller that gives up cancels its own future only

    async def aclose(self) -> None:
        """Stop the thread; a store opened again starts another at its first wait."""
        thread, self._closing = self._thread, True
        self._wanted.set()
        if thread is not None:
            await asyncio.to_thread(thread.join)
        self._thread, self._closing = None, False
        self._wanted.clear()

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()  # an answer that waits from now on sets it again: next flush
            if self._closing:
                return
            covered = self._written()
            error: Exception | None = None
            try:
                fd = os.open(self._wal, os.O_RDONLY)
                try:
                    self._flush(fd)
                finally:
                    os.close(fd)
            except FileNotFoundError:
                pass
            except Exception as exc:  # the disk failed: the answers waiting for it fail
                error = exc
            with suppress(RuntimeError):  # the loop is closed: no one is left to wake
                loop.call_soon_threadsafe(self._flushed, covered, error)

    def _flushed(self, covered: int, error: Exception | None) -> None:
        """On the event loop: wake the answers whose commits the flush covered."""
        if error is None:
            self.synced = max(self.synced, covered)
        woken = [w for target, w in self._waiters if target <= covered]
        self._waiters = [(t, w) for t, w in self._waiters if t > covered]
        for waiter in woken:
            if waiter.done():  # its caller gave up
                continue
            if error is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(error)
