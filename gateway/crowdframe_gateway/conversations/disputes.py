"""Disputes: a worker objects to a rejection once, the client overturns or upholds it, and one
nobody answered in time is reported to the platform operator.

``overturn_rejection`` is the one way a rejection becomes an approval: a dispute's overturn
calls it, and so can MTurk's ``ApproveAssignment(OverrideRejection=True)``. Each of its steps
is safe to repeat (the dispute's answer, the store's review, the ledger's credit by its key),
so a retry after a crash finishes the job and credits the reward once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from ..core.errors import Conflict, NotFound, owned
from ..core.page import Page
from ..core.params import ReviewDecision
from ..core.records import Assignment, Client, Worker, iso, new_id, now
from ..core.text import N_, Text
from ..core.validation import Body, one_of, read
from ..core.validation import Text as Length
from ..ledger import credit_reward, note_work
from . import notices
from .records import Dispute, DisputeStatus
from .rules import answer_of, due_at, may_dispute, overdue, reason_text
from .store import DisputeAnswer, DisputeQuery

if TYPE_CHECKING:
    from ..runtime import Runtime, Store

__all__ = [
    "dispute_data",
    "list_disputes",
    "open_dispute",
    "overturn",
    "overturn_rejection",
    "owned_dispute",
    "rejected_work",
    "report_overdue",
    "uphold",
]

log = logging.getLogger("crowdframe.conversations")

DISPUTE_STATUSES: tuple[DisputeStatus, ...] = ("open", "overturned", "upheld")


def dispute_data(dispute: Dispute) -> dict[str, Any]:
    """What ``assignment.disputed`` and ``dispute.overdue`` say."""
    return {
        "dispute_id": dispute.id,
        "assignment_id": dispute.assignment_id,
        "task_id": dispute.task_id,
        "project_id": dispute.project_id,
        "worker_id": dispute.worker_pseudonym,
        "message": dispute.message,
        "reject_reason": dispute.reject_reason,
        "status": dispute.status,
        "opened_at": iso(dispute.opened_at),
        "due_at": iso(dispute.due_at),
    }


async def _workers_assignment(rt: Runtime, worker: Worker, assignment_id: str) -> Assignment:
    assignment = await rt.store.get_assignment(assignment_id)
    if assignment is None or assignment.worker_id != worker.id:
        raise NotFound("no such assignment", field="assignment_id")
    return assignment


@dataclass(frozen=True, slots=True)
class RejectedWork:
    """A rejection as the worker sees it on /earnings: why, and where its dispute stands."""

    assignment: Assignment
    title: str
    reason: str
    dispute: Dispute | None
    disputable: bool  # no dispute yet and still within the window


async def rejected_work(
    rt: Runtime, worker: Worker, among: Sequence[tuple[str, str]]
) -> list[RejectedWork]:
    """Of the worker's assignments ``among`` (client id, assignment id: a page of /earnings),
    the rejected ones and those a dispute overturned (approved now), in that order."""
    found = []
    at = now()
    for client_id, assignment_id in among:
        assignment = await rt.store.get_assignment(assignment_id)
        if assignment is None or assignment.worker_id != worker.id:
            continue
        dispute = await rt.store.dispute_of(client_id, assignment.id)
        overturned = dispute is not None and dispute.status == "overturned"
        if assignment.status != "rejected" and not overturned:
            continue
        try:
            may_dispute(assignment, dispute, now=at, window=rt.settings.dispute_window)
            disputable = True
        except Conflict:
            disputable = False
        project = await rt.store.get_project(assignment.project_id)
        title = project.spec.title if project is not None else "a project"
        reason = reason_text(assignment.reject_reason) if dispute is None else dispute.reject_reason
        found.append(RejectedWork(assignment, title, reason, dispute, disputable))
    return found


class DisputeMessage(Body):
    """What a worker says to the client when disputing a rejection."""

    message: Annotated[str, Length(1, 2000)]


class Upholding(Body):
    """``POST /disputes/{id}/uphold``: the reply the worker reads."""

    reply: Annotated[str, Length(1, 2000)]


async def open_dispute(rt: Runtime, worker: Worker, assignment_id: str, message: str) -> Dispute:
    """The worker disputes a rejection of their work, with a message to the client."""
    assignment = await _workers_assignment(rt, worker, assignment_id)
    text = read(DisputeMessage, {"message": message}).message
    at = now()
    existing = await rt.store.dispute_of(assignment.client_id, assignment.id)
    may_dispute(assignment, existing, now=at, window=rt.settings.dispute_window)
    dispute = Dispute(
        id=new_id("dsp"),
        assignment_id=assignment.id,
        client_id=assignment.client_id,
        project_id=assignment.project_id,
        task_id=assignment.task_id,
        worker_id=worker.id,
        worker_pseudonym=assignment.worker_pseudonym,
        message=text,
        reject_reason=reason_text(assignment.reject_reason),
        status="open",
        opened_at=at,
        due_at=due_at(at, rt.settings.dispute_window),
    )
    return await rt.store.open_dispute(dispute, dispute_data(dispute))


async def owned_dispute(rt: Runtime, client: Client, dispute_id: str) -> Dispute:
    found = await rt.store.get_dispute(client.id, dispute_id)
    return owned(found, client.id, what="dispute")


async def list_disputes(
    rt: Runtime, client: Client, *, status: str | None, cursor: str | None, limit: int
) -> Page[Dispute]:
    if status is not None:
        one_of("status", status, DISPUTE_STATUSES)
    query = DisputeQuery(limit, status=status, cursor=cursor)  # type: ignore[arg-type]
    return await rt.store.list_disputes(client.id, query)


# what the worker is told of a dispute answered: (overturned, with a reply) -> the text
_ANSWERED = {
    (True, False): N_("Your dispute was overturned: the work is approved"),
    (True, True): N_("Your dispute was overturned: the work is approved. The client wrote:"
                     " %(reply)s"),
    (False, False): N_("Your dispute was upheld"),
    (False, True): N_("Your dispute was upheld. The client wrote: %(reply)s"),
}  # fmt: skip


async def _answer(
    rt: Runtime, client: Client, dispute: Dispute, status: DisputeStatus, reply: str | None
) -> Dispute:
    if not answer_of(dispute, status):
        return dispute  # answered so before: a repeat
    answered = await rt.store.answer_dispute(
        client.id, dispute.id, DisputeAnswer(status, reply, now())
    )
    text = Text(_ANSWERED[status == "overturned", bool(reply)], {"reply": reply or ""})
    key = f"dispute:{dispute.id}"
    await notices.tell(rt, dispute.worker_id, "dispute_answered", text, link="/earnings", key=key)
    return answered


async def overturn(rt: Runtime, client: Client, dispute_id: str) -> tuple[Dispute, Assignment]:
    """The client overturns the rejection a dispute objects to: the work is approved and its
    reward credited once."""
    dispute = await owned_dispute(rt, client, dispute_id)
    answered = await _answer(rt, client, dispute, "overturned", None)
    approved = await overturn_rejection(rt, client, dispute.assignment_id, dispute=answered)
    return answered, approved


async def overturn_rejection(
    rt: Runtime, client: Client, assignment_id: str, *, dispute: Dispute | None = None
) -> Assignment:
    """Approve a rejected assignment of the client (``assignment.approved`` with
    ``overturned: true``) and credit its reward once; an open dispute of it is answered as
    overturned. Approving an approved one again changes nothing."""
    assignment = owned(await rt.store.get_assignment(assignment_id), client.id, what="assignment")
    if assignment.status not in ("rejected", "approved"):
        raise Conflict(
            f"only a rejected assignment can be overturned; this one is {assignment.status}",
            code="not_rejected",
        )
    if dispute is None:
        dispute = await rt.store.dispute_of(client.id, assignment.id)
        if dispute is not None and dispute.status == "open":
            dispute = await _answer(rt, client, dispute, "overturned", None)
    extra: dict[str, Any] = {"reviewed_by": "client", "overturned": True}
    if dispute is not None:
        extra["dispute_id"] = dispute.id
    decision = ReviewDecision(True, None, extra, overturn=True)
    approved = await rt.store.review(assignment.id, decision, now=now())
    await credit_reward(rt, approved)
    await note_work(rt, approved)
    return approved


async def uphold(rt: Runtime, client: Client, dispute_id: str, body: dict[str, Any]) -> Dispute:
    """The client keeps the rejection, with a reply the worker reads."""
    dispute = await owned_dispute(rt, client, dispute_id)
    return await _answer(rt, client, dispute, "upheld", read(Upholding, body).reply)


async def report_overdue(store: Store, *, at: float) -> list[Dispute]:
    """Every dispute nobody answered within the window; each is reported once (a
    ``dispute.overdue`` event and a warning in the log) and stays listed until answered."""
    found = [d for d in await store.overdue_disputes(now=at) if overdue(d, now=at)]
    for dispute in found:
        if dispute.reported_at is None and await store.report_overdue(
            dispute, {**dispute_data(dispute), "status": "overdue"}, now=at
        ):
            log.warning(
                "dispute %s (client %s, assignment %s) unanswered since %s",
                dispute.id,
                dispute.client_id,
                dispute.assignment_id,
                iso(dispute.opened_at),
            )
    return found
