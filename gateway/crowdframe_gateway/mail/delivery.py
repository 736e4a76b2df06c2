"""The email delivery loop: leases due emails from the outbox, sends each, records the result.

At-least-once, as webhooks are: an email stays pending until its server accepted it; one leased
by a process that died is due again when its lease runs out, so a restart loses none (the
Message-ID stays the same for a repeat). A few emails go at a time: an SMTP server is one
destination, and a slow one should not hold a hundred threads.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from ..core.records import now
from ..metrics import EMAIL_ATTEMPTS
from .records import Email
from .rules import EmailResult, after_attempt
from .transport import SMTP_TIMEOUT, SendFailed, Sink, sink_for

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["Postman"]

log = logging.getLogger("crowdframe.mail")

AT_ONCE = 4  # emails in flight in one process
POLL = 1.0  # the longest wait between looks (other processes queue emails too)
LEASE_SECONDS = 3 * SMTP_TIMEOUT  # longer than an attempt can take


class Postman:
    """Sends what the outbox holds through the configured sink (``CROWDFRAME_SMTP_URL``)."""

    def __init__(self, rt: Runtime, sink: Sink | None = None) -> None:
        self.rt = rt
        self.sink = sink if sink is not None else sink_for(rt.settings.smtp_url)

    async def send_due(self) -> list[EmailResult]:
        """One look: lease what is due and send it; the results recorded."""
        if self.sink is None:
            return []
        leased = await self.rt.store.lease_emails(
            now=now(), limit=AT_ONCE, lease_seconds=LEASE_SECONDS
        )
        return list(await asyncio.gather(*(self._send(email) for email in leased)))

    async def _send(self, email: Email) -> EmailResult:
        assert self.sink is not None
        error, code = None, None
        try:
            await asyncio.to_thread(self.sink.send, email, self.rt.settings.smtp_from)
        except SendFailed as exc:
            error, code = str(exc), exc.smtp_code
        result = after_attempt(
            email.id,
            attempts_done=email.attempts + 1,
            at=now(),
            error=error,
            smtp_code=code,
            schedule=self.rt.settings.mail_retry_schedule,
        )
        await self.rt.store.finish_email(result)
        EMAIL_ATTEMPTS.labels({"pending": "retry"}.get(result.status, result.status)).inc()
        if result.status != "sent":
            log.warning(
                "email %s (attempt %d): %s; %s",
                email.id,
                email.attempts + 1,
                error,
                "tried again later" if result.status == "pending" else "given up",
            )
        return result

    async def run(self) -> None:
        """Send until cancelled; when nothing is due, wait for an email or the next retry."""
        while True:
            sent = await self.send_due()
            if len(sent) >= AT_ONCE:
                continue  # there may be more
            retries = [r.next_attempt_at for r in sent if r.next_attempt_at is not None]
            wait = min([POLL, *(at - now() for at in retries)])
            await self.rt.store.wait_for_emails(max(wait, 0.0))
