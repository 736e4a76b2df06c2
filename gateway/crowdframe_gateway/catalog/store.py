"""The store's part of the catalog context:
projects, tasks, idempotent task batches and cancelling a task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ..core.page import Page
from ..core.records import (
    Project,
    ProjectSpec,
    Task,
)

__all__ = [
    "CatalogStore",
    "DraftsStore",
    "FileUpload",
    "PreviewTask",
    "TaskBatch",
    "TaskBatchResult",
]


@dataclass(frozen=True, slots=True)
class FileUpload:
    """A file of tasks uploaded in the console, kept between its steps until ``expires_at``."""

    id: str
    client_id: str
    project_id: str
    name: str
    text: str  # the file as UTF-8 text (it is refused unless it is)
    expires_at: float


@dataclass(frozen=True, slots=True)
class PreviewTask:
    """A row previewed as a task before it is one (never a task in the store)."""

    client_id: str
    task: Task
    expires_at: float


@dataclass(frozen=True, slots=True)
class TaskBatch:
    """Tasks added at once (``add_tasks``); with an idempotency key, the hash of the request
    that first used it (a retry must match it)."""

    tasks: Sequence[Task]
    request_hash: str
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class TaskBatchResult:
    tasks: list[Task]
    replayed: bool  # True when an earlier request with the same idempotency key answered


class CatalogStore(Protocol):
    async def create_project(self, project: Project) -> None: ...
    async def get_project(self, project_id: str) -> Project | None: ...
    async def list_projects(
        self, client_id: str, *, cursor: str | None, limit: int
    ) -> Page[Project]: ...
    async def update_project(self, project_id: str, spec: ProjectSpec, status: str) -> Project: ...
    async def add_tasks(
        self, client_id: str, project_id: str, batch: TaskBatch
    ) -> TaskBatchResult: ...
    async def get_task(self, task_id: str) -> Task | None: ...
    async def get_tasks(self, task_ids: Sequence[str]) -> dict[str, Task]:
        """The tasks of these ids, by id, read at once (a page of the results export): an id
        with no task is left out."""
        ...

    async def cancel_task(
        self, task_id: str, *, now: float, untaken_only: bool = False
    ) -> Task | None:
        """Cancel an open task: it leaves the pool for good (no claim or preview gets it),
        atomically with claims, and a ``task.cancelled`` event is written with it. Assignments
        already accepted may still be submitted; the task stays ``cancelled``. With
        ``untaken_only`` a task some worker took (accepted, submitted or reviewed) is left as it
        is (crowd review: a review task nobody started). Returns the task as it is then
        (``cancelled``, or unchanged); None if there is none. Idempotent."""
        ...


class DraftsStore(Protocol):
    """What the console keeps between a file's steps, for every gateway process to find: the
    uploaded files and the rows previewed as tasks, each until it expires (an expired one is
    none, and is dropped as later ones are kept)."""

    async def keep_file_upload(self, upload: FileUpload, *, now: float) -> None: ...
    async def get_file_upload(self, upload_id: str, *, now: float) -> FileUpload | None: ...
    async def keep_preview_task(self, preview: PreviewTask, *, now: float) -> None: ...
    async def get_preview_task(self, task_id: str, *, now: float) -> PreviewTask | None: ...
