"""The delivery log as the API returns it: messages (one event on its way to one endpoint) and
the attempts made to deliver them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from ._models import _mapping, _optional, _required

__all__ = ["WebhookAttempt", "WebhookMessage"]


@dataclass(frozen=True, slots=True)
class WebhookMessage:
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

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, "webhook_message")
        return cls(
            id=_required(obj, "id", str),
            endpoint_id=_required(obj, "endpoint_id", str),
            event_id=_required(obj, "event_id", str),
            event_type=_required(obj, "event_type", str),
            status=_required(obj, "status", str),
            attempts=_required(obj, "attempts", int),
            next_attempt_at=_optional(obj, "next_attempt_at", str),
            created_at=_required(obj, "created_at", str),
            payload=_optional(obj, "payload", dict) or {},
        )


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    """One try at delivering a message: when, the answer's status (``None`` when there was
    none: see ``error``), how long it took, and the first 1000 characters of the answer."""

    message_id: str
    at: str
    status_code: int | None
    latency_ms: float
    response: str
    error: str | None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, "webhook_attempt")
        latency = obj.get("latency_ms")
        if not isinstance(latency, int | float) or isinstance(latency, bool):
            raise ValueError("field 'latency_ms' must be a number")
        return cls(
            message_id=_required(obj, "message_id", str),
            at=_required(obj, "at", str),
            status_code=_optional(obj, "status_code", int),
            latency_ms=float(latency),
            response=_required(obj, "response", str),
            error=_optional(obj, "error", str),
        )
