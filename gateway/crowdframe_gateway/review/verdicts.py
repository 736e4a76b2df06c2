"""Crowd review, the workflow: each answer becomes a review task; when its reviewers are all
in, their majority verdict approves or rejects the answer through the client's own review path
(decisions.py: the same event, the same ledger credit).

The store queues each answer in the transaction of its submission (``crowd_reviews_due``); the
gateway opens its review task at once and looks again every ``REVISIT`` seconds until the
verdict is settled, so a crash between any two steps delays a review, never loses it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..catalog import review_task, review_task_id
from ..core.agreement import aggregate
from ..core.errors import Conflict
from ..core.params import TaskAssignmentsQuery
from ..core.records import Assignment, AssignmentStatus, Project, Task, now
from .decisions import decide

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "REVISIT",
    "CrowdVerdict",
    "after_review",
    "after_submission",
    "crowd_review_view",
    "sweep",
    "tally",
]

log = logging.getLogger("crowdframe.crowd_review")

REVISIT = 600.0  # seconds between looks at an answer whose review is still open
_BATCH = 200
_DONE: tuple[AssignmentStatus, ...] = ("submitted", "approved", "rejected")
CrowdStatus = Literal["pending", "approved", "rejected", "tie", "overridden", "cancelled"]


@dataclass(frozen=True, slots=True)
class CrowdVerdict:
    """The reviewers' votes on one answer so far; ``verdict`` once all are in (None: a tie)."""

    review_task_id: str
    complete: bool
    votes: dict[str, int]
    verdict: str | None
    reasons: list[str]
    cancelled: bool = False  # reviewed otherwise before any reviewer took it

    def status(self, assignment: Assignment) -> CrowdStatus:
        """What became of the verdict: ``overridden`` when the answer was reviewed otherwise
        (by the client, or approved by the delay) before or instead; ``cancelled`` when that
        happened before any reviewer took the review task."""
        if self.cancelled:
            return "cancelled"
        if not self.complete:
            return "pending"
        if self.verdict is None:
            return "tie"
        target: CrowdStatus = "approved" if self.verdict == "approve" else "rejected"
        if assignment.status == target:
            return target
        return "pending" if assignment.status == "submitted" else "overridden"


async def tally(rt: Runtime, assignment: Assignment) -> CrowdVerdict | None:
    """The crowd's votes on an answer; None when it has no review task."""
    task = await rt.store.get_task(review_task_id(assignment.id))
    if task is None:
        return None
    page = await rt.store.list_task_assignments(task.id, TaskAssignmentsQuery(_DONE, 10))
    results = [a.result for a in page.items]
    summary = aggregate(results).get("verdict", {})
    complete = task.status == "completed"
    verdict = summary.get("value") if complete else None
    reasons = [
        str(r.get("reason"))
        for r in results
        if r is not None and r.get("verdict") == verdict and r.get("reason")
    ]
    votes = dict(summary.get("votes", {}))
    return CrowdVerdict(
        task.id, complete, votes, verdict, reasons, cancelled=task.status == "cancelled"
    )


def crowd_review_view(assignment: Assignment, verdict: CrowdVerdict) -> dict[str, Any]:
    """``crowd_review`` in the API's assignment: its status and the votes so far."""
    return {
        "status": verdict.status(assignment),
        "verdict": verdict.verdict,
        "votes": verdict.votes,
        "reasons": verdict.reasons,
        "review_task_id": verdict.review_task_id,
    }


async def after_submission(rt: Runtime, project: Project, task: Task, done: Assignment) -> None:
    """After every submission: an answer to review gets its review task; a review that
    completes its task settles the verdict on the answer it reviewed."""
    if project.spec.kind == "review":
        if task.status == "completed":
            answer = await rt.store.get_assignment(task.external_id)
            if answer is not None:
                await _settle(rt, answer)
    elif project.spec.crowd_review is not None and task.gold is None:
        await _open_review(rt, project, task, done)


async def _open_review(rt: Runtime, project: Project, task: Task, answer: Assignment) -> None:
    review_id = project.spec.review_project_id
    review_project = None if review_id is None else await rt.store.get_project(review_id)
    if review_project is None:
        await rt.store.schedule_crowd_review(answer.id, at=None)
        return
    await rt.store.add_review_task(
        review_task(review_project, task, answer.id, answer.result),
        excluded_worker=answer.worker_id,
    )
    await rt.store.schedule_crowd_review(answer.id, at=now() + REVISIT)


