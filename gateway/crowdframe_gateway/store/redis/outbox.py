"""Webhook endpoints, events and the outbox.

Outbox messages live in the partition of the change that caused them (a project's, or the
client's for events that belong to no project), written by that change's script. Delivery
finds them through the DUE_OUTBOX hint index (see ``RedisBase``): a process takes a partition,
leases its due messages in one script, and puts the partition's next due time back.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ...records import Attempt, Endpoint, Event, Message, now
from ..base import DeliveryOutcome
from . import keys
from .base import RedisBase
from .codec import endpoint_from, endpoint_to, event_from, fields, opt_text, texts

__all__ = ["OutboxPart"]

_STATUS = {"delivered": "delivered", "retry": "pending", "failed": "failed"}


class OutboxPart(RedisBase):
    async def create_endpoint(self, endpoint: Endpoint) -> None:
        p = keys.part(endpoint.client_id)
        pipe = self.r.pipeline(transaction=True)  # one partition: MULTI/EXEC
        pipe.hset(p + "endpoints", endpoint.id, endpoint_to(endpoint))
        pipe.rpush(p + "endpoint-order", endpoint.id)
        await pipe.execute()
        await self.r.set(keys.ENDPOINT_INDEX + endpoint.id, endpoint.client_id)

    async def get_endpoint(self, endpoint_id: str) -> Endpoint | None:
        client_id = opt_text(await self.r.get(keys.ENDPOINT_INDEX + endpoint_id))
        if client_id is None:
            return None
        found = opt_text(await self.r.hget(keys.part(client_id) + "endpoints", endpoint_id))
        return None if found is None else endpoint_from(found)

    async def list_endpoints(self, client_id: str) -> list[Endpoint]:
        return await self._endpoints(client_id)

    async def record_event(
        self, client_id: str, type: str, data: dict[str, Any], *, endpoint_id: str | None = None
    ) -> tuple[Event, list[str]]:
        at = now()
        if endpoint_id is None:
            targets = await self._targets(client_id, [type])
        else:
            targets = {type: [endpoint_id]}
        ctx = self._ctx(client_id, client_id, at, targets)
        event_id, message_ids = await self._eval("event", client_id, ctx, type, json.dumps(data))
        if message_ids:
            await self._hint(keys.DUE_OUTBOX, client_id, at)
        return Event(event_id, client_id, type, at, data), list(message_ids)

    async def lease_messages(
        self, *, now: float, limit: int, lease_seconds: float
    ) -> list[Message]:
        leased: list[dict[str, str]] = []
        for partition in await self._due_partitions(keys.DUE_OUTBOX, now, limit):
            if len(leased) >= limit:
                break
            if not await self._take(keys.DUE_OUTBOX, partition):
                continue  # another process is leasing from it
            earliest: float | str = now  # if the lease fails, look again next time
            try:
                rows, earliest = await self._eval(
                    "lease", partition, repr(now), limit - len(leased), repr(now + lease_seconds)
                )
                leased.extend(fields(row) for row in rows)
            finally:
                await self._hint(keys.DUE_OUTBOX, partition, earliest)
        return await self._messages(leased, now + lease_seconds)

    async def _messages(self, rows: list[dict[str, str]], leased_until: float) -> list[Message]:
        events = [event_from(row["event"]) for row in rows]
        pipe = self.r.pipeline(transaction=False)
        for row, event in zip(rows, events, strict=True):
            pipe.hget(keys.part(event.client_id) + "endpoints", row["endpoint"])
        endpoints = await pipe.execute()
        return [
            Message(
                id=row["id"],
                event=event,
                endpoint=endpoint_from(endpoint),
                status="pending",
                attempts=int(row["attempts"]),
                next_attempt_at=float(row["next_attempt_at"]),  # as it was before this lease
            )
            for row, event, endpoint in zip(rows, events, endpoints, strict=True)
            if endpoint is not None
        ]

    async def _message_partition(self, message_id: str) -> str | None:
        partition = keys.message_partition(message_id)
        if partition is None:
            partition = opt_text(await self.r.get(keys.MESSAGE_INDEX + message_id))
        return partition

    async def finish_attempt(
        self, attempt: Attempt, outcome: DeliveryOutcome, *, next_attempt_at: float | None
    ) -> None:
        partition = await self._message_partition(attempt.message_id)
        if partition is None:
            return
        await self._eval(
            "finish",
            partition,
            attempt.message_id,
            _STATUS[outcome],
            "" if next_attempt_at is None else repr(next_attempt_at),
            json.dumps(dataclasses.asdict(attempt)),
        )
        if outcome == "retry" and next_attempt_at is not None:
            await self._hint(keys.DUE_OUTBOX, partition, next_attempt_at)

    async def list_attempts(self, message_id: str) -> list[Attempt]:
        partition = await self._message_partition(message_id)
        if partition is None:
            return []
        rows = texts(await self.r.lrange(keys.part(partition) + "attempts:" + message_id, 0, -1))
        return [Attempt(**json.loads(row)) for row in rows]
