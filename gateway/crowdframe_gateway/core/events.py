"""What each event says. Both stores build event data here, so it never differs by backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .agreement import aggregate
from .records import AssessmentAttempt, Assignment, Task, iso

__all__ = [
    "assignment_data",
    "attempt_data",
    "attempt_event_type",
    "event_body",
    "project_completed_data",
    "task_cancelled_data",
    "task_completed_data",
    "task_expired_data",
    "worker_stopped_data",
]


def assignment_data(assignment: Assignment, task: Task) -> dict[str, Any]:
    data: dict[str, Any] = {
        "assignment_id": assignment.id,
        "task_id": task.id,
        "project_id": assignment.project_id,
        "external_id": task.external_id,
        "worker_id": assignment.worker_pseudonym,
        "status": assignment.status,
        "accepted_at": iso(assignment.accepted_at),
        "deadline": iso(assignment.deadline),
    }
    if assignment.submitted_at is not None:
        data["submitted_at"] = iso(assignment.submitted_at)
        data["result"] = assignment.result
    if assignment.reviewed_at is not None:
        data["reviewed_at"] = iso(assignment.reviewed_at)
    if assignment.reject_reason is not None:
        data["reject_reason"] = assignment.reject_reason
    if assignment.signals:
        data["signals"] = list(assignment.signals)
    return data


def task_completed_data(task: Task, submissions: Sequence[Assignment]) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "project_id": task.project_id,
        "external_id": task.external_id,
        "input": task.input,
        "aggregate": aggregate([a.result for a in submissions]),
        "submissions": [
            {
                "assignment_id": a.id,
                "worker_id": a.worker_pseudonym,
                "submitted_at": iso(a.submitted_at),
                "result": a.result,
            }
            for a in submissions
        ],
    }


def project_completed_data(
    project_id: str, task_id: str, counts: Mapping[str, int]
) -> dict[str, Any]:
    """A project's last open task (``task_id``) closed, completed, cancelled or expired: the
    project's task counts then, gold tasks included. Delivered after that task's own messages."""
    return {
        "project_id": project_id,
        "task_id": task_id,
        "counts": {
            k: int(counts.get(k, 0)) for k in ("tasks", "completed", "cancelled", "expired")
        },
    }


def task_cancelled_data(task: Task) -> dict[str, Any]:
    """A task cancelled (by its client, or a crowd review task nobody took)."""
    return {
        "task_id": task.id,
        "project_id": task.project_id,
        "external_id": task.external_id,
        "status": task.status,
    }


def task_expired_data(task: Task) -> dict[str, Any]:
    """A task the sweep moved to ``expired``: its lifetime ended before it had all its
    answers (those it has stay reviewable and in the export)."""
    return {**task_cancelled_data(task), "expires_at": iso(task.expires_at)}


def worker_stopped_data(
    project_id: str, worker_pseudonym: str, answered: int, correct: int
) -> dict[str, Any]:
    """A worker stopped on a project for their accuracy on its gold tasks."""
    return {
        "project_id": project_id,
        "worker_id": worker_pseudonym,
        "gold_answered": answered,
        "gold_correct": correct,
        "reason": "accuracy on gold tasks below the project's minimum",
    }


def attempt_event_type(attempt: AssessmentAttempt) -> str:
    return "qualification.granted" if attempt.passed else "qualification.failed"


def attempt_data(attempt: AssessmentAttempt) -> dict[str, Any]:
    """A finished assessment attempt (``qualification.granted`` or ``.failed``); the
    qualification's id is the assessment's project id."""
    return {
        "project_id": attempt.project_id,
        "qualification_id": attempt.project_id,
        "worker_id": attempt.worker_pseudonym,
        "attempt": attempt.number,
        "answered": attempt.answered,
        "correct": attempt.correct,
        "score": round(attempt.score, 4),
        "passed": bool(attempt.passed),
        "started_at": iso(attempt.started_at),
        "finished_at": iso(attempt.finished_at),
    }


def event_body(type: str, created_at: float, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of a webhook: ``{"type", "timestamp", "data"}`` (Standard Webhooks)."""
    return {"type": type, "timestamp": iso(created_at), "data": data}
