"""What clients do with their webhooks beyond receiving them: read the delivery log, replay
messages, rotate secrets, enable and disable endpoints (automatically, too).

An endpoint's messages live in every partition of its client (the client's and its projects'),
each indexed there by endpoint (``emsgs:<endpoint>[:<status>]``, sorted by creation): the log
merges those indexes newest first, as listings of assignments do.
"""

from __future__ import annotations

import heapq
import json
import re
from typing import Any

from redis.asyncio.client import Pipeline

from ...core.errors import InvalidInput, NotFound
from ...core.page import Page
from ...core.records import Attempt, Endpoint, Message
from ...store.redis import keys
from ...store.redis.codec import endpoint_from, hash_of, opt_text, texts
from ..rules import (
    Schedule,
    changed_endpoint,
    check_replay,
    check_replay_failed,
    disabled_endpoint,
    replay_schedule,
    rotated_endpoint,
)
from ..store import Backlog, EndpointChange, MessageQuery
from .delivery import DeliveryPart, message_from

__all__ = ["DeliveryLogPart"]

_CURSOR = re.compile(r"\d{16}:\d{12}:\S+")  # a sort key (messages.lua) and a message id
_SORT_CHARS = 30


def _schedule_args(schedule: Schedule) -> tuple[str, str]:
    return str(schedule.attempts), repr(schedule.next_attempt_at)


