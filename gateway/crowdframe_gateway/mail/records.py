"""An email in the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["EMAIL_STATUSES", "Email", "EmailStatus"]

EmailStatus = Literal["pending", "sent", "failed"]
EMAIL_STATUSES: tuple[EmailStatus, ...] = ("pending", "sent", "failed")


@dataclass(frozen=True, slots=True)
class Email:
    """One plain-text email to one address, rendered (in its reader's language) when queued.

    ``next_attempt_at``: when it is due (a lease moves it on while a process sends it). Once
    sent, the store keeps the record without its body: a body may hold a one-time link."""

    id: str
    to: str
    subject: str
    body: str
    created_at: float
    status: EmailStatus = "pending"
    attempts: int = 0
    next_attempt_at: float = 0.0
    sent_at: float | None = None
    last_error: str | None = None
