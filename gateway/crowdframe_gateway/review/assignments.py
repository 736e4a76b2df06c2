"""The client's side of assignments: list, read, approve, reject, server-side submit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any

from ..core.errors import owned
from ..core.page import Page
from ..core.params import AssignmentQuery
from ..core.records import ASSIGNMENT_STATUSES, SIGNALS, Assignment, Client, now
from ..core.validation import Body, Text, one_of, read
from .decisions import decide
from .verdicts import after_review

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "Rejection",
    "approve",
    "list_assignments",
    "owned_assignment",
    "reject",
    "reject_because",
    "rejection_reason",
]

log = logging.getLogger("crowdframe.review")


class Rejection(Body):
    """``POST /assignments/{id}/reject``: the reason the worker reads."""

    reason: Annotated[str, Text(1, 1000)]


async def owned_assignment(rt: Runtime, client: Client, assignment_id: str) -> Assignment:
    return owned(await rt.store.get_assignment(assignment_id), client.id, what="assignment")


async def list_assignments(
    rt: Runtime,
    client: Client,
    *,
    project_id: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
    signal: str | None = None,
) -> Page[Assignment]:
    if status is not None:
        one_of("status", status, ASSIGNMENT_STATUSES)
    if signal is not None:
        one_of("signal", signal, SIGNALS)
    query = AssignmentQuery(
        limit,
        project_id=project_id,
        status=status,  # type: ignore[arg-type]
        cursor=cursor,
        signal=signal,
    )
    return await rt.store.list_assignments(client.id, query)


async def approve(rt: Runtime, client: Client, assignment_id: str) -> Assignment:
    await owned_assignment(rt, client, assignment_id)
    reviewed = await decide(
        rt, assignment_id, approve=True, reason=None, now=now(), reviewed_by="client"
    )
    await _cancel_crowd_review(rt, reviewed)
    return reviewed


def rejection_reason(body: dict[str, Any]) -> str:
    """A rejection's ``{"reason"}`` as the API reads it: 1 to 1000 characters."""
    return read(Rejection, body).reason


async def reject(
    rt: Runtime, client: Client, assignment_id: str, body: dict[str, Any]
) -> Assignment:
    return await reject_because(rt, client, assignment_id, rejection_reason(body))


async def reject_because(
    rt: Runtime, client: Client, assignment_id: str, reason: str
) -> Assignment:
    """Reject with a reason already read (MTurk's RejectAssignment may give an empty one:
    ``conversations.reason_text`` is what the worker reads then)."""
    await owned_assignment(rt, client, assignment_id)
    reviewed = await decide(
        rt, assignment_id, approve=False, reason=reason, now=now(), reviewed_by="client"
    )
    await _cancel_crowd_review(rt, reviewed)
    return reviewed


async def _cancel_crowd_review(rt: Runtime, reviewed: Assignment) -> None:
    """The client's review makes a crowd review nobody started wasted work: cancel it. The
    review stands either way; a failure here is repaired by the sweeper's next visit."""
    try:
        await after_review(rt, reviewed)
    except Exception:
        log.exception("could not cancel the crowd review of %s; the sweeper will", reviewed.id)
