"""Webhook endpoints and events.

Outbox messages live in the partition of the change that caused them (a project's, or the
client's for events that belong to no project), written by that change's script; delivery.py
leases and settles them, delivery_log.py is what clients read and replay.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ...core.records import Endpoint, Event, now
from ...store.redis import keys
from ...store.redis.base import RedisBase
from ...store.redis.codec import endpoint_from, endpoint_to, opt_text
from ..rules import fan_out

__all__ = ["OutboxPart"]


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

    async def _targets(self, client_id: str, types: Iterable[str]) -> dict[str, list[str]]:
        endpoints = await self._endpoints(client_id)
        return {t: fan_out(endpoints, t) for t in types}

    async def record_event(
        self, client_id: str, type: str, data: dict[str, Any], *, endpoint_id: str | None = None
    ) -> tuple[Event, list[str]]:
        at = now()
        endpoints = [] if endpoint_id is not None else await self._endpoints(client_id)
        targets = {type: fan_out(endpoints, type, endpoint_id=endpoint_id)}
        ctx = self._ctx(client_id, client_id, at, targets)
        event_id, message_ids = await self._eval("event", client_id, ctx, type, json.dumps(data))
        if message_ids:
            await self._hint(keys.DUE_OUTBOX, client_id, at)
        return Event(event_id, client_id, type, at, data), list(message_ids)
