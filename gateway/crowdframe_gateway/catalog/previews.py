"""Rows previewed before they are tasks (the console's preview of a file's first row): a task
that is never stored as one, kept by the store (``DraftsStore``) for as long as its preview
token lives, so that a task page asking ``GET /tasks/{id}`` for the token's task sees the row
as its task, exactly as it will once published, whichever gateway process it asks. Nothing
can be submitted for it: there is no assignment, and its token is a preview token (a submit
needs a work token for an assignment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import NotFound
from ..core.records import Client, Task, now
from .cancel import owned_task
from .store import PreviewTask

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["keep_preview", "task_or_preview"]


async def keep_preview(rt: Runtime, client: Client, task: Task) -> None:
    """Keep ``task`` (a row, not stored as a task) for as long as a preview token lives."""
    at = now()
    preview = PreviewTask(client.id, task, expires_at=at + rt.tokens.lifetime)
    await rt.store.keep_preview_task(preview, now=at)


async def task_or_preview(rt: Runtime, client: Client, task_id: str) -> Task:
    """``GET /tasks/{id}``: the client's task, or a row of theirs being previewed as one."""
    try:
        return await owned_task(rt, client, task_id)
    except NotFound:
        found = await rt.store.get_preview_task(task_id, now=now())
        if found is None or found.client_id != client.id:
            raise
        return found.task
