"""The conversations context's rules, by tables of cases, without a store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crowdframe_gateway.conversations import Dispute
from crowdframe_gateway.conversations.rules import (
    NO_REASON,
    answer_of,
    due_at,
    may_dispute,
    overdue,
    reason_text,
    recipients,
    wants,
)
from crowdframe_gateway.core.errors import Conflict
from crowdframe_gateway.core.records import Assignment
from crowdframe_gateway.settings import Settings

DAY = 86_400.0
WINDOW = 14 * DAY

REJECTED = Assignment(
    id="asg_1",
    task_id="tsk_1",
    project_id="prj_1",
    client_id="cli_1",
    worker_id="wrk_1",
    worker_pseudonym="wkr_1",
    external_id="t1",
    status="rejected",
    accepted_at=0.0,
    deadline=600.0,
    submitted_at=10.0,
    result={},
    reviewed_at=100.0,
    reject_reason="blurry",
)
OPEN = Dispute(
    "dsp_1", "asg_1", "cli_1", "prj_1", "tsk_1", "wrk_1", "wkr_1", "m", "blurry", "open",
    opened_at=200.0, due_at=200.0 + WINDOW,
)  # fmt: skip


def test_the_platforms_dispute_window_is_fourteen_days() -> None:
    assert Settings().dispute_window == WINDOW
    assert Settings.from_env({"CROWDFRAME_DISPUTE_WINDOW": "3600"}).dispute_window == 3600.0


@pytest.mark.parametrize(
    ("reason", "shown"),
    [("blurry", "blurry"), ("  padded  ", "padded"), ("", NO_REASON), ("   ", NO_REASON),
     (None, NO_REASON)],
)  # fmt: skip
def test_a_rejection_reads_its_reason_or_no_reason_given(reason: str | None, shown: str) -> None:
    assert reason_text(reason) == shown


@pytest.mark.parametrize(
    ("assignment", "existing", "at", "refusal"),
    [
        (REJECTED, None, 100.0 + WINDOW, None),  # the window's last instant
        (REJECTED, None, 101.0, None),
        (REJECTED, None, 100.0 + WINDOW + 1, "dispute_window_closed"),
        (REJECTED, OPEN, 150.0, "already_disputed"),
        (REJECTED, replace(OPEN, status="upheld"), 150.0, "already_disputed"),
        (replace(REJECTED, status="approved"), None, 150.0, "not_rejected"),
        (replace(REJECTED, status="submitted", reviewed_at=None), None, 150.0, "not_rejected"),
    ],
)
def test_who_may_dispute(
    assignment: Assignment, existing: Dispute | None, at: float, refusal: str | None
) -> None:
    if refusal is None:
        may_dispute(assignment, existing, now=at, window=WINDOW)
        return
    with pytest.raises(Conflict) as refused:
        may_dispute(assignment, existing, now=at, window=WINDOW)
    assert refused.value.code == refusal
    if refusal == "already_disputed":
        assert "dsp_1" in refused.value.message, "the refusal names the first dispute"


def test_a_dispute_is_due_a_window_after_it_opened() -> None:
    assert due_at(200.0, WINDOW) == OPEN.due_at
    assert not overdue(OPEN, now=OPEN.due_at - 1)
    assert overdue(OPEN, now=OPEN.due_at)
    assert not overdue(replace(OPEN, status="overturned"), now=OPEN.due_at + DAY)


@pytest.mark.parametrize(
    ("status", "answer", "changes"),
    [("open", "overturned", True), ("open", "upheld", True), ("overturned", "overturned", False),
     ("upheld", "upheld", False), ("upheld", "overturned", None), ("overturned", "upheld", None)],
)  # fmt: skip
def test_a_dispute_is_answered_once(status: str, answer: str, changes: bool | None) -> None:
    dispute = replace(OPEN, status=status)  # type: ignore[arg-type]
    if changes is None:
        with pytest.raises(Conflict, match="already"):
            answer_of(dispute, answer)  # type: ignore[arg-type]
    else:
        assert answer_of(dispute, answer) is changes  # type: ignore[arg-type]


def test_a_message_reaches_each_worker_once_unless_muted() -> None:
    assert recipients(["w1", "w2", "w1", "w3"], {"w2"}) == ["w1", "w3"]
    assert recipients([], ["w1"]) == []


def test_a_worker_gets_every_notice_kind_they_did_not_opt_out_of() -> None:
    assert wants("bonus", ())
    assert not wants("bonus", ("bonus", "message"))
    assert wants("rejected", ("bonus",))
