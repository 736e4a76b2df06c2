"""A client cancels one of its tasks (``POST /tasks/{id}/cancel``, docs/api.md).

An open task leaves the pool at once (no new claims or previews). Assignments already accepted
may still be submitted and are paid as usual: the worker took the task in good faith and may be
halfway through it; their answers stay reviewable, but the task stays ``cancelled`` and never
becomes ``completed``. Cancelling again is harmless; a task already completed or expired is 409.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import Conflict, NotFound
from ..core.records import Client, Task, now
from .projects import owned_project

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["cancel_task", "owned_task"]


async def owned_task(rt: Runtime, client: Client, task_id: str) -> Task:
    """The client's task; another client's task is indistinguishable from none."""
    task = await rt.store.get_task(task_id)
    if task is None:
        raise NotFound("no such task", field="task_id")
    try:
        await owned_project(rt, client, task.project_id)
    except NotFound:
        raise NotFound("no such task", field="task_id") from None
    return task


def _refuse_closed(task: Task, at: float) -> None:
    if task.status in ("completed", "expired"):
        raise Conflict(f"the task is {task.status}", code=f"task_{task.status}")
    if task.status == "open" and task.expires_at <= at:
        raise Conflict("the task is expired", code="task_expired")


async def cancel_task(rt: Runtime, client: Client, task_id: str) -> Task:
    task = await owned_task(rt, client, task_id)
    if task.status == "cancelled":
        return task
    at = now()
    _refuse_closed(task, at)
    cancelled = await rt.store.cancel_task(task.id, now=at)
    if cancelled is None:
        raise NotFound("no such task", field="task_id")
    _refuse_closed(cancelled, at)  # completed by a submission in between
    return cancelled
