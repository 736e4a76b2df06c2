"""The task methods of ``Client`` and ``AsyncClient``: add a batch to a project
(``POST /projects/{id}/tasks``), read one task, cancel it (``POST /tasks/{id}/cancel``).

``Client`` and ``AsyncClient`` get these methods from the two mixins below (docs/api.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ._call import _AsyncRunner, _Call, _segment, _SyncRunner
from ._models import Task, TaskBatch

__all__: list[str] = []


def _add_tasks(
    project_id: str, tasks: Sequence[Mapping[str, Any]], idempotency_key: str | None
) -> _Call[TaskBatch]:
    key = str(uuid.uuid4()) if idempotency_key is None else idempotency_key
    return _Call(
        "POST",
        f"/projects/{_segment(project_id)}/tasks",
        TaskBatch.from_json,
        body={"tasks": [dict(task) for task in tasks]},
        headers={"Idempotency-Key": key},
    )


def _get_task(task_id: str) -> _Call[Task]:
    return _Call("GET", f"/tasks/{_segment(task_id)}", Task.from_json)


def _cancel_task(task_id: str) -> _Call[Task]:
    return _Call("POST", f"/tasks/{_segment(task_id)}/cancel", Task.from_json, body={})


class SyncTasks(_SyncRunner):
    """The task methods of ``Client``."""

    def add_tasks(
        self,
        project_id: str,
        tasks: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str | None = None,
    ) -> TaskBatch:
        """Add 1 to 1000 tasks ``{"external_id": ..., "input": {...}}`` to a project at once.

        The request always carries an ``Idempotency-Key``: the gateway answers a repeated key
        with the first answer and creates nothing. When ``idempotency_key`` is ``None`` a fresh
        uuid4 is generated for this call only, so to retry safely after a ``TransportError`` or
        ``ServerError`` (did the batch land or not?) pass your own key, e.g. derived from the
        batch, and send it again with the same key.
        """
        return self._run(_add_tasks(project_id, tasks, idempotency_key))

    def get_task(self, task_id: str) -> Task:
        """The task with this id."""
        return self._run(_get_task(task_id))

    def cancel_task(self, task_id: str) -> Task:
        """Cancel an open task: no worker is offered it again, though assignments already
        accepted may still be submitted (and reviewed, and paid); it never completes. Repeating
        is harmless; a completed or expired task raises ``ConflictError`` (``task_completed``,
        ``task_expired``)."""
        return self._run(_cancel_task(task_id))


class AsyncTasks(_AsyncRunner):
    """The task methods of ``AsyncClient``."""

    async def add_tasks(
        self,
        project_id: str,
        tasks: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str | None = None,
    ) -> TaskBatch:
        """Add tasks to a project; see ``Client.add_tasks``.

        A uuid4 ``Idempotency-Key`` is generated when none is given, for this call only: pass
        your own key to retry a failed call safely.
        """
        return await self._run(_add_tasks(project_id, tasks, idempotency_key))

    async def get_task(self, task_id: str) -> Task:
        """The task with this id; see ``Client.get_task``."""
        return await self._run(_get_task(task_id))

    async def cancel_task(self, task_id: str) -> Task:
        """Cancel an open task; see ``Client.cancel_task``."""
        return await self._run(_cancel_task(task_id))
