"""The webhook rules both stores follow, case by case, without a store."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import Conflict
from crowdframe_gateway.core.records import Endpoint
from crowdframe_gateway.webhooks.rules import (
    FailingRun,
    changed_endpoint,
    check_replay,
    check_replay_failed,
    disabled_endpoint,
    failing_runs,
    fails_pending,
    fan_out,
    free_slots,
    message_task,
    replay_schedule,
    rotated_endpoint,
    settled_status,
    signing_secrets,
)
from crowdframe_gateway.webhooks.store import DeliveryOutcome, EndpointChange


def _endpoint(
    id: str = "whe_a",
    *,
    types: tuple[str, ...] | None = None,
    enabled: bool = True,
    secrets: tuple[str, ...] = ("s1",),
    expires: float | None = None,
    failing_since: float | None = None,
    reason: str | None = None,
) -> Endpoint:
    return Endpoint(
        id=id,
        client_id="cli_x",
        url="https://example.com/hook",
        secrets=secrets,
        event_types=types,
        status="enabled" if enabled else "disabled",
        created_at=0.0,
        old_secrets_expire_at=expires,
        failing_since=failing_since,
        disabled_reason=reason,
    )


ALL = _endpoint("whe_all")
SUBMITS = _endpoint("whe_submits", types=("assignment.submitted",))
OFF = _endpoint("whe_off", enabled=False)


@pytest.mark.parametrize(
    ("event_type", "endpoint_id", "expected"),
    [
        ("assignment.submitted", None, ["whe_all", "whe_submits"]),
        ("task.completed", None, ["whe_all"]),  # the filter leaves it out
        ("endpoint.test", "whe_off", ["whe_off"]),  # addressed to one: only that one
        ("endpoint.test", "whe_submits", ["whe_submits"]),
    ],
)
def test_who_gets_a_message_for_an_event(
    event_type: str, endpoint_id: str | None, expected: list[str]
) -> None:
    assert fan_out([ALL, SUBMITS, OFF], event_type, endpoint_id=endpoint_id) == expected


@pytest.mark.parametrize(
    ("data", "task"),
    [
        ({"task_id": "tsk_1", "answer": {}}, "tsk_1"),
        ({"endpoint_id": "whe_a"}, None),  # about no task: held behind nothing
        ({"task_id": 7}, None),  # not a task id
    ],
)
def test_which_task_a_message_keeps_order_with(data: dict[str, object], task: str | None) -> None:
    assert message_task(data) == task


@pytest.mark.parametrize(
    ("outcome", "enabled", "expected"),
    [
        ("delivered", True, "delivered"),
        ("retry", True, "pending"),
        ("failed", True, "failed"),
        ("delivered", False, "delivered"),
        ("retry", False, "failed"),  # disabled while the attempt was in flight
        ("failed", False, "failed"),
    ],
)
def test_what_an_attempt_leaves_its_message_in(
    outcome: DeliveryOutcome, enabled: bool, expected: str
) -> None:
    assert settled_status(outcome, endpoint_enabled=enabled) == expected


@pytest.mark.parametrize(
    ("batch", "current", "expected"),
    [
        ([("retry", 1.0)], None, 1.0),  # a run starts
        ([("retry", 1.0), ("failed", 2.0)], None, 1.0),  # at its first failure
        ([("retry", 5.0)], 1.0, 1.0),  # a running run keeps its start
        ([("delivered", 5.0)], 1.0, None),  # a success ends it
        ([("retry", 4.0), ("delivered", 5.0)], 1.0, None),
        ([("delivered", 3.0), ("retry", 4.0)], 1.0, 4.0),  # a new run after the success
        ([("delivered", 3.0), ("retry", 4.0), ("retry", 6.0)], 1.0, 4.0),
        ([("retry", 2.0), ("delivered", 3.0), ("retry", 4.0)], None, 4.0),
    ],
)
def test_what_a_batch_of_attempts_does_to_the_failing_clock(
    batch: list[tuple[DeliveryOutcome, float]], current: float | None, expected: float | None
) -> None:
    runs = failing_runs([("whe_a", outcome, at) for outcome, at in batch])
    assert runs["whe_a"].apply(current) == expected


def test_failing_runs_are_kept_per_endpoint_and_skip_unknown_messages() -> None:
    runs = failing_runs(
        [("whe_a", "retry", 1.0), (None, "delivered", 2.0), ("whe_b", "delivered", 3.0)]
    )
    assert runs == {"whe_a": FailingRun(1.0), "whe_b": FailingRun(None)}


@pytest.mark.parametrize(
    ("status", "enabled", "code"),
    [
        ("delivered", True, None),
        ("failed", True, None),
        ("pending", True, "message_pending"),
        ("pending", False, "message_pending"),  # still being delivered comes first
        ("failed", False, "endpoint_disabled"),
    ],
)
def test_when_a_message_may_be_replayed(status: str, enabled: bool, code: str | None) -> None:
    endpoint = _endpoint(enabled=enabled)
    if code is None:
        check_replay(status, endpoint)
        check_replay_failed(endpoint)
        return
    with pytest.raises(Conflict) as refused:
        check_replay(status, endpoint)
    assert refused.value.code == code


def test_a_replay_is_due_now_with_a_fresh_schedule() -> None:
    fresh = replay_schedule(123.5)
    assert (fresh.attempts, fresh.next_attempt_at) == (0, 123.5)


@pytest.mark.parametrize(
    ("secrets", "expires", "at", "expected"),
    [
        (("s1",), None, 50.0, ("s1",)),
        (("s1", "s2"), 100.0, 99.0, ("s1", "s2")),  # during the grace period: both sign
        (("s1", "s2"), 100.0, 100.0, ("s2",)),  # after it: the newest only
    ],
)
def test_which_secrets_sign(
    secrets: tuple[str, ...], expires: float | None, at: float, expected: tuple[str, ...]
) -> None:
    assert signing_secrets(_endpoint(secrets=secrets, expires=expires), at) == expected


@pytest.mark.parametrize(
    ("secrets", "expires", "now", "kept"),
    [
        (("s1",), None, 10.0, ("s1",)),
        (("s1", "s2"), 100.0, 50.0, ("s1", "s2")),  # a rotation during the grace keeps both
        (("s1", "s2"), 100.0, 150.0, ("s2",)),  # one after it drops the expired one
    ],
)
def test_a_rotation_keeps_the_secrets_still_signing(
    secrets: tuple[str, ...], expires: float | None, now: float, kept: tuple[str, ...]
) -> None:
    after = rotated_endpoint(
        _endpoint(secrets=secrets, expires=expires), "new", now=now, old_valid_until=now + 60
    )
    assert after.secrets == (*kept, "new") and after.old_secrets_expire_at == now + 60


@pytest.mark.parametrize(
    ("enabled_before", "enable", "status", "failing_since", "reason", "fails"),
    [
        (True, True, "enabled", 5.0, None, False),  # no change: the run goes on
        (True, False, "disabled", 5.0, "disabled by the client", True),
        (False, True, "enabled", None, None, False),  # enabling starts afresh
        (False, False, "disabled", 5.0, "410 Gone", False),
    ],
)
def test_what_a_clients_change_does_to_an_endpoint(
    enabled_before: bool,
    enable: bool,
    status: str,
    failing_since: float | None,
    reason: str | None,
    fails: bool,
) -> None:
    before = _endpoint(
        enabled=enabled_before,
        failing_since=5.0,
        reason=None if enabled_before else "410 Gone",
    )
    after = changed_endpoint(before, EndpointChange("https://new.example/h", ("a",), enable))
    assert (after.url, after.event_types) == ("https://new.example/h", ("a",))
    assert (after.status, after.failing_since, after.disabled_reason) == (
        status,
        failing_since,
        reason,
    )
    assert fails_pending(before, after) is fails


def test_disabling_needs_an_enabled_endpoint() -> None:
    after = disabled_endpoint(_endpoint(failing_since=5.0), "410 Gone")
    assert after is not None
    assert (after.status, after.disabled_reason, after.failing_since) == (
        "disabled",
        "410 Gone",
        5.0,
    )
    assert disabled_endpoint(after, "again") is None


@pytest.mark.parametrize(("running", "cap", "free"), [(0, 16, 16), (3, 4, 1), (4, 4, 0), (6, 4, 0)])
def test_how_many_more_messages_an_endpoint_may_take(running: int, cap: int, free: int) -> None:
    assert free_slots(running, cap) == free
