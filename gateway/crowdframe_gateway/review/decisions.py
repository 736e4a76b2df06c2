"""One review decision on a submitted assignment, whoever makes it (the client, the crowd):
the store's approve or reject, with its event, then the ledger's credit of an approval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ..conversations import tell_rejected
from ..core.params import ReviewDecision
from ..core.records import Assignment
from ..ledger import credit_reward

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["ReviewedBy", "decide"]

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
    if reviewed.status == "approved":
        # Credited once (the ledger's key); approving again re-credits only a lost first credit.
        await credit_reward(rt, reviewed)
    else:  # the worker reads why, on /earnings and in a notice (once, however often repeated)
        await tell_rejected(rt, reviewed)
    return reviewed