class DeliveryLogPart(DeliveryPart):
    async def outbox_backlog(self) -> list[Backlog]:
        # each client with endpoints: its endpoints' pending index in each of its partitions,
        # whose first member (lex: sort key = creation time) is the oldest there
        clients = sorted(
            p for p in texts(await self.r.smembers(keys.PARTITIONS)) if p[:4] == "cli_"
        )
        pipe = self.r.pipeline(transaction=False)
        for client_id in clients:
            pipe.hkeys(keys.part(client_id) + "endpoints")
            pipe.zrange(keys.part(client_id) + "projects", 0, -1)
        listed = await pipe.execute()
        pairs = []
        pipe = self.r.pipeline(transaction=False)
        for i, client_id in enumerate(clients):
            endpoint_ids, projects = texts(listed[2 * i]), texts(listed[2 * i + 1])
            for endpoint_id in sorted(endpoint_ids):
                for partition in (client_id, *projects):
                    index = keys.part(partition) + "emsgs:" + endpoint_id + ":pending"
                    pipe.zcard(index)
                    pipe.zrange(index, 0, 0)
                    pairs.append(endpoint_id)
        found = await pipe.execute()
        pending: dict[str, int] = {}
        oldest: dict[str, float] = {}
        for j, endpoint_id in enumerate(pairs):
            count, first = int(found[2 * j]), texts(found[2 * j + 1])
            if count:
                pending[endpoint_id] = pending.get(endpoint_id, 0) + count
                made = int(first[0][:16]) / 1_000_000  # the sort key's microseconds
                oldest[endpoint_id] = min(oldest.get(endpoint_id, made), made)
        return [Backlog(e, n, oldest[e]) for e, n in pending.items()]

    # -- endpoints --------------------------------------------------------------------------

    async def update_endpoint(self, endpoint_id: str, change: EndpointChange) -> Endpoint:
        def apply(e: Endpoint) -> Endpoint:
            return changed_endpoint(e, change)

        changed = await self._change_endpoint(endpoint_id, apply)
        assert changed is not None  # a client's change never declines
        return changed[1]

    async def rotate_endpoint_secret(
        self, endpoint_id: str, secret: str, *, now: float, old_valid_until: float
    ) -> Endpoint:
        def change(e: Endpoint) -> Endpoint:
            return rotated_endpoint(e, secret, now=now, old_valid_until=old_valid_until)

        changed = await self._change_endpoint(endpoint_id, change)
        assert changed is not None
        return changed[1]

    async def disable_endpoint(self, endpoint_id: str, *, reason: str, now: float) -> bool:
        def change(e: Endpoint) -> Endpoint | None:
            return disabled_endpoint(e, reason)

        def event(e: Endpoint) -> dict[str, Any]:
            return {
                "endpoint_id": e.id,
                "url": e.url,
                "reason": reason,
                "failing_since": e.failing_since,
            }

        changed = await self._change_endpoint(endpoint_id, change, event=event, now=now)
        return changed is not None

    async def _endpoint_or_404(self, endpoint_id: str) -> Endpoint:
        endpoint = await self._endpoint(endpoint_id)
        if endpoint is None:
            raise NotFound("no such webhook endpoint", field="endpoint_id")
        return endpoint

    # -- messages ---------------------------------------------------------------------------

    async def _message_row(self, message_id: str) -> tuple[str, dict[str, str]] | None:
        partition = await self._message_partition(message_id)
        if partition is None:
            return None
        row = hash_of(await self.r.hgetall(keys.part(partition) + "msg:" + message_id))
        return (partition, row) if row else None

    async def list_attempts(self, message_id: str) -> list[Attempt]:
        partition = await self._message_partition(message_id)
        if partition is None:
            return []
        rows = texts(await self.r.lrange(keys.part(partition) + "attempts:" + message_id, 0, -1))
        return [Attempt(**json.loads(row)) for row in rows]

    async def get_message(self, message_id: str) -> Message | None:
        found = await self._message_row(message_id)
        if found is None:
            return None
        partition, row = found
        client_id = await self._client_of_partition(partition)
        if client_id is None:
            return None
        raw = opt_text(await self.r.hget(keys.part(client_id) + "endpoints", row["endpoint"]))
        return None if raw is None else message_from(row, endpoint_from(raw))

    async def list_messages(self, endpoint_id: str, query: MessageQuery) -> Page[Message]:
        status, cursor, limit = query.status, query.cursor, query.limit
        if cursor is not None and not _CURSOR.fullmatch(cursor):
            raise InvalidInput("not a cursor from a previous page", field="cursor")
        endpoint = await self._endpoint(endpoint_id)
        if endpoint is None:
            return Page([], None)
        index = "emsgs:" + endpoint_id + ("" if status is None else ":" + status)
        partitions = await self._client_partitions(endpoint.client_id)
        top = "+" if cursor is None else "(" + cursor
        pipe = self.r.pipeline(transaction=False)
        for partition in partitions:
            pipe.zrevrangebylex(keys.part(partition) + index, top, "-", start=0, num=limit + 1)
        answers = await pipe.execute()
        merged = heapq.nlargest(
            limit + 1,
            ((member, partition) for partition, found in zip(partitions, answers, strict=True)
             for member in found),
        )  # fmt: skip
        page = merged[:limit]
        pipe = self.r.pipeline(transaction=False)
        for member, partition in page:
            pipe.hgetall(keys.part(partition) + "msg:" + member[_SORT_CHARS:])
        rows = [hash_of(h) for h in await pipe.execute()]
        items = [message_from(row, endpoint) for row in rows if row]
        more = len(merged) > limit
        return Page(items, page[-1][0] if more else None)

    async def replay_message(self, message_id: str, *, now: float) -> Message:
        fresh = replay_schedule(now)
        while True:  # compare-and-set: the message is still in the status the rule saw
            found = await self._message_row(message_id)
            if found is None:
                raise NotFound("no such webhook message", field="message_id")
            partition, row = found
            check_replay(row["status"], await self._endpoint_or_404(row["endpoint"]))
            answer = await self._eval(
                "replay", partition, *_schedule_args(fresh), "one", message_id, row["status"]
            )
            if answer == "missing":
                raise NotFound("no such webhook message", field="message_id")
            if answer != "changed":
                break
        await self._replayed([partition], now)
        replayed = await self.get_message(message_id)
        assert replayed is not None
        return replayed

    async def replay_failed(self, endpoint_id: str, *, since: float, now: float) -> int:
        endpoint = await self._endpoint_or_404(endpoint_id)
        check_replay_failed(endpoint)
        fresh = replay_schedule(now)
        partitions = await self._client_partitions(endpoint.client_id)

        def build(pipe: Pipeline) -> None:
            for partition in partitions:
                self._queue(
                    pipe,
                    "replay",
                    partition,
                    *_schedule_args(fresh),
                    "failed",
                    endpoint_id,
                    repr(since),
                )

        counts = [int(n) for n in await self._pipeline(build)]
        await self._replayed([p for p, n in zip(partitions, counts, strict=True) if n], now)
        return sum(counts)

    async def _replayed(self, partitions: list[str], now: float) -> None:
        if not partitions:
            return
        pipe = self.r.pipeline(transaction=False)
        for partition in partitions:
            pipe.zadd(keys.DUE_OUTBOX, {partition: now}, lt=True)
        pipe.publish(keys.OUTBOX_CHANNEL, "replayed")
        await pipe.execute()
