"""How the delivery loop of a process waits for the emails that process queues (both stores):
an event the store's ``queue_email`` sets and ``lease_emails`` clears. Emails other processes
queue are found by the loop's next look (``delivery.POLL``)."""

from __future__ import annotations

import asyncio
from contextlib import suppress

__all__ = ["MailWaiting"]


class MailWaiting:
    _mail_signal: asyncio.Event | None = None

    def _mail_event(self) -> asyncio.Event:
        if self._mail_signal is None:
            self._mail_signal = asyncio.Event()
        return self._mail_signal

    async def wait_for_emails(self, seconds: float) -> None:
        signal = self._mail_event()
        # asyncio.timeout, not wait_for (see webhooks' wait_for_messages)
        with suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await signal.wait()
        signal.clear()
