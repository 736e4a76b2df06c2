"""Queueing an email: the one way any context sends one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.records import new_id, now
from .records import Email

if TYPE_CHECKING:
    from ..runtime import Runtime
    from ..settings import Settings

__all__ = ["mail_enabled", "queue_email"]


def mail_enabled(settings: Settings) -> bool:
    """Whether this gateway sends email at all (``CROWDFRAME_SMTP_URL`` is set)."""
    return bool(settings.smtp_url)


async def queue_email(rt: Runtime, *, to: str, subject: str, body: str) -> Email | None:
    """Keep an email in the outbox, due now; the delivery loop sends it. None, and nothing
    kept, when the gateway sends no email."""
    if not mail_enabled(rt.settings):
        return None
    at = now()
    email = Email(new_id("eml"), to, subject, body, at, next_attempt_at=at)
    await rt.store.queue_email(email)
    return email
