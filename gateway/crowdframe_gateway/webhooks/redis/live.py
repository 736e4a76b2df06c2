"""The live feed of a client's events (``crowdframe listen``).

Each event is recorded in its partition's stream (``cf:{P}:events``) by the script that made
it; a Cluster slot holds one partition, so no script can also append it to the client's feed
(``cf:{cli}:feed``) when the partition is a project. The feed is filled by copying instead:
a reader copies what its client's partitions recorded since the feed's mark for each (``fed``,
feed_copy.lua), so a copy made twice (two readers at once) is appended once, and a partition's
events keep their order. The feed's stream ids are the cursors. Scripts that record events
publish the client on ``cf:events``, which wakes the readers waiting in any process.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import logging
import re
import time
from contextlib import suppress
from typing import Any

from ...core.errors import InvalidInput
from ...core.records import Event
from ...store.redis import keys
from ...store.redis.codec import event_from, hash_of, text
from .delivery import DeliveryPart

__all__ = ["LivePart"]

log = logging.getLogger("crowdframe.store.redis")

_CURSOR = re.compile(r"\d{1,20}-\d{1,20}")
_COPY_BATCH = 500
_POLL_SECONDS = 1.0  # a wakeup lost with the pub/sub connection delays a reader this long


def _after(cursor: str | None) -> str:
    if cursor is None:
        return "0-0"
    if not _CURSOR.fullmatch(cursor):
        raise InvalidInput("not an event cursor", field="after")
    return cursor


class LivePart(DeliveryPart):
    _feed_signal: asyncio.Event | None = None
    _feed_listener: asyncio.Task[None] | None = None

    async def close(self) -> None:
        if self._feed_listener is not None:
            self._feed_listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._feed_listener
            self._feed_listener = None
        await super().close()

    async def _copy_feed(self, client_id: str) -> None:
        """Copy into the client's feed what its partitions recorded since the last copy, in the
        order the events were recorded (by time, each partition's in its stream order)."""
        feed = keys.part(client_id)
        partitions = await self._client_partitions(client_id)
        pipe = self.r.pipeline(transaction=False)
        pipe.hgetall(feed + "fed")
        for partition in partitions:
            pipe.xrevrange(keys.part(partition) + "events", count=1)
        answers: list[Any] = await pipe.execute()
        marks, lasts = hash_of(answers[0]), answers[1:]
        runs: list[list[tuple[float, str, str, dict[str, str]]]] = []
        for partition, last in zip(partitions, lasts, strict=True):
            mark = marks.get(partition, "0-0")
            if not last or not _newer(text(last[0][0]), mark):
                continue
            entries = await self._entries(keys.part(partition) + "events", mark, _COPY_BATCH)
            runs.append(
                [(float(json.loads(e["event"])["created_at"]), partition, i, e) for i, e in entries]
            )
        # merged by time, each partition's events kept in its stream order: a partition's
        # timestamps come from its writers' clocks and need not rise, and the mark is per stream
        new = list(heapq.merge(*runs, key=lambda e: (e[0], e[1])))
        run: list[str] = []  # consecutive events of one partition: one script call
        for i, (_, partition, entry_id, entry) in enumerate(new):
            run += [entry_id, entry["id"], entry["event"]]
            if i + 1 == len(new) or new[i + 1][1] != partition:
                await self._eval("feed_copy", client_id, partition, *run)
                run = []

    async def _entries(
        self, stream: str, after: str, count: int
    ) -> list[tuple[str, dict[str, str]]]:
        found: Any = await self.r.xrange(stream, f"({after}", "+", count=count)
        return [(text(i), hash_of(entry)) for i, entry in found]

    async def event_cursor(self, client_id: str) -> str:
        await self._copy_feed(client_id)
        newest: Any = await self.r.xrevrange(keys.part(client_id) + "feed", count=1)
        return text(newest[0][0]) if newest else "0-0"

    async def read_events(
        self, client_id: str, *, after: str | None, limit: int, wait: float = 0.0
    ) -> list[tuple[str, Event]]:
        start = _after(after)
        deadline = time.monotonic() + wait
        while True:
            signal = self._feed_wakeup() if wait > 0 else None  # before reading
            await self._copy_feed(client_id)
            found = await self._entries(keys.part(client_id) + "feed", start, limit)
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or signal is None:
                return [(i, event_from(e["event"])) for i, e in found]
            with suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, _POLL_SECONDS)):
                    await signal.wait()

    # -- wakeups ----------------------------------------------------------------------------

    def _feed_wakeup(self) -> asyncio.Event:
        """The event set when any process records an event next (then replaced)."""
        if self._feed_signal is None:
            self._feed_signal = asyncio.Event()
        if self._feed_listener is None:
            self._feed_listener = asyncio.create_task(self._listen_feed(), name="crowdframe-feed")
        return self._feed_signal

    async def _listen_feed(self) -> None:
        while True:
            try:
                async with self.r.pubsub() as pubsub:
                    await pubsub.subscribe(keys.EVENTS_CHANNEL)
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=30
                        )
                        if message is not None:
                            self._wake_readers()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a lost connection: readers look again, then resubscribe
                log.warning("redis pub/sub for events lost (%s); resubscribing", exc)
                self._wake_readers()
                await asyncio.sleep(0.5)

    def _wake_readers(self) -> None:
        if self._feed_signal is not None:
            self._feed_signal.set()
            self._feed_signal = asyncio.Event()


def _stream_id(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq)


def _newer(a: str, b: str) -> bool:
    """Stream id ``a`` comes after ``b``."""
    return _stream_id(a) > _stream_id(b)
