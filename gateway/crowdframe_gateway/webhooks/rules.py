"""The rules of webhooks, written once for both stores.

Who gets a message for an event, how a finished attempt settles its message and its endpoint's
run of failures, when a message may be replayed and how, which secrets sign, what a client's
change does to an endpoint, and how many messages an endpoint may have in flight. The stores
call these and write what they answer; their scripts only perform it.

Left to each store, inside its atomic lease: which due messages a lease takes (a task's
messages to an endpoint one after another, at most ``free_slots`` per endpoint), one statement
per store, both held to the same table of cases in tests/store/test_store_delivery_order.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from ..core.errors import Conflict
from ..core.records import Endpoint
from .store import DeliveryOutcome, EndpointChange

__all__ = [
    "FailingRun",
    "MessageStatus",
    "Schedule",
    "changed_endpoint",
    "check_replay",
    "check_replay_failed",
    "disabled_endpoint",
    "endpoint_disabled",
    "failing_runs",
    "fails_pending",
    "fan_out",
    "free_slots",
    "hears",
    "message_task",
    "replay_schedule",
    "rotated_endpoint",
    "settled_status",
    "signing_secrets",
]

MessageStatus = Literal["pending", "delivered", "failed"]
CLIENT_DISABLED = "disabled by the client"

# -- fan-out ---------------------------------------------------------------------------------


def hears(endpoint: Endpoint, event_type: str) -> bool:
    """An enabled endpoint hears the types its filter names, or every type without one."""
    if endpoint.status != "enabled":
        return False
    return endpoint.event_types is None or event_type in endpoint.event_types


def fan_out(
    endpoints: Iterable[Endpoint], event_type: str, *, endpoint_id: str | None = None
) -> list[str]:
    """The endpoints (ids, in the given order) that get a message for an event of the client
    whose ``endpoints`` these are: the one endpoint an event is addressed to (a test event),
    else every endpoint that ``hears`` the type."""
    if endpoint_id is not None:
        return [endpoint_id]
    return [e.id for e in endpoints if hears(e, event_type)]


def message_task(data: Mapping[str, Any]) -> str | None:
    """The task a message is about, which keeps it in order behind the task's earlier messages
    to the same endpoint: the event's ``task_id``, if it names one. (Redis works it out inside
    the script that records the event, from the same facts: messages.lua ``task_of``.)"""
    task_id = data.get("task_id")
    return task_id if isinstance(task_id, str) else None


# -- settling an attempt ---------------------------------------------------------------------

_SETTLED: dict[DeliveryOutcome, MessageStatus] = {
    "delivered": "delivered",
    "retry": "pending",
    "failed": "failed",
}


def settled_status(outcome: DeliveryOutcome, *, endpoint_enabled: bool) -> MessageStatus:
    """A message's status after an attempt: a retry stays pending, unless its endpoint was
    disabled while the attempt was in flight (then nothing more is attempted)."""
    status = _SETTLED[outcome]
    if status == "pending" and not endpoint_enabled:
        return "failed"
    return status


class FailingRun(NamedTuple):  # a tuple, cheap to make: one per endpoint per delivery batch
    """What a batch of finished attempts does to one endpoint's ``failing_since`` (the first
    failure of its current run of failures): ``since`` None clears it; otherwise a failure
    starts a run unless one is running, or starts one ``anew`` after a success in the batch."""

    since: float | None
    anew: bool = False

    def apply(self, current: float | None) -> float | None:
        if self.since is None:
            return None
        if self.anew or current is None:
            return self.since
        return current


def failing_runs(
    attempts: Iterable[tuple[str | None, DeliveryOutcome, float]],
) -> dict[str, FailingRun]:
    """Per endpoint, what a batch of (endpoint id or None, outcome, attempted at) does to its
    run of failures, the attempts in the order they finished."""
    runs: dict[str, FailingRun] = {}
    for endpoint_id, outcome, at in attempts:
        if endpoint_id is None:
            continue
        run = runs.get(endpoint_id)
        if outcome == "delivered":
            runs[endpoint_id] = FailingRun(None)
        elif run is None:
            runs[endpoint_id] = FailingRun(at)
        elif run.since is None:
            runs[endpoint_id] = FailingRun(at, anew=True)
    return runs


# -- replay ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """A message's delivery schedule: attempts made so far and when the next one is due."""

    attempts: int
    next_attempt_at: float


def endpoint_disabled() -> Conflict:
    return Conflict("the endpoint is disabled: enable it first", code="endpoint_disabled")


def check_replay(message_status: str, endpoint: Endpoint) -> None:
    """A delivered or failed message may be replayed while its endpoint is enabled."""
    if message_status == "pending":
        raise Conflict("this message is still being delivered", code="message_pending")
    check_replay_failed(endpoint)


def check_replay_failed(endpoint: Endpoint) -> None:
    """An endpoint's failed messages may be replayed while it is enabled."""
    if endpoint.status != "enabled":
        raise endpoint_disabled()


def replay_schedule(now: float) -> Schedule:
    """A replayed message is pending again, due now, with a fresh retry schedule."""
    return Schedule(attempts=0, next_attempt_at=now)


# -- endpoints -------------------------------------------------------------------------------


def signing_secrets(endpoint: Endpoint, at: float) -> tuple[str, ...]:
    """The secrets that sign a delivery made at ``at``: the newest, plus older ones during the
    grace period after a rotation."""
    expires = endpoint.old_secrets_expire_at
    if expires is None or at < expires:
        return endpoint.secrets
    return endpoint.secrets[-1:]


def rotated_endpoint(
    endpoint: Endpoint, secret: str, *, now: float, old_valid_until: float
) -> Endpoint:
    """``secret`` signs from now on; the secrets still signing at ``now`` go on signing until
    ``old_valid_until``, older ones are dropped."""
    keep = signing_secrets(endpoint, now)
    return dataclasses.replace(
        endpoint, secrets=(*keep, secret), old_secrets_expire_at=old_valid_until
    )


def changed_endpoint(endpoint: Endpoint, change: EndpointChange) -> Endpoint:
    """A client's change: enabling clears the run of failures and the reason it was disabled;
    disabling gives the client as the reason."""
    changed = dataclasses.replace(endpoint, url=change.url, event_types=change.event_types)
    if change.enabled and endpoint.status != "enabled":
        return dataclasses.replace(
            changed, status="enabled", failing_since=None, disabled_reason=None
        )
    if not change.enabled and endpoint.status == "enabled":
        return dataclasses.replace(changed, status="disabled", disabled_reason=CLIENT_DISABLED)
    return changed


def disabled_endpoint(endpoint: Endpoint, reason: str) -> Endpoint | None:
    """The endpoint disabled for ``reason``; None if it is not enabled (nothing to do)."""
    if endpoint.status != "enabled":
        return None
    return dataclasses.replace(endpoint, status="disabled", disabled_reason=reason)


def fails_pending(before: Endpoint, after: Endpoint) -> bool:
    """Disabling an endpoint fails its pending messages: nothing more is attempted, and the
    client can replay them once it works again."""
    return before.status == "enabled" and after.status != "enabled"


# -- leasing ---------------------------------------------------------------------------------


def free_slots(running: int, cap: int) -> int:
    """How many more messages an endpoint with ``running`` leases may take (``cap`` at most
    in flight, counted across every process)."""
    return max(cap - running, 0)
