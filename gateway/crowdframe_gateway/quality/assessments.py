"""Assessments: qualification tests that unlock projects (docs/quality.md, "Assessments").

An assessment is a project of kind ``assessment`` whose tasks are all gold. A worker sits it
in attempts of ``test_size`` questions they have not seen, served through the same frame as
work; the store grades the attempt at its last answer and, on a pass, grants the qualification
whose id is the assessment's project id. A work project lists the qualifications it needs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog import ineligibility, owned_project
from ..core.errors import Forbidden, InvalidInput, NotFound
from ..core.page import Page
from ..core.params import Claim
from ..core.records import AssessmentAttempt, Assignment, Client, Project, Worker, now
from ..core.text import N_
from ..identity import worker_pseudonym
from .rules import QUESTION_CHOICE, AttemptState, attempt_questions, attempt_state, retry_at
from .store import AttemptRequest

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "Step",
    "claim_question",
    "list_attempts",
    "missing_qualifications",
    "revoke",
    "step",
    "steps",
]


@dataclass(frozen=True, slots=True)
class Step:
    """Where a worker stands with one assessment: what the task list and the test page show.

    ``state`` is ``start`` (may take it), ``open`` (an attempt under way), ``qualified``,
    ``cooling`` (failed; may retry at ``retry_at``), ``exhausted`` (too few new questions
    left) or ``unavailable`` (paused, or its own rules leave the worker out)."""

    assessment: Project
    state: AttemptState | None  # None: unavailable
    latest: AssessmentAttempt | None
    retry_at: float | None
    unseen: int
    reason: str | None = None  # why it is unavailable

    @property
    def unavailable(self) -> bool:
        return self.state is None


async def missing_qualifications(rt: Runtime, worker: Worker, project: Project) -> list[str]:
    """The assessments the project needs whose qualification the worker does not hold."""
    needed = project.spec.qualifications
    if not needed:
        return []
    held = await rt.store.held_qualifications(worker.id, needed)
    return [q for q in needed if q not in held]


async def step(rt: Runtime, worker: Worker, assessment_id: str) -> Step | None:
    """The worker's standing at an assessment; None when there is no such assessment."""
    assessment = await rt.store.get_project(assessment_id)
    if assessment is None or assessment.spec.kind != "assessment":
        return None
    spec = assessment.spec
    found, latest, unseen = await _standing(rt, worker, assessment, now())
    state: AttemptState | None = found
    reason = None
    if state in ("start", "open"):
        reason = await _shut_out(rt, worker, assessment)
        state = None if reason else state
    again = None if latest is None else retry_at(latest, spec.retry_after_seconds)
    return Step(assessment, state, latest, again, unseen, reason)


async def steps(rt: Runtime, worker: Worker, assessment_ids: list[str]) -> tuple[Step, ...]:
    found = [await step(rt, worker, a) for a in assessment_ids]
    return tuple(s for s in found if s is not None)


async def _shut_out(rt: Runtime, worker: Worker, assessment: Project) -> str | None:
    """Why the worker may not sit the assessment now (paused, its own rules, a block)."""
    if assessment.status != "active":
        return N_("This test is paused.")
    reason = ineligibility(worker, assessment)
    if reason is not None:
        return reason
    client = await rt.store.get_client(assessment.client_id)
    if client is None:
        return N_("This test is not available.")
    pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
    if await rt.store.is_blocked(client.id, worker.id, pseudonym, assessment.id):
        return N_("You can no longer take this test.")
    return None


_REFUSALS = {
    "qualified": (N_("You hold this qualification already."), "qualified"),
    "cooling": (N_("You can take this test again after the waiting time."), "cooling_down"),
    "exhausted": (
        N_("There are not enough new questions left for another attempt at this test."),
        "no_questions_left",
    ),
}


async def claim_question(
    rt: Runtime, worker: Worker, client: Client, assessment: Project
) -> Assignment | None:
    """The next question of the worker's attempt, starting an attempt if none is open (with
    its questions in an order of its own, ``rules.attempt_questions``);
    ``Forbidden`` (code ``qualified``, ``cooling_down``, ``no_questions_left``) when no
    attempt may start, None when the open attempt has no question left to give."""
    spec, at = assessment.spec, now()
    pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
    questions: tuple[str, ...] = ()
    if await _may_start(rt, worker, assessment, at):  # a new attempt: its own questions
        unseen = await rt.store.unseen_question_ids(
            assessment.id, worker.id, now=at, limit=QUESTION_CHOICE
        )
        questions = attempt_questions(unseen, spec.test_size, secrets.randbits(64))
    request = AttemptRequest(
        assessment.id, worker.id, pseudonym, spec.test_size, spec.retry_after_seconds, questions
    )
    begun = await rt.store.start_attempt(request, now=at)
    if begun.state != "open":
        message, code = _REFUSALS[begun.state]
        raise Forbidden(message, code=code)
    order = begun.attempt.questions if begun.attempt is not None else ()
    claim = Claim(assessment.id, worker.id, pseudonym, gold=True, questions=order)
    claimed = await rt.store.claim(claim, now=at)
    if claimed is None:  # another tab claimed a question meanwhile: that one is theirs
        live = await rt.store.live_assignment(assessment.id, worker.id)
        if live is not None and live.status == "accepted" and live.deadline > at:
            return live
    return claimed


async def _standing(
    rt: Runtime, worker: Worker, assessment: Project, at: float
) -> tuple[AttemptState, AssessmentAttempt | None, int]:
    """``rules.attempt_state`` of the worker at the assessment, their latest attempt, and how
    many questions they have not seen."""
    latest = await rt.store.latest_attempt(assessment.id, worker.id)
    unseen = await rt.store.unseen_questions(assessment.id, worker.id, now=at)
    held = bool(await rt.store.held_qualifications(worker.id, [assessment.id]))
    spec = assessment.spec
    state = attempt_state(
        held=held,
        latest=latest,
        unseen=unseen,
        test_size=spec.test_size,
        retry_after=spec.retry_after_seconds,
        now=at,
    )
    return state, latest, unseen


async def _may_start(rt: Runtime, worker: Worker, assessment: Project, at: float) -> bool:
    """Whether an attempt would start now (the store decides it again, atomically): only then
    are the questions to choose from read. An open attempt, the case of every question after
    the first, goes on (``rules.attempt_state``) without the rest of the standing."""
    latest = await rt.store.latest_attempt(assessment.id, worker.id)
    if latest is not None and latest.finished_at is None:
        return False
    state, _, _ = await _standing(rt, worker, assessment, at)
    return state == "start"


async def _owned_assessment(rt: Runtime, client: Client, project_id: str) -> Project:
    project = await owned_project(rt, client, project_id)
    if project.spec.kind != "assessment":
        raise InvalidInput(
            "this project is not an assessment", field="project_id", code="not_an_assessment"
        )
    return project


async def list_attempts(
    rt: Runtime, client: Client, project_id: str, *, cursor: str | None, limit: int
) -> Page[AssessmentAttempt]:
    project = await _owned_assessment(rt, client, project_id)
    return await rt.store.list_assessment_attempts(project.id, cursor=cursor, limit=limit)


async def revoke(rt: Runtime, client: Client, project_id: str, pseudonym: str) -> None:
    """Take back the qualification the client's assessment granted a worker (by the
    pseudonym the client sees); the worker may take the test again."""
    project = await _owned_assessment(rt, client, project_id)
    if not await rt.store.revoke_qualification(project.id, pseudonym):
        raise NotFound("this worker does not hold the qualification", field="worker_id")