def _reject_reason(verdict: CrowdVerdict) -> str:
    against = verdict.votes.get("reject", 0)
    said = "; ".join(verdict.reasons)
    text = f"Rejected by crowd review ({against} of {sum(verdict.votes.values())} reviewers)"
    return (f"{text}: {said}" if said else text)[:1000]


async def _settle(rt: Runtime, answer: Assignment) -> None:
    """Apply a complete verdict to the answer unless someone reviewed it first (the client
    wins); a tie is left to the client. Tells the client either way, then unqueues it."""
    verdict = await tally(rt, answer)
    if verdict is None or not verdict.complete:
        return
    if verdict.verdict is not None and answer.status == "submitted":
        approve = verdict.verdict == "approve"
        try:
            answer = await decide(
                rt,
                answer.id,
                approve=approve,
                reason=None if approve else _reject_reason(verdict),
                now=now(),
                reviewed_by="crowd",
                event_extra={"crowd_review": {"votes": verdict.votes}},
            )
        except Conflict:  # reviewed meanwhile by the client: theirs stands
            answer = await rt.store.get_assignment(answer.id) or answer
    await _tell_client(rt, answer, verdict)


async def _tell_client(rt: Runtime, answer: Assignment, verdict: CrowdVerdict) -> None:
    """``assignment.crowd_reviewed``: what became of the crowd review; then it is unqueued."""
    task = await rt.store.get_task(answer.task_id)
    await rt.store.record_event(
        answer.client_id,
        "assignment.crowd_reviewed",
        {
            "assignment_id": answer.id,
            "task_id": answer.task_id,
            "project_id": answer.project_id,
            "external_id": task.external_id if task is not None else answer.external_id,
            "worker_id": answer.worker_pseudonym,
            **crowd_review_view(answer, verdict),
        },
    )
    await rt.store.schedule_crowd_review(answer.id, at=None)


async def _visit(rt: Runtime, assignment_id: str) -> None:
    """One queued answer: open its review if it has none yet, settle a complete one, look
    again later at one still open; drop what can no longer be reviewed."""
    answer = await rt.store.get_assignment(assignment_id)
    project = None if answer is None else await rt.store.get_project(answer.project_id)
    task = None if answer is None else await rt.store.get_task(answer.task_id)
    if answer is None or project is None or task is None:
        await rt.store.schedule_crowd_review(assignment_id, at=None)
        return
    review = await rt.store.get_task(review_task_id(answer.id))
    reviewing = project.spec.crowd_review is not None
    if review is None and reviewing and answer.status == "submitted":
        await _open_review(rt, project, task, answer)  # lost to a crash after the submit
    elif review is not None and review.status == "completed":
        await _settle(rt, answer)
    elif review is not None and review.status == "cancelled":
        await _tell_cancelled(rt, answer)  # the telling was lost to a crash
    elif review is not None and review.status == "open" and answer.status != "submitted":
        if not await after_review(rt, answer):  # a reviewer took it: it runs on
            await rt.store.schedule_crowd_review(answer.id, at=now() + REVISIT)
    elif review is not None and review.status == "open" and reviewing:
        await rt.store.schedule_crowd_review(answer.id, at=now() + REVISIT)
    else:
        await rt.store.schedule_crowd_review(answer.id, at=None)


async def after_review(rt: Runtime, answer: Assignment) -> bool:
    """The answer was reviewed otherwise (by the client, in bulk, or approved by the delay):
    its review task is wasted work, cancelled unless a reviewer took it already (then it runs
    on, its reviewers are paid, and it settles as ``overridden``). True when it was
    cancelled; the client is then told (``assignment.crowd_reviewed``, ``cancelled``)."""
    if answer.status not in ("approved", "rejected"):
        return False
    review = await rt.store.get_task(review_task_id(answer.id))
    if review is None or review.status != "open":
        return False
    cancelled = await rt.store.cancel_task(review.id, now=now(), untaken_only=True)
    if cancelled is None or cancelled.status != "cancelled":
        return False
    await _tell_cancelled(rt, answer)
    return True


async def _tell_cancelled(rt: Runtime, answer: Assignment) -> None:
    verdict = await tally(rt, answer)
    if verdict is not None:
        await _tell_client(rt, answer, verdict)


async def sweep(rt: Runtime) -> int:
    """Visit every queued answer that is due (the background sweeper calls this); how many."""
    due = await rt.store.crowd_reviews_due(now=now(), limit=_BATCH)
    for assignment_id in due:
        try:
            await _visit(rt, assignment_id)
        except Exception:  # one broken record must not stop the others
            log.exception("crowd review of %s failed; it stays queued", assignment_id)
    return len(due)
