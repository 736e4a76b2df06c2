"""Parameter objects of the store's longer calls that lower contexts make too: the caller builds
one typed value and every backend reads it, so the call's parameters are written once.

They live here rather than beside their protocol (``work/store.py``, ``mturk/store.py``)
because quality, review and catalog, below those contexts, make these calls. A call only its
own context makes keeps its parameter object beside its protocol (e.g.
``quality.store.AttemptRequest``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .records import AssignmentStatus

__all__ = [
    "AssignmentQuery",
    "AttemptGrade",
    "Claim",
    "GoldGrade",
    "ReviewDecision",
    "Submission",
    "TaskAssignmentsQuery",
]


@dataclass(frozen=True, slots=True)
class GoldGrade:
    """A gold answer's grade and its effect on the worker's record, decided before the submit
    (``quality.rules.grade_gold``) for the record as it was: ``seen`` answers on it. The store
    counts it in the submission's own step, or refuses the submit if the record moved on."""

    correct: bool
    seen: int
    stop: bool  # the worker is stopped once this answer is counted


@dataclass(frozen=True, slots=True)
class AttemptGrade:
    """An assessment question's answer as the worker's open attempt counts it: right or not,
    and how many right answers pass the attempt (``quality.rules.needed_correct``). The submit
    counts it in its own step; the attempt's last answer ends it (``attempt_outcome``)."""

    correct: bool
    needed: int


@dataclass(frozen=True, slots=True)
class Claim:
    """Who asks ``claim`` for a task of which project, and whether a gold task comes first
    (``quality.process.serve_gold``); in an assessment, the attempt's ``questions`` in its
    order, of which the first the worker may still take comes before the pool's order."""

    project_id: str
    worker_id: str
    worker_pseudonym: str
    gold: bool = False
    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A client's ``review`` of a submission: approve or reject (with its reason), and what its
    event's data says besides (who reviewed it)."""

    approve: bool
    reason: str | None = None
    event_extra: dict[str, Any] | None = None
    # an approval may overturn a rejection (a dispute's answer, conversations/disputes.py)
    overturn: bool = False


@dataclass(frozen=True, slots=True)
class Submission:
    """What ``submit`` keeps: the answer, its fraud signals, the hashed address it came from,
    for a gold task its grade (``quality.rules.grade_gold``), and for an assessment's question
    its grade in the worker's attempt."""

    result: dict[str, Any]
    signals: tuple[str, ...] = ()
    ip_hash: str | None = None
    gold: GoldGrade | None = None
    attempt: AttemptGrade | None = None


@dataclass(frozen=True, slots=True)
class AssignmentQuery:
    """One page of a client's assignments (``list_assignments``): of one project or all, in
    one status or any, and only those carrying ``signal`` when given."""

    limit: int
    project_id: str | None = None
    status: AssignmentStatus | None = None
    cursor: str | None = None
    signal: str | None = None


@dataclass(frozen=True, slots=True)
class TaskAssignmentsQuery:
    """One page of a task's assignments in these statuses (``list_task_assignments``)."""

    statuses: Sequence[AssignmentStatus]
    limit: int
    cursor: str | None = None
