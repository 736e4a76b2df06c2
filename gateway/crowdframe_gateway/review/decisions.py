"""One review decision on a submitted assignment, whoever makes it (the client, the crowd):
the store's approve or reject, with its event, then the ledger's credit of an approval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ..conversations import tell_rejected
from ..core.params import ReviewDecision
from ..core.records import Assignment
from ..ledger import credit_reward, note_work

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["ReviewedBy", "after_decision", "decide"]

ReviewedBy = Literal["client", "crowd"]


async def decide(
    rt: Runtime,
    assignment_id: str,
    *,
    approve: bool,
    reason: str | None,
    now: float,
    reviewed_by: ReviewedBy,
    event_extra: dict[str, Any] | None = None,
) -> Assignment:
    """Approve or reject; the event's data says who (``reviewed_by``) and ``event_extra``."""
    extra = {"reviewed_by": reviewed_by, **(event_extra or {})}
    reviewed = await rt.store.review(assignment_id, ReviewDecision(approve, reason, extra), now=now)
    await after_decision(rt, reviewed)
    return reviewed


async def after_decision(rt: Runtime, reviewed: Assignment) -> None:
    """What follows every review, the gateway's auto-approval included: an approval's reward,
    credited once (the ledger's key; approving again re-credits only a lost first credit), or
    the rejection told to the worker, who reads why on /earnings and in a notice (once, however
    often repeated); the line of the worker's statement; and the review in the worker's
    record (counted once)."""
    project = await rt.store.get_project(reviewed.project_id)  # read once for both
    if reviewed.status == "approved":
        await credit_reward(rt, reviewed, project)
    else:
        await tell_rejected(rt, reviewed)
    await note_work(rt, reviewed, project)
    await rt.store.record_review(reviewed)
