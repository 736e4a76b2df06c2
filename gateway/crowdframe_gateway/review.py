"""The client's side of assignments: list, read, approve, reject, server-side submit."""

from __future__ import annotations

from typing import Any

from .decisions import decide
from .errors import NotFound
from .quality import SIGNALS, record_submission
from .records import ASSIGNMENT_STATUSES, Assignment, Client, now
from .runtime import Runtime
from .store import Page
from .validation import Fields

__all__ = ["approve", "list_assignments", "owned_assignment", "reject", "submit_for_client"]


async def owned_assignment(rt: Runtime, client: Client, assignment_id: str) -> Assignment:
    assignment = await rt.store.get_assignment(assignment_id)
    if assignment is None or assignment.client_id != client.id:
        raise NotFound("no such assignment", field="assignment_id")
    return assignment


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
        Fields({"status": status}).one_of("status", ASSIGNMENT_STATUSES)
    if signal is not None:
        Fields({"signal": signal}).one_of("signal", SIGNALS)
    return await rt.store.list_assignments(
        client.id,
        project_id=project_id,
        status=status,  # type: ignore[arg-type]
        cursor=cursor,
        limit=limit,
        signal=signal,
    )


async def approve(rt: Runtime, client: Client, assignment_id: str) -> Assignment:
    await owned_assignment(rt, client, assignment_id)
    return await decide(
        rt, assignment_id, approve=True, reason=None, now=now(), reviewed_by="client"
    )


async def reject(
    rt: Runtime, client: Client, assignment_id: str, body: dict[str, Any]
) -> Assignment:
    await owned_assignment(rt, client, assignment_id)
    f = Fields(body)
    f.reject_unknown(("reason",))
    reason = f.text("reason", min_len=1, max_len=1000)
    return await decide(
        rt, assignment_id, approve=False, reason=reason, now=now(), reviewed_by="client"
    )


async def submit_for_client(
    rt: Runtime, client: Client, assignment_id: str, body: dict[str, Any]
) -> Assignment:
    """Server-to-server submit: the client's server presents the worker's task token."""
    f = Fields(body)
    f.reject_unknown(("token", "result"))
    token = f.text("token", min_len=1, max_len=4000)
    result = f.obj("result")
    assignment = await owned_assignment(rt, client, assignment_id)
    await rt.tokens.verify(rt.store, client, token, mode="work", assignment_id=assignment_id)
    return await record_submission(rt, assignment, result)
