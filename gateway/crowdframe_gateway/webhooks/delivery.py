"""The delivery loop: takes due messages from the outbox and POSTs them as signed webhooks.

At-least-once: a message stays pending until an attempt gets a 2xx; a leased message whose
process died is leased again when its lease runs out. Redirects are not followed.

Isolation: each message is its own task, drawn from a pool of ``delivery_concurrency`` slots; the
store leases at most ``endpoint_concurrency`` messages of one endpoint at a time, so a slow or
dead endpoint holds a bounded share of the pool and every other endpoint keeps its pace. A slot
is refilled as soon as it frees; nothing waits for a batch to finish.

Speed: finished attempts are written in groups (one transaction for whatever finished since the
last write), and requests go out on a small keep-alive HTTP/1.1 client (``webhooks.transport``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from crowdframe import Webhook

from ..core.events import event_body
from ..core.records import Attempt, Message, now
from ..core.retry import next_attempt_delay
from ..metrics import DELIVERY_ATTEMPTS
from .egress import Resolver, guarded_transport
from .rules import signing_secrets
from .store import AttemptResult, DeliveryOutcome
from .transport import RequestFailed, WebhookTransport

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["Deliverer", "next_attempt_delay"]

log = logging.getLogger("crowdframe.delivery")
RESPONSE_LOG_BYTES = 1000


Transports = Callable[[], WebhookTransport]


class Deliverer:
    def __init__(
        self,
        rt: Runtime,
        *,
        transport: Transports | None = None,
        resolve: Resolver | None = None,
    ) -> None:
        settings = rt.settings
        self.http = (
            transport()
            if transport is not None
            else guarded_transport(
                allow_private=settings.allow_private_webhooks,
                resolve=resolve,
                keep_per_origin=settings.endpoint_concurrency,
            )
        )
        self.rt = rt
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
                if len(messages) >= free:
                    continue  # every slot it could fill is taken: there may be more
                # fewer than asked for: nothing else can go now, until a lease ends or a
                # message comes (the store wakes this wait for either)
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
        secrets = signing_secrets(message.endpoint, sent_at)
        headers = Webhook(secrets).headers(message.id, int(sent_at), body)
        headers["content-type"] = "application/json"
        async with asyncio.timeout(self.rt.settings.delivery_timeout):
            status, kept = await self.http.post(
                message.endpoint.url, headers, body, keep_bytes=RESPONSE_LOG_BYTES
            )
        return status, kept.decode("utf-8", "replace")

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
        except RequestFailed as exc:
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
        DELIVERY_ATTEMPTS.labels(result.outcome).inc()
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
        await self.http.aclose()


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds:.0f} seconds"
