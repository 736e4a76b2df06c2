"""Mail's rules: what an attempt to send an email leads to.

A refusal the SMTP server calls permanent (a 5xx reply: no such mailbox, a malformed address)
fails the email at once; anything else (the server down, a 4xx "try later", a timeout) is tried
again on the schedule (``CROWDFRAME_MAIL_RETRY_SCHEDULE``) until it runs out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.retry import next_attempt_delay
from .records import EmailStatus

__all__ = ["KEPT_SECONDS", "EmailResult", "after_attempt", "is_permanent"]

# a sent or failed email is kept this long (without its body once sent), then forgotten: the
# store drops such emails older than this as new ones are queued
KEPT_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class EmailResult:
    """What the store records of one attempt: the email's new status, when it is due again
    (a retry) or was sent, and the error of a failed attempt."""

    email_id: str
    status: EmailStatus
    at: float
    next_attempt_at: float | None = None
    error: str | None = None


def is_permanent(smtp_code: int | None) -> bool:
    """Whether an SMTP reply code refuses for good (5xx); None: no reply (connection lost)."""
    return smtp_code is not None and 500 <= smtp_code < 600


def after_attempt(
    email_id: str,
    *,
    attempts_done: int,
    at: float,
    error: str | None,
    smtp_code: int | None,
    schedule: tuple[float, ...],
) -> EmailResult:
    """The result of the ``attempts_done``-th attempt at ``at``: sent when there is no
    ``error``; else failed for a permanent refusal or when the schedule is spent, and due
    again after the schedule's next delay otherwise."""
    if error is None:
        return EmailResult(email_id, "sent", at)
    delay = None if is_permanent(smtp_code) else next_attempt_delay(schedule, attempts_done)
    if delay is None:
        return EmailResult(email_id, "failed", at, error=error)
    return EmailResult(email_id, "pending", at, next_attempt_at=at + delay, error=error)
