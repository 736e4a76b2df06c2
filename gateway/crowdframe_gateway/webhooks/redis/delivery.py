"""Delivery: leasing due messages fairly (per-task order, a cap per endpoint) and settling them.

A process takes a partition from the DUE_OUTBOX hint index (see ``RedisBase``) and leases its
due messages in one script (lease_messages.lua), which keeps a task's messages to an endpoint
in order. The cap on an endpoint's leases counts leases from every partition, so it lives in
the client's partition (``inflight:<endpoint>``, slots.lua): a message leased from a project
partition then takes a slot there, or is given back (unlease.lua) if the endpoint is full.
Settling logs the attempt in the message's partition (finish_message.lua), frees the slot and
keeps the endpoint's ``failing_since`` (a compare-and-set in the client partition).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

from redis.asyncio.client import Pipeline

from ...core.errors import NotFound
from ...core.records import Attempt, Endpoint, Message
from ...core.records import now as clock
from ...store.redis import keys
from ...store.redis.base import RedisBase
from ...store.redis.codec import endpoint_from, endpoint_to, event_from, fields, opt_text, texts
from ..store import AttemptResult, DeliveryOutcome

__all__ = ["DeliveryPart", "message_from"]

_STATUS = {"delivered": "delivered", "retry": "pending", "failed": "failed"}


def message_from(row: dict[str, str], endpoint: Endpoint) -> Message:
    return Message(
        id=row["id"],
        event=event_from(row["event"]),
        endpoint=endpoint,
        status=row["status"],  # type: ignore[arg-type]
        attempts=int(row["attempts"]),
        next_attempt_at=float(row["next_attempt_at"]),  # a lease does not change it
        created_at=float(row["created_at"]),
    )


class DeliveryPart(RedisBase):
    # -- where things are -------------------------------------------------------------------

    async def _client_of_partition(self, partition: str) -> str | None:
        if partition.startswith("cli_"):
            return partition
        return await self._client_of_project(partition)

    async def _client_partitions(self, client_id: str) -> list[str]:
        """Every partition that may hold the client's events and messages."""
        return [client_id, *texts(await self.r.zrange(keys.part(client_id) + "projects", 0, -1))]

    async def _message_partition(self, message_id: str) -> str | None:
        partition = keys.message_partition(message_id)
        if partition is None:
            partition = opt_text(await self.r.get(keys.MESSAGE_INDEX + message_id))
        return partition

    async def _endpoint(self, endpoint_id: str) -> Endpoint | None:
        client_id = opt_text(await self.r.get(keys.ENDPOINT_INDEX + endpoint_id))
        if client_id is None:
            return None
        found = opt_text(await self.r.hget(keys.part(client_id) + "endpoints", endpoint_id))
        return None if found is None else endpoint_from(found)

    # -- endpoints: compare-and-set ---------------------------------------------------------

    async def _change_endpoint(
        self,
        endpoint_id: str,
        change: Callable[[Endpoint], Endpoint | None],
        *,
        event: Callable[[Endpoint], dict[str, Any]] | None = None,
        now: float | None = None,
    ) -> tuple[Endpoint, Endpoint] | None:
        """Apply ``change`` to the stored endpoint until no other writer interferes; (before,
        after), or None if ``change`` answered None (nothing to do). A change to disabled fails
        the endpoint's pending messages, in every partition of the client; ``event`` gives the
        data of an ``endpoint.disabled`` event recorded with the change (at ``now``)."""
        client_id = opt_text(await self.r.get(keys.ENDPOINT_INDEX + endpoint_id))
        if client_id is None:
            raise NotFound("no such webhook endpoint", field="endpoint_id")
        stored = keys.part(client_id) + "endpoints"
        while True:
            raw = opt_text(await self.r.hget(stored, endpoint_id))
            if raw is None:
                raise NotFound("no such webhook endpoint", field="endpoint_id")
            before = endpoint_from(raw)
            after = change(before)
            if after is None:
                return None
            disabling = before.status == "enabled" and after.status != "enabled"
            targets: dict[str, list[str]] = {}
            data = ""
            if event is not None:
                targets = await self._targets(client_id, ["endpoint.disabled"])
                targets = {t: [e for e in ids if e != endpoint_id] for t, ids in targets.items()}
                data = json.dumps(event(before))
            ctx = self._ctx(client_id, client_id, clock() if now is None else now, targets)
            answer = await self._eval(
                "endpoint_change",
                client_id,
                ctx,
                endpoint_id,
                raw,
                endpoint_to(after),
                "1" if disabling else "",
                "endpoint.disabled" if event is not None else "",
                data,
            )
            if answer == "missing":
                raise NotFound("no such webhook endpoint", field="endpoint_id")
            if answer == "ok":
                break
        if any(targets.values()):
            await self._hint(keys.DUE_OUTBOX, client_id, 0.0)
        if disabling:
            projects = (await self._client_partitions(client_id))[1:]

            def build(pipe: Pipeline) -> None:
                for project_id in projects:
                    self._queue(pipe, "fail_endpoint", project_id, endpoint_id)

            await self._pipeline(build)
        return before, after

    # -- leasing ----------------------------------------------------------------------------

    async def lease_messages(
        self, *, now: float, limit: int, lease_seconds: float, per_endpoint: int = 16
    ) -> list[Message]:
        until = now + lease_seconds
        leased: list[Message] = []
        for partition in await self._due_partitions(keys.DUE_OUTBOX, now, limit):
            if len(leased) >= limit:
                break
            if not await self._take(keys.DUE_OUTBOX, partition):
                continue  # another process is leasing from it
            earliest: float | str = now  # if the lease fails, look again next time
            try:
                client_id = await self._client_of_partition(partition)
                if client_id is None:
                    continue
                got, earliest = await self._lease_partition(
                    partition, client_id, now, limit - len(leased), until, per_endpoint
                )
                leased.extend(got)
            finally:
                await self._hint(keys.DUE_OUTBOX, partition, earliest)
        return leased

    async def _lease_partition(
        self, partition: str, client_id: str, now: float, limit: int, until: float, cap: int
    ) -> tuple[list[Message], float | str]:
        endpoints = {e.id: e for e in await self._endpoints(client_id)}
        enabled = [e for e in endpoints.values() if e.status == "enabled"]
        pipe = self.r.pipeline(transaction=False)
        for endpoint in enabled:
            pipe.zcount(keys.part(client_id) + "inflight:" + endpoint.id, f"({now!r}", "+inf")
        running = await pipe.execute()
        free = {e.id: cap - n for e, n in zip(enabled, running, strict=True) if n < cap}
        disabled = [e.id for e in endpoints.values() if e.status != "enabled"]
        rows, earliest = await self._eval(
            "lease_messages",
            partition,
            repr(now),
            limit,
            repr(until),
            json.dumps(free) if free else "{}",
            json.dumps(disabled),
        )
        chosen = [fields(row) for row in rows]
        if not chosen:
            return [], earliest
        triples: list[str] = []
        for row in chosen:
            triples += [row["endpoint"], row["id"], repr(until)]
        granted = await self._eval("slots", client_id, repr(now), cap, *triples)
        refused = [row["id"] for row, ok in zip(chosen, granted, strict=True) if ok != "1"]
        if refused:  # another process filled the endpoint meanwhile: due again right away
            await self._eval("unlease", partition, *refused)
            earliest = now
        return [
            message_from(row, endpoints[row["endpoint"]])
            for row, ok in zip(chosen, granted, strict=True)
            if ok == "1" and row["endpoint"] in endpoints
        ], earliest

    # -- settling ---------------------------------------------------------------------------

    async def finish_attempt(
        self, attempt: Attempt, outcome: DeliveryOutcome, *, next_attempt_at: float | None
    ) -> None:
        await self.finish_attempts([AttemptResult(attempt, outcome, next_attempt_at)])

    async def finish_attempts(self, results: Sequence[AttemptResult]) -> None:
        homes: list[tuple[str, str] | None] = []  # (partition, client) per result
        for result in results:
            partition = await self._message_partition(result.attempt.message_id)
            client_id = None if partition is None else await self._client_of_partition(partition)
            homes.append(None if partition is None or client_id is None else (partition, client_id))
        pipe = self.r.pipeline(transaction=False)
        for result, home in zip(results, homes, strict=True):
            if home is not None:
                pipe.hget(keys.part(home[0]) + "msg:" + result.attempt.message_id, "endpoint")
        found = iter(await pipe.execute())
        targets = [next(found) if home is not None else None for home in homes]
        endpoints: dict[str, Endpoint] = {}
        for home, endpoint_id in zip(homes, targets, strict=True):
            if home is not None and endpoint_id is not None and endpoint_id not in endpoints:
                raw = opt_text(await self.r.hget(keys.part(home[1]) + "endpoints", endpoint_id))
                if raw is not None:
                    endpoints[endpoint_id] = endpoint_from(raw)

        def build(pipe: Pipeline) -> None:
            for result, home, endpoint_id in zip(results, homes, targets, strict=True):
                if home is None:
                    continue
                partition, client_id = home
                status = _STATUS[result.outcome]
                endpoint = endpoints.get(endpoint_id or "")
                if status == "pending" and endpoint is not None and endpoint.status != "enabled":
                    status = "failed"  # disabled while this attempt was in flight
                at = result.next_attempt_at
                self._queue(
                    pipe,
                    "finish_message",
                    partition,
                    result.attempt.message_id,
                    status,
                    "" if at is None else repr(at),
                    json.dumps(dataclasses.asdict(result.attempt)),
                )
                if endpoint_id is not None:
                    pipe.zrem(
                        keys.part(client_id) + "inflight:" + endpoint_id,
                        result.attempt.message_id,
                    )
                if status == "pending" and at is not None:
                    pipe.zadd(keys.DUE_OUTBOX, {partition: at}, lt=True)
            # leases ended: the endpoint, or a task's next message, may be leased now
            pipe.publish(keys.OUTBOX_CHANNEL, "finished")

        if any(home is not None for home in homes):
            await self._pipeline(build)
        await self._keep_failing_since(results, targets)

    async def _keep_failing_since(
        self, results: Sequence[AttemptResult], targets: Sequence[str | None]
    ) -> None:
        """Per endpoint: a success clears ``failing_since``; a failure sets it unless set (or
        sets it anew when this batch both cleared and failed again)."""
        failing: dict[str, float | None] = {}
        cleared: set[str] = set()
        for result, endpoint_id in zip(results, targets, strict=True):
            if endpoint_id is None:
                continue
            if result.outcome == "delivered":
                failing[endpoint_id] = None
                cleared.add(endpoint_id)
            elif failing.get(endpoint_id) is None:
                failing[endpoint_id] = result.attempt.at
        for endpoint_id, since in failing.items():

            def change(
                e: Endpoint, since: float | None = since, eid: str = endpoint_id
            ) -> Endpoint | None:
                if since is None:
                    keep = e.failing_since is None
                    return None if keep else dataclasses.replace(e, failing_since=None)
                if eid in cleared or e.failing_since is None:
                    return dataclasses.replace(e, failing_since=since)
                return None

            try:
                await self._change_endpoint(endpoint_id, change)
            except NotFound:
                continue
