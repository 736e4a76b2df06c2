"""The delivery loop: takes due messages from the outbox and POSTs them as signed webhooks.

At-least-once: a message stays pending until an attempt gets a 2xx; a leased message whose
process died is leased again when its lease runs out. Redirects are not followed.

Isolation: each message is its own task, drawn from a pool of ``delivery_concurrency`` slots; the
store leases at most ``endpoint_concurrency`` messages of one endpoint at a time, so a slow or
dead endpoint holds a bounded share of the pool and every other endpoint keeps its pace. A slot
is refilled as soon as it frees; nothing waits for a batch to finish.

Speed: finished attempts are written in groups (one transaction for whatever finished since the
last write), and each delivery in flight has a connection of its own (``_Lanes``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from crowdframe import Webhook

from .egress import Resolver, guarded_transport
from .events import event_body
from .records import Attempt, Message, now
from .runtime import Runtime
from .store.base import AttemptResult, DeliveryOutcome

__all__ = ["Deliverer", "next_attempt_delay"]

log = logging.getLogger("crowdframe.delivery")
RESPONSE_LOG_BYTES = 1000


def next_attempt_delay(schedule: tuple[float, ...], attempts_done: int) -> float | None:
    """Seconds until the next attempt after ``attempts_done`` failures; None: give up.

    Each delay gets ±10 % jitter so endpoints that failed together are not retried in lockstep.
    """
    index = attempts_done - 1
    if index >= len(schedule):
        return None
    return schedule[index] * random.uniform(0.9, 1.1)


Transports = Callable[[], httpx.AsyncBaseTransport]


class _Lanes:
    """A client with one connection for each delivery in flight to an origin, reused.

    httpcore's shared pool walks every connection on every request; with a dozen deliveries in
    flight to one receiver that walk costs as much as the request itself. A lane is one client
    with one keep-alive connection: taken for a delivery, given back after.
    """

    def __init__(self, make: Callable[[], httpx.AsyncClient], keep: int) -> None:
        self._make = make
        self._keep = keep
        self._free: dict[str, list[httpx.AsyncClient]] = {}
        self._all: set[httpx.AsyncClient] = set()

    def take(self, url: str) -> tuple[str, httpx.AsyncClient]:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        free = self._free.get(origin)
        if free:
            return origin, free.pop()
        client = self._make()
        self._all.add(client)
        return origin, client

    async def give(self, origin: str, client: httpx.AsyncClient) -> None:
        free = self._free.setdefault(origin, [])
        if len(free) < self._keep:
            free.append(client)
            return
        self._all.discard(client)
        await client.aclose()

    async def aclose(self) -> None:
        for client in self._all:
            await client.aclose()
        self._all.clear()
        self._free.clear()


class Deliverer:
    def __init__(
        self,
        rt: Runtime,
        *,
        transport: Transports | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        settings = rt.settings
        tls = httpx.create_ssl_context()  # one for every lane: loading the CAs takes ~20 ms

        def guarded() -> httpx.AsyncBaseTransport:
            return guarded_transport(
                allow_private=settings.allow_private_webhooks,
                resolve=resolve,
                ssl_context=tls,
                max_connections=1,
            )

        make_transport = transport or guarded

        def lane() -> httpx.AsyncClient:
            return httpx.AsyncClient(
                transport=make_transport(),
                follow_redirects=False,
                timeout=settings.delivery_timeout,
                headers={"user-agent": "Crowdframe-Webhooks/1"},
            )

        self.rt = rt
        self.lanes = _Lanes(lane, keep=settings.endpoint_concurrency)
        self.capacity = settings.delivery_concurrency
        self.per_endpoint = settings.endpoint_concurrency
        # a lease outlives the longest attempt, so a live process never loses one
        self.lease_seconds = settings.delivery_timeout + 2
        self._running: set[asyncio.Task[DeliveryOutcome]] = set()
        self._slot_freed = asyncio.Event()
        self._soonest_retry = float("inf")  # retries this process scheduled: wake up for them
        self._results: list[AttemptResult] = []
        self._results_ready = asyncio.Event()

    async def _write_results(self) -> None:
        """Group commit: one store call for every attempt that finished meanwhile."""
        while True:
            await self._results_ready.wait()
            self._results_ready.clear()
            batch, self._results = self._results, []
            try:
                await self.rt.store.finish_attempts(batch)
            except Exception:
                log.exception("recording %d attempts failed; trying again", len(batch))
                self._results[:0] = batch
                await asyncio.sleep(0.5)
                self._results_ready.set()

    async def run(self) -> None:
        store = self.rt.store
        writer = asyncio.create_task(self._write_results())
        try:
            while True:
                free = self.capacity - len(self._running)
                if free <= 0:
                    self._slot_freed.clear()
                    await self._slot_freed.wait()
                    continue
                messages = await store.lease_messages(
                    now=now(),
                    limit=free,
                    lease_seconds=self.lease_seconds,
                    per_endpoint=self.per_endpoint,
                )
                for message in messages:
                    task = asyncio.create_task(self.deliver(message))
                    self._running.add(task)
                    task.add_done_callback(self._finished)
                if messages:
                    continue
                wait = min(1.0, max(0.0, self._soonest_retry - now()))
                self._soonest_retry = float("inf")
                await store.wait_for_messages(wait)
        finally:
            writer.cancel()
            for running in self._running:
                running.cancel()
            await asyncio.gather(*self._running, writer, return_exceptions=True)
            if self._results:  # what finished before the end is recorded, not repeated
                batch, self._results = self._results, []
                await store.finish_attempts(batch)

    def _finished(self, task: asyncio.Task[DeliveryOutcome]) -> None:
        self._running.discard(task)
        self._slot_freed.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("delivery failed unexpectedly", exc_info=task.exception())

    async def _post(self, message: Message, body: bytes, sent_at: float) -> tuple[int, str]:
        secrets = message.endpoint.signing_secrets(sent_at)
        headers = Webhook(secrets).headers(message.id, int(sent_at), body)
        headers["content-type"] = "application/json"
        url = message.endpoint.url
        origin, http = self.lanes.take(url)
        try:
            async with (
                asyncio.timeout(self.rt.settings.delivery_timeout),
                http.stream("POST", url, content=body, headers=headers) as answer,
            ):
                # keep the first bytes for the log; an endless answer is not read to its end
                kept = b""
                async for chunk in answer.aiter_bytes():
                    kept += chunk
                    if len(kept) >= RESPONSE_LOG_BYTES:
                        break
                return answer.status_code, kept[:RESPONSE_LOG_BYTES].decode("utf-8", "replace")
        finally:
            await self.lanes.give(origin, http)

    async def deliver(self, message: Message) -> DeliveryOutcome:
        body = json.dumps(
            event_body(message.event.type, message.event.created_at, message.event.data),
            separators=(",", ":"),
        ).encode()
        sent_at = now()
        started = time.perf_counter()
        status: int | None = None
        text, error = "", None
        try:
            status, text = await self._post(message, body, sent_at)
        except TimeoutError:
            error = f"no answer within {self.rt.settings.delivery_timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:RESPONSE_LOG_BYTES]
        latency = (time.perf_counter() - started) * 1000
        attempt = Attempt(message.id, sent_at, status, latency, text, error)
        if status is not None and 200 <= status < 300:
            self._record(AttemptResult(attempt, "delivered", None))
            return "delivered"
        delay = next_attempt_delay(self.rt.settings.retry_schedule, message.attempts + 1)
        outcome: DeliveryOutcome = "failed" if delay is None or status == 410 else "retry"
        retry_at = None if outcome == "failed" or delay is None else now() + delay
        self._record(AttemptResult(attempt, outcome, retry_at))
        if retry_at is not None:
            self._soonest_retry = min(self._soonest_retry, retry_at)
        log.info(
            "webhook %s to endpoint %s: %s (attempt %d, %s)",
            message.id,
            message.endpoint.id,
            status or error,
            message.attempts + 1,
            outcome,
        )
        await self._disable_if_gone(message, status, sent_at)
        return outcome

    def _record(self, result: AttemptResult) -> None:
        self._results.append(result)
        self._results_ready.set()

    async def _disable_if_gone(self, message: Message, status: int | None, at: float) -> None:
        endpoint = message.endpoint
        reason = None
        if status == 410:
            reason = "the endpoint answered 410 Gone"
        else:
            since = endpoint.failing_since if endpoint.failing_since is not None else at
            if at - since >= self.rt.settings.disable_after:
                reason = f"every attempt failed for {_duration(at - since)}"
        if reason is not None and await self.rt.store.disable_endpoint(
            endpoint.id, reason=reason, now=now()
        ):
            log.warning("webhook endpoint %s disabled: %s", endpoint.id, reason)

    async def aclose(self) -> None:
        await self.lanes.aclose()


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds:.0f} seconds"
