"""Who may work on a project for what they did, where ``eligibility.ineligibility`` looks at who
they are (their profile): a review project's own conditions (crowd_review.py), and the MTurk
qualification requirements of a HIT type's project, on the worker's scores and record
(requirements.py decides; this module reads the facts and hands them in).

The work context asks here wherever it asks ``ineligibility``: the task list, a preview and an
accept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.records import Project, Worker
from ..identity import worker_pseudonym
from .crowd_review import reviewer_ineligibility
from .requirements import LOCALE, SYSTEM, Requirement, Standing, requirement_from, unmet

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["standing_ineligibility"]

_ON_REVIEWS = tuple(t for t in SYSTEM if t != LOCALE)  # the types read from the record


async def standing_ineligibility(rt: Runtime, worker: Worker, project: Project) -> str | None:
    """Why the worker may not work on the project for their standing, in words for the
    worker; None if they may."""
    return await reviewer_ineligibility(rt, worker, project) or await _unmet_requirement(
        rt, worker, project
    )


async def _requirements(rt: Runtime, project: Project) -> list[Requirement]:
    if project.spec.protocol != "mturk":
        return []
    raw = await rt.store.project_requirements(project.client_id, project.id)
    return [requirement_from(r, i) for i, r in enumerate(raw)]  # checked when stored


async def _unmet_requirement(rt: Runtime, worker: Worker, project: Project) -> str | None:
    requirements = await _requirements(rt, project)
    if not requirements:
        return None
    client = await rt.store.get_client(project.client_id)
    if client is None:
        return "This project is not available."
    own_types = [r.type_id for r in requirements if r.type_id not in SYSTEM]
    scores: dict[str, int] = {}
    if own_types:
        pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
        scores = await rt.store.worker_scores(client.id, pseudonym, own_types)
    approved = rejected = 0
    if any(r.type_id in _ON_REVIEWS for r in requirements):
        approved, rejected = await rt.store.review_counts(worker.id)
    if unmet(requirements, Standing(scores, approved, rejected)) is None:
        return None
    return "This project needs a qualification you do not hold."
