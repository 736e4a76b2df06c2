"""How records look in the API's JSON (docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import Any, TypeVar

from ...core.page import Page
from ...core.records import Assignment, Endpoint, Project, Task, iso

__all__ = ["assignment_view", "endpoint_view", "page_view", "project_view", "task_view"]

T = TypeVar("T")


def project_view(project: Project) -> dict[str, Any]:
    spec = asdict(project.spec)
    spec["allow"] = list(project.spec.allow)
    return {
        "id": project.id,
        "object": "project",
        **spec,
        "status": project.status,
        "created_at": iso(project.created_at),
        "counts": project.counts,
    }


def task_view(task: Task) -> dict[str, Any]:
    return {
        "id": task.id,
        "object": "task",
        "project_id": task.project_id,
        "external_id": task.external_id,
        "input": task.input,
        "gold": task.gold,
        "status": task.status,
        "created_at": iso(task.created_at),
    }


def assignment_view(assignment: Assignment) -> dict[str, Any]:
    return {
        "id": assignment.id,
        "object": "assignment",
        "project_id": assignment.project_id,
        "task_id": assignment.task_id,
        "external_id": assignment.external_id,
        "worker_id": assignment.worker_pseudonym,
        "status": assignment.status,
        "accepted_at": iso(assignment.accepted_at),
        "deadline": iso(assignment.deadline),
        "submitted_at": iso(assignment.submitted_at),
        "result": assignment.result,
        "reviewed_at": iso(assignment.reviewed_at),
        "reject_reason": assignment.reject_reason,
        "signals": list(assignment.signals),
    }


def endpoint_view(endpoint: Endpoint, *, with_secret: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": endpoint.id,
        "object": "webhook_endpoint",
        "url": endpoint.url,
        "event_types": None if endpoint.event_types is None else list(endpoint.event_types),
        "status": endpoint.status,
        "created_at": iso(endpoint.created_at),
        "disabled_reason": endpoint.disabled_reason,
        "failing_since": iso(endpoint.failing_since),
        "old_secrets_expire_at": iso(endpoint.old_secrets_expire_at)
        if len(endpoint.secrets) > 1
        else None,
    }
    if with_secret:
        view["secret"] = endpoint.secrets[-1]
    return view


def page_view(page: Page[T] | Sequence[T], view: Callable[[T], dict[str, Any]]) -> dict[str, Any]:
    if isinstance(page, Page):
        return {"data": [view(item) for item in page.items], "next_cursor": page.next_cursor}
    return {"data": [view(item) for item in page], "next_cursor": None}
