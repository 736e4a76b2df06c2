"""The store's part of the mail context: the outbox of emails."""

from __future__ import annotations

from typing import Protocol

from .records import Email
from .rules import EmailResult

__all__ = ["MailStore"]


class MailStore(Protocol):
    async def queue_email(self, email: Email) -> None:
        """Keep a pending email, due at its ``next_attempt_at``; durable once this returns.
        Sent and failed emails queued ``rules.KEPT_SECONDS`` before it are dropped."""
        ...

    async def lease_emails(self, *, now: float, limit: int, lease_seconds: float) -> list[Email]:
        """Up to ``limit`` pending emails due at ``now``, the longest due first, each leased:
        not due again (for any process) until ``now + lease_seconds``, unless finished."""
        ...

    async def finish_email(self, result: EmailResult) -> None:
        """Record an attempt: one more attempt, the status, the error; a sent email loses its
        body; a pending one is due at ``result.next_attempt_at``."""
        ...

    async def get_email(self, email_id: str) -> Email | None: ...

    async def list_emails(self, *, limit: int) -> list[Email]:
        """The latest emails queued, newest first (the operator's look at the outbox)."""
        ...

    async def wait_for_emails(self, seconds: float) -> None:
        """Wait up to ``seconds``, less if this process queues an email meanwhile."""
        ...
