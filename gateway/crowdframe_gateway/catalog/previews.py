"""Rows previewed before they are tasks (the console's preview of a file's first row): a task
that is never stored, kept in this process for as long as its preview token lives, so that a
task page asking ``GET /tasks/{id}`` for the token's task sees the row as its task, exactly as
it will once published. Nothing can be submitted for it: there is no assignment, and its token
is a preview token (a submit needs a work token for an assignment)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..core.records import Client, Task
from .cancel import owned_task

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["MAX_PREVIEWS", "PreviewTasks", "task_or_preview"]

MAX_PREVIEWS = 1000  # the oldest give way


class PreviewTasks:
    def __init__(self, kept_seconds: float = 3600, clock: Callable[[], float] = time.monotonic):
        self.kept_seconds = kept_seconds
        self.clock = clock
        self._kept: OrderedDict[str, tuple[float, Task]] = OrderedDict()

    def keep(self, task: Task) -> None:
        self._kept[task.id] = (self.clock() + self.kept_seconds, task)
        while len(self._kept) > MAX_PREVIEWS:
            self._kept.popitem(last=False)

    def get(self, task_id: str) -> Task | None:
        found = self._kept.get(task_id)
        if found is None:
            return None
        until, task = found
        if until < self.clock():
            del self._kept[task_id]
            return None
        return task


async def task_or_preview(rt: Runtime, client: Client, task_id: str) -> Task:
    """``GET /tasks/{id}``: the client's task, or a row of theirs being previewed as one."""
    preview = rt.previews.get(task_id)
    if preview is not None:
        project = await rt.store.get_project(preview.project_id)
        if project is not None and project.client_id == client.id:
            return preview
    return await owned_task(rt, client, task_id)
