"""What the ledger credits: the rules of a reward, decided in Python and handed on as data.

- an approved assignment earns its project's reward, in the project's currency, with the
  project's title as the reason (``reward_of``);
- a project that pays nothing (an unpaid assessment) writes no line at all;
- a reward is keyed by its assignment (``reward:<assignment id>``): credited once, however often
  the approval is repeated or retried;
- the worker's statement (``work_line``) has a line for each submission to a project that pays:
  submitted (pending until the gateway approves it, ``core.records.approval_due_at``, unless the
  client reviews it first), approved or rejected, with the project's reward as it is when the
  line is written (what an approval pays, or would have paid), and a rejection's reason. An
  assignment not submitted (accepted, returned, expired) has no line; nor does unpaid work.
  A bonus is a line of its own (``bonus_line``), with its reason as the line's title.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.records import Assignment, Credit, ProjectSpec
from .store import LineStatus, WorkLine

__all__ = [
    "STATEMENT_PAGE",
    "Reward",
    "bonus_line",
    "day_of",
    "reward_key",
    "reward_of",
    "work_line",
]

STATEMENT_PAGE = 50  # lines on one page of the worker's statement (/earnings)


@dataclass(frozen=True, slots=True)
class Reward:
    """The ledger line an approval earns, less who it is for (the assignment says)."""

    amount_cents: int
    currency: str
    reason: str
    key: str


_LINE_STATUS: dict[str, LineStatus] = {
    "submitted": "submitted",
    "approved": "approved",
    "rejected": "rejected",
}


def reward_key(assignment_id: str) -> str:
    """The reward's unique key in the ledger: one reward per assignment."""
    return f"reward:{assignment_id}"


def reward_of(spec: ProjectSpec, assignment_id: str) -> Reward | None:
    """The reward an approved assignment of a project with ``spec`` earns; None pays nothing."""
    if spec.reward_cents == 0:
        return None
    return Reward(spec.reward_cents, spec.currency, spec.title, reward_key(assignment_id))


def work_line(assignment: Assignment, spec: ProjectSpec) -> WorkLine | None:
    """The statement's line for ``assignment`` as it stands, in a project with ``spec``; None
    when it has none (not submitted, or unpaid)."""
    status = _LINE_STATUS.get(assignment.status)
    if status is None or assignment.submitted_at is None or spec.reward_cents == 0:
        return None
    return WorkLine(
        key=assignment.id,
        assignment_id=assignment.id,
        worker_id=assignment.worker_id,
        client_id=assignment.client_id,
        project_id=assignment.project_id,
        title=spec.title,
        status=status,
        amount_cents=spec.reward_cents,
        currency=spec.currency,
        submitted_at=assignment.submitted_at,
        approval_due_at=spec.approval_due_at(assignment.submitted_at),
        reviewed_at=assignment.reviewed_at if status != "submitted" else None,
        reject_reason=assignment.reject_reason if status == "rejected" else None,
    )


DAY_SECONDS = 86_400  # a UTC day in Unix time (which has no leap seconds)


def day_of(at: float) -> int:
    """The UTC day ``at`` is in, counted from 1970-01-01: "done today" counts the worker's
    submissions (bonuses aside) made on the day of now."""
    return int(at // DAY_SECONDS)


def bonus_line(credit: Credit, project_id: str) -> WorkLine:
    """The statement's line of a bonus credited on ``project_id``'s assignment."""
    return WorkLine(
        key=credit.key,
        assignment_id=credit.assignment_id,
        worker_id=credit.worker_id,
        client_id=credit.client_id,
        project_id=project_id,
        title=credit.reason,
        status="bonus",
        amount_cents=credit.amount_cents,
        currency=credit.currency,
        submitted_at=credit.created_at,
        approval_due_at=credit.created_at,
    )
