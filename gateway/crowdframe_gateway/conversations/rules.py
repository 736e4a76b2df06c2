"""The conversations context's decisions, as pure functions (test_conversation_rules.py).

- a worker may dispute a rejected assignment once, within the platform's dispute window after
  the rejection (``may_dispute``); the client answers within the same window after the dispute
  opened, or the dispute is reported to the platform operator (``due_at``, ``overdue``);
- only an open dispute is answered, and answering it again the same way changes nothing
  (``answer_of``);
- a rejection with an empty reason reads "no reason given" (``reason_text``);
- a message reaches the workers who have not muted its client (``recipients``), and a worker is
  told of something unless they opted out of its kind (``wants``);
- a client sends at most ``messages_per_window`` messages in ``message_window`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import Conflict
from ..core.records import Assignment
from ..core.text import N_
from .records import Dispute, DisputeStatus, NoticeKind

__all__ = [
    "NO_REASON",
    "answer_of",
    "due_at",
    "may_dispute",
    "overdue",
    "reason_text",
    "recipients",
    "wants",
]

NO_REASON = N_("no reason given")


def reason_text(reason: str | None) -> str:
    """What the worker reads as the rejection's reason."""
    return reason.strip() if reason and reason.strip() else NO_REASON


def may_dispute(
    assignment: Assignment, existing: Dispute | None, *, now: float, window: float
) -> None:
    """Refuse a dispute the worker may not open (Conflict, with the reason as its message)."""
    if existing is not None:
        raise Conflict(
            f"you already disputed this rejection (dispute {existing.id}); a rejection is"
            " disputed once",
            code="already_disputed",
        )
    if assignment.status != "rejected":
        raise Conflict("only rejected work can be disputed", code="not_rejected")
    if assignment.reviewed_at is None or now > assignment.reviewed_at + window:
        days = round(window / 86_400)
        raise Conflict(
            f"a rejection can be disputed within {days} days of it", code="dispute_window_closed"
        )


def due_at(opened_at: float, window: float) -> float:
    """When an unanswered dispute is reported to the platform operator."""
    return opened_at + window


def overdue(dispute: Dispute, *, now: float) -> bool:
    return dispute.status == "open" and now >= dispute.due_at


def answer_of(dispute: Dispute, answer: DisputeStatus) -> bool:
    """Whether answering ``dispute`` with ``answer`` changes it: True for an open one, False for
    a repeat of its answer; Conflict for the other answer."""
    if dispute.status == "open":
        return True
    if dispute.status == answer:
        return False
    raise Conflict(f"this dispute was already {dispute.status}", code="dispute_answered")


def recipients(workers: Iterable[str], muted_by: Iterable[str]) -> list[str]:
    """The workers a message reaches, in order, once each: not those who muted its client."""
    muted = set(muted_by)
    return [w for w in dict.fromkeys(workers) if w not in muted]


def wants(kind: NoticeKind, opted_out: Iterable[str]) -> bool:
    return kind not in set(opted_out)
