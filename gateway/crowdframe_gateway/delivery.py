"""The delivery loop: takes due messages from the outbox and POSTs them as signed webhooks.

At-least-once: a message stays pending until an attempt gets a 2xx; a leased message whose
process died is leased again when its lease runs out. Redirects are not followed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time

import httpx

from crowdframe import Webhook

from .events import event_body
from .records import Attempt, Message, now
from .runtime import Runtime
from .store.base import DeliveryOutcome

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


class Deliverer:
    def __init__(
        self, rt: Runtime, *, http: httpx.AsyncClient | None = None, concurrency: int = 64
    ) -> None:
        self.rt = rt
        self.http = http or httpx.AsyncClient(
            follow_redirects=False,
            timeout=rt.settings.delivery_timeout,
            headers={"user-agent": "Crowdframe-Webhooks/1"},
        )
        self.slots = asyncio.Semaphore(concurrency)
        self.concurrency = concurrency
        self._soonest_retry = float("inf")  # retries this process scheduled: wake up for them

    async def run(self) -> None:
        lease = self.rt.settings.delivery_timeout + 5
        while True:
            messages = await self.rt.store.lease_messages(
                now=now(), limit=self.concurrency, lease_seconds=lease
            )
            if not messages:
                wait = min(1.0, max(0.0, self._soonest_retry - now()))
                self._soonest_retry = float("inf")
                await self.rt.store.wait_for_messages(wait)
                continue
            await asyncio.gather(*(self.deliver(m) for m in messages))

    async def deliver(self, message: Message) -> DeliveryOutcome:
        async with self.slots:
            body = json.dumps(
                event_body(message.event.type, message.event.created_at, message.event.data),
                separators=(",", ":"),
            ).encode()
            sent_at = now()
            headers = Webhook(message.endpoint.secrets).headers(message.id, int(sent_at), body)
            headers["content-type"] = "application/json"
            started = time.perf_counter()
            status: int | None = None
            text, error = "", None
            try:
                response = await self.http.post(message.endpoint.url, content=body, headers=headers)
                status, text = response.status_code, response.text[:RESPONSE_LOG_BYTES]
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:RESPONSE_LOG_BYTES]
            latency = (time.perf_counter() - started) * 1000
            attempt = Attempt(message.id, sent_at, status, latency, text, error)
            if status is not None and 200 <= status < 300:
                await self.rt.store.finish_attempt(attempt, "delivered", next_attempt_at=None)
                return "delivered"
            delay = next_attempt_delay(self.rt.settings.retry_schedule, message.attempts + 1)
            outcome: DeliveryOutcome = "failed" if delay is None else "retry"
            retry_at = None if delay is None else now() + delay
            await self.rt.store.finish_attempt(attempt, outcome, next_attempt_at=retry_at)
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
            return outcome

    async def aclose(self) -> None:
        await self.http.aclose()
