"""The delivery log as the API returns it: messages (one event on its way to one endpoint) and
the attempts made to deliver them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._decode import _Model

__all__ = ["WebhookAttempt", "WebhookMessage"]


@dataclass(frozen=True, slots=True)
class WebhookMessage(_Model):
    """One event on its way to one endpoint.

    ``status`` is ``pending`` (being delivered or waiting for a retry at ``next_attempt_at``),
    ``delivered`` or ``failed`` (every retry failed, or the endpoint was disabled); ``id`` is
    the ``webhook-id`` header of every attempt. ``attempts`` counts the attempts since the
    message was created or last replayed; ``payload`` is the body that was sent.
    """

    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: str | None
    created_at: str
    payload: dict[str, Any] = field(default_factory=dict)

    _object = "webhook_message"


@dataclass(frozen=True, slots=True)
class WebhookAttempt(_Model):
    """One try at delivering a message: when, the answer's status (``None`` when there was
    none: see ``error``), how long it took, and the first 1000 characters of the answer."""

    message_id: str
    at: str
    status_code: int | None
    latency_ms: float
    response: str
    error: str | None

    _object = "webhook_attempt"
