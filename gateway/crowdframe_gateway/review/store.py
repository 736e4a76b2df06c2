"""The store's part of the review context:
the crowd-review queue: review tasks and the answers waiting for their reviews; how many of a
project's assignments are in each status (its progress); what its charts show: submissions
per hour, kept as a counter by ``submit``, and its latest answers.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..core.records import (
    Assignment,
    AssignmentStatus,
    Task,
)

__all__ = ["ReviewStore"]


class ReviewStore(Protocol):
    async def add_review_task(self, task: Task, *, excluded_worker: str) -> Task:
        """Add one task that ``excluded_worker`` is never offered, previewed or given (the
        review of that worker's own answer). Idempotent on ``task.id``: when a task with that
        id is stored already, it is returned as it is and nothing is written."""
        ...

    async def crowd_reviews_due(self, *, now: float, limit: int) -> list[str]:
        """Ids of assignments on the crowd review queue whose next visit is due at ``now``.
        ``submit`` puts every non-gold submission of a project with ``crowd_review`` on the
        queue, due at once, in the same transaction as the submission."""
        ...

    async def schedule_crowd_review(self, assignment_id: str, *, at: float | None) -> None:
        """When the queued assignment is visited next; ``None`` takes it off the queue."""
        ...

    async def record_review(self, assignment: Assignment) -> None:
        """Count a reviewed assignment in its worker's record on this gateway, once however
        often it is told (``review_counts``). SQLite reads the record from its assignments
        and has nothing to count."""
        ...

    async def review_counts(self, worker_id: str) -> tuple[int, int]:
        """How many of the worker's assignments were approved and how many rejected, on every
        project of the gateway."""
        ...

    async def assignment_counts(
        self, client_id: str, project_id: str
    ) -> dict[AssignmentStatus, int]:
        """How many of the client's project's assignments are in each status (a status none
        is in may be missing); read from the indexes the assignments' changes keep, not by a
        scan."""
        ...

    async def submission_hours(self, project_id: str, *, first_hour: int, hours: int) -> list[int]:
        """How many answers the project got in each of ``hours`` hours from ``first_hour`` on
        (``core.records.hour_of``), oldest first: counters ``submit`` adds to in the
        submission's own transaction, so the read costs ``hours`` and nothing else."""
        ...

    async def latest_answers(self, project_id: str, *, limit: int) -> list[tuple[str, Any]]:
        """``(task id, result)`` of the project's latest ``limit`` submissions (the latest
        accepted first, as ``work_seconds`` reads them)."""
        ...
