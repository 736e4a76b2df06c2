"""The live feed of a client's events (``crowdframe listen``): the events table's order is the
cursor, so a reader that reconnects resumes exactly where it stopped."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from contextlib import suppress

from ...core.errors import InvalidInput
from ...core.records import Event
from ...store.sqlite.base import SqliteBase

__all__ = ["LivePart"]

# Another process writing to the same file does not wake this one's readers: they look again
# this often while they wait.
_POLL_SECONDS = 0.25


def _after(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        value = int(cursor)
    except ValueError:
        raise InvalidInput("not an event cursor", field="after") from None
    if value < 0:
        raise InvalidInput("not an event cursor", field="after")
    return value


def _event(row: sqlite3.Row) -> Event:
    data = json.loads(row["data"])
    return Event(row["id"], row["client_id"], row["type"], row["created_at"], data)


class LivePart(SqliteBase):
    async def event_cursor(self, client_id: str) -> str:
        rows = self._read("SELECT MAX(seq) AS seq FROM events WHERE client_id = ?", (client_id,))
        return str(rows[0]["seq"] or 0)

    async def read_events(
        self, client_id: str, *, after: str | None, limit: int, wait: float = 0.0
    ) -> list[tuple[str, Event]]:
        seq = _after(after)
        deadline = time.monotonic() + wait
        while True:
            signal = self._events_signal  # before reading: a later record_event replaces it
            rows = self._read(
                "SELECT seq, id, client_id, type, created_at, data FROM events"
                " WHERE client_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                (client_id, seq, limit),
            )
            remaining = deadline - time.monotonic()
            if rows or remaining <= 0 or signal is None:
                return [
                    (
                        str(r["seq"]),
                        Event(
                            r["id"],
                            r["client_id"],
                            r["type"],
                            r["created_at"],
                            json.loads(r["data"]),
                        ),
                    )
                    for r in rows
                ]
            with suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, _POLL_SECONDS)):
                    await signal.wait()
