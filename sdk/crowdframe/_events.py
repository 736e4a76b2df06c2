"""Events as clients receive them: by webhook, by ``crowdframe listen``, or over the API."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ._exceptions import WebhookVerificationError

__all__ = ["EVENT_TYPES", "WebhookEvent", "parse_event"]

EVENT_TYPES = (
    "assignment.accepted",
    "assignment.submitted",
    "assignment.returned",
    "assignment.expired",
    "assignment.approved",
    "assignment.rejected",
    "task.completed",
    "task.cancelled",
    "task.expired",
    "project.completed",
    "endpoint.test",
    "endpoint.disabled",
    "worker.stopped",
    "qualification.granted",
    "qualification.failed",
    "assignment.crowd_reviewed",
    "assignment.disputed",
    "dispute.overdue",
    "message.received",
)


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One event: ``type`` (e.g. ``assignment.submitted``), when it happened, and its data.

    ``id`` is the message id (the ``webhook-id`` header): the same on every retry of a delivery,
    so a receiver can drop duplicates by it.
    """

    id: str
    type: str
    timestamp: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def assignment_id(self) -> str | None:
        """The assignment the event is about, when it is about one."""
        value = self.data.get("assignment_id")
        return value if isinstance(value, str) else None

    @property
    def result(self) -> Any:
        """The submitted result of an ``assignment.submitted`` event (``None`` otherwise)."""
        return self.data.get("result")


def parse_event(message_id: str, body: bytes | str) -> WebhookEvent:
    """Parse a webhook body ``{"type", "timestamp", "data"}`` into a ``WebhookEvent``."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WebhookVerificationError(f"webhook body is not JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise WebhookVerificationError("webhook body is not a JSON object")
    kind, timestamp, data = payload.get("type"), payload.get("timestamp"), payload.get("data")
    if not isinstance(kind, str) or not isinstance(timestamp, str) or not isinstance(data, dict):
        raise WebhookVerificationError("webhook body needs 'type', 'timestamp' and 'data'")
    return WebhookEvent(id=message_id, type=kind, timestamp=timestamp, data=data)
