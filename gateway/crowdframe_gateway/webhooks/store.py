"""The store's part of the webhooks context:
endpoints, events, the outbox, the delivery log and the live feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..core.page import Page
from ..core.records import (
    Attempt,
    Endpoint,
    Event,
    Message,
)

__all__ = [
    "AttemptResult",
    "Backlog",
    "DeliveryOutcome",
    "EndpointChange",
    "MessageQuery",
    "WebhookStore",
]

DeliveryOutcome = Literal["delivered", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """A client's change of an endpoint (``update_endpoint``): where it delivers, which event
    types (None for all) and whether it is enabled."""

    url: str
    event_types: tuple[str, ...] | None
    enabled: bool


@dataclass(frozen=True, slots=True)
class MessageQuery:
    """One page of an endpoint's messages (``list_messages``), in one status or any."""

    limit: int
    status: Literal["pending", "delivered", "failed"] | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """A finished delivery attempt and what follows: ``next_attempt_at`` for a retry."""

    attempt: Attempt
    outcome: DeliveryOutcome
    next_attempt_at: float | None


@dataclass(frozen=True, slots=True)
class Backlog:
    """An endpoint's messages not delivered yet (pending, or being delivered): how many, and
    when the oldest of them was made (``outbox_backlog``)."""

    endpoint_id: str
    pending: int
    oldest_created_at: float


class WebhookStore(Protocol):
    async def create_endpoint(self, endpoint: Endpoint) -> None: ...
    async def get_endpoint(self, endpoint_id: str) -> Endpoint | None: ...
    async def list_endpoints(self, client_id: str) -> list[Endpoint]: ...
    async def record_event(
        self, client_id: str, type: str, data: dict[str, Any], *, endpoint_id: str | None = None
    ) -> tuple[Event, list[str]]: ...
    async def lease_messages(
        self, *, now: float, limit: int, lease_seconds: float, per_endpoint: int = 16
    ) -> list[Message]:
        """Due pending messages, oldest first, leased (not due again) for ``lease_seconds``.

        Skips a message while an earlier message about the same task (``data.task_id``) for the
        same endpoint is leased or never tried, and skips an endpoint that already has
        ``per_endpoint`` messages leased, counted across every process."""
        ...

    async def finish_attempt(
        self, attempt: Attempt, outcome: DeliveryOutcome, *, next_attempt_at: float | None
    ) -> None:
        """Log the attempt, end the lease, set the message's status; a success clears the
        endpoint's ``failing_since``, a failure sets it unless set. A ``retry`` for an endpoint
        disabled meanwhile becomes ``failed``."""
        ...

    async def finish_attempts(self, results: Sequence[AttemptResult]) -> None:
        """``finish_attempt`` for several attempts at once (the delivery loop's group commit);
        need not be durable against power loss: a lost finish only repeats a delivery."""
        ...

    async def list_attempts(self, message_id: str) -> list[Attempt]: ...
    async def outbox_backlog(self) -> list[Backlog]:
        """Every endpoint with messages not delivered yet, platform-wide (``/metrics``, at
        each scrape: never on a request's path)."""
        ...

    async def wait_for_messages(self, seconds: float) -> None: ...
    async def update_endpoint(self, endpoint_id: str, change: EndpointChange) -> Endpoint:
        """Change an endpoint; enabling clears ``failing_since``, disabling fails its pending
        messages (as ``disable_endpoint`` does, without the event)."""
        ...

    async def rotate_endpoint_secret(
        self, endpoint_id: str, secret: str, *, now: float, old_valid_until: float
    ) -> Endpoint:
        """Append ``secret``; the secrets still signing at ``now`` keep signing until
        ``old_valid_until``, older ones are dropped."""
        ...

    async def disable_endpoint(self, endpoint_id: str, *, reason: str, now: float) -> bool:
        """Disable an enabled endpoint, fail its pending messages and record an
        ``endpoint.disabled`` event, in one transaction. False if it was not enabled."""
        ...

    async def get_message(self, message_id: str) -> Message | None: ...
    async def list_messages(self, endpoint_id: str, query: MessageQuery) -> Page[Message]:
        """An endpoint's messages, newest first."""
        ...

    async def replay_message(self, message_id: str, *, now: float) -> Message:
        """Make a delivered or failed message due now with a fresh retry schedule (attempts 0).
        Conflict ``message_pending`` if it is pending, ``endpoint_disabled`` if disabled."""
        ...

    async def replay_failed(self, endpoint_id: str, *, since: float, now: float) -> int:
        """``replay_message`` for every failed message of the endpoint created at or after
        ``since``; the number replayed."""
        ...

    async def event_cursor(self, client_id: str) -> str:
        """The cursor of the client's newest event: reading after it yields only later ones."""
        ...

    async def read_events(
        self, client_id: str, *, after: str | None, limit: int, wait: float = 0.0
    ) -> list[tuple[str, Event]]:
        """The client's events recorded after the cursor (``None``: from the first), oldest
        first, each with its own cursor; if there are none yet, waits up to ``wait`` seconds
        for one (events recorded by any process). A malformed cursor is ``InvalidInput``."""
