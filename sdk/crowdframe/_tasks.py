"""What a client does to one task besides reading it: cancel it (``POST /tasks/{id}/cancel``).

``Client`` and ``AsyncClient`` get these methods from the two mixins below (docs/api.md).
"""

from __future__ import annotations

from typing import TypeVar

from ._call import _AsyncRunner, _Call, _segment, _SyncRunner
from ._models import Task

__all__: list[str] = []

T = TypeVar("T")


def _cancel_task(task_id: str) -> _Call[Task]:
    return _Call("POST", f"/tasks/{_segment(task_id)}/cancel", Task.from_json, body={})


class SyncTasks(_SyncRunner):
    """The task methods of ``Client``."""

    def cancel_task(self, task_id: str) -> Task:
        """Cancel an open task: no worker is offered it again, though assignments already
        accepted may still be submitted (and reviewed, and paid); it never completes. Repeating
        is harmless; a completed or expired task raises ``ConflictError`` (``task_completed``,
        ``task_expired``)."""
        return self._run(_cancel_task(task_id))


class AsyncTasks(_AsyncRunner):
    """The task methods of ``AsyncClient``."""

    async def cancel_task(self, task_id: str) -> Task:
        """Cancel an open task; see ``Client.cancel_task``."""
        return await self._run(_cancel_task(task_id))
