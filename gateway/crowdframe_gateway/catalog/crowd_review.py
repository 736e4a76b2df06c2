"""Crowd review, the client's side: its settings, the review project, who may review, verdicts.

A work project with ``crowd_review`` has a review project of its own client (``kind``
"review", ``parent_project_id``): each non-gold answer becomes one review task there, shown on
the client's review page in the same frame as any task, to ``reviewers`` other workers who each
submit ``{"verdict": "approve" | "reject", "reason"?}``. review/verdicts.py applies the majority.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any

from ..core.errors import Conflict, InvalidInput
from ..core.records import Client, CrowdReview, Project, ProjectSpec, Task, Worker, new_id, now
from ..core.validation import Body, OneOf, Text, read
from ..identity import worker_pseudonym
from .bodies import COUNTRIES, COUNTRY, LANGUAGES, CrowdReviewSettings

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "COUNTRIES",
    "COUNTRY",
    "LANGUAGES",
    "VERDICTS",
    "Verdict",
    "check_verdict",
    "link_review_project",
    "parse_settings",
    "refuse_review_project",
    "review_spec",
    "review_task",
    "review_task_id",
    "reviewer_ineligibility",
]

VERDICTS = ("approve", "reject")


class Verdict(Body):
    """A reviewer's submission: ``{"verdict": "approve" | "reject", "reason"?: str}``."""

    verdict: Annotated[str, OneOf(VERDICTS)]
    reason: Annotated[str, Text(0, 1000)] = ""


def parse_settings(value: CrowdReviewSettings | None, *, gold_on: bool) -> CrowdReview | None:
    """``crowd_review`` as a client sent it (None: no crowd review)."""
    if value is None:
        return None
    if value.min_gold_accuracy is not None and not gold_on:
        raise InvalidInput(
            "crowd_review.min_gold_accuracy needs gold questions (gold_ratio above 0)",
            field="crowd_review.min_gold_accuracy",
        )
    return CrowdReview(**dict(value))


def review_spec(parent: ProjectSpec, parent_id: str) -> ProjectSpec:
    """The review project's settings, all derived from its work project's."""
    crowd = parent.crowd_review
    assert crowd is not None
    return ProjectSpec(
        title=f"Review: {parent.title}"[:200],
        task_url=crowd.task_url,
        reward_cents=crowd.reward_cents,
        instructions=crowd.instructions,
        currency=parent.currency,
        estimated_seconds=crowd.estimated_seconds,
        assignments_per_task=crowd.reviewers,
        assignment_duration=parent.assignment_duration,
        # a review is worth having only before the answer is approved by the delay anyway
        task_lifetime=max(60, parent.auto_approve_delay),
        auto_approve_delay=parent.auto_approve_delay,
        countries=crowd.countries or parent.countries,
        excluded_countries=parent.excluded_countries,
        languages=crowd.languages or parent.languages,
        # who can judge an answer can give one: the same skills and passed tests
        skills=parent.skills,
        qualifications=parent.qualifications,
        kind="review",
        parent_project_id=parent_id,
    )


async def link_review_project(
    rt: Runtime, client: Client, parent_id: str, spec: ProjectSpec, before: ProjectSpec | None
) -> ProjectSpec:
    """Create, update or pause the work project's review project to match ``spec``; the spec
    to store, naming it. Run before the work project is stored: a crash in between leaves at
    most a review project without reviews, never a work project pointing nowhere."""
    review_id = before.review_project_id if before is not None else None
    existing = None if review_id is None else await rt.store.get_project(review_id)
    if spec.crowd_review is None:
        if existing is not None and existing.status == "active":
            await rt.store.update_project(existing.id, existing.spec, "paused")
        return replace(spec, review_project_id=review_id)
    wanted = review_spec(spec, parent_id)
    if existing is not None:
        await rt.store.update_project(existing.id, wanted, "active")
        return replace(spec, review_project_id=existing.id)
    project = Project(
        id=new_id("prj"), client_id=client.id, spec=wanted, status="active", created_at=now()
    )
    await rt.store.create_project(project)
    return replace(spec, review_project_id=project.id)


def refuse_review_project(project: Project) -> None:
    """A review project follows its work project; it takes no settings or tasks of its own."""
    if project.spec.kind == "review":
        raise Conflict(
            "this is a crowd review project: change crowd_review on its work project"
            f" {project.spec.parent_project_id}",
            field="project_id",
            code="review_project",
        )


async def reviewer_ineligibility(rt: Runtime, worker: Worker, project: Project) -> str | None:
    """Why the worker may not review in this review project, beyond its own rules; None if
    they may. A worker blocked or stopped in the work project does not review it either."""
    parent_id = project.spec.parent_project_id
    if project.spec.kind != "review" or parent_id is None:
        return None
    parent = await rt.store.get_project(parent_id)
    client = await rt.store.get_client(project.client_id)
    if parent is None or client is None or parent.spec.crowd_review is None:
        return "This review is closed."
    pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
    if await rt.store.is_blocked(client.id, worker.id, pseudonym, parent.id):
        return "You can no longer take tasks from this project."
    least = parent.spec.crowd_review.min_gold_accuracy
    if least is not None:
        record = await rt.store.gold_record(parent.id, worker.id)
        if (
            record is None
            or record.answered < parent.spec.gold_min_answers
            or (record.accuracy or 0.0) < least
        ):
            return "Reviewing needs a good record on this project's own tasks first."
    return None


def check_verdict(result: dict[str, Any]) -> None:
    """A reviewer's submission must be a ``Verdict``; each refusal names ``result.…``."""
    read(Verdict, result, prefix="result.")


def review_task_id(assignment_id: str) -> str:
    """The review task of an answer: derived from its assignment id, so creating it twice (a
    retry, the sweep after a crash) finds the first one."""
    digest = hashlib.sha256(f"crowd-review:{assignment_id}".encode()).hexdigest()
    return f"tsk_rv{digest[:20]}"


def review_task(review_project: Project, task: Task, assignment_id: str, result: Any) -> Task:
    """What reviewers see: the answer (its assignment id, the task's input, the result), never
    who gave it."""
    created = now()
    return Task(
        id=review_task_id(assignment_id),
        project_id=review_project.id,
        external_id=assignment_id,
        input={"assignment_id": assignment_id, "task": task.input, "result": result},
        status="open",
        created_at=created,
        expires_at=created + review_project.spec.task_lifetime,
    )
