"""Assessments (qualification tests) from the client's side: who took them, and revoking.

An assessment is a project created with ``kind="assessment"``, ``test_size``, ``pass_score``
and ``retry_after_seconds``, whose tasks all carry ``gold``; a work project lists the
assessments it requires in ``qualifications`` (docs/quality.md, "Assessments").
``Client`` and ``AsyncClient`` get these methods from the two mixins below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import TypeVar

from ._call import _AsyncRunner, _Call, _page_call, _segment, _SyncRunner
from ._decode import _Model
from ._models import Page

__all__ = ["QualificationAttempt"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class QualificationAttempt(_Model):
    """One worker's attempt at an assessment: ``attempt`` counts from 1, ``score`` is the
    share of ``test_size`` answered right, ``passed`` is ``None`` while it is under way."""

    project_id: str
    worker_id: str
    attempt: int
    test_size: int
    answered: int
    correct: int
    score: float
    passed: bool | None
    started_at: str
    finished_at: str | None

    _object = "qualification_attempt"


class _AssessmentCalls:
    def _list_attempts(
        self, project_id: str, limit: int | None, cursor: str | None
    ) -> _Call[Page[QualificationAttempt]]:
        return _page_call(
            f"/projects/{_segment(project_id)}/qualifications",
            QualificationAttempt.from_json,
            limit=limit,
            cursor=cursor,
        )

    def _revoke(self, project_id: str, worker_id: str) -> _Call[None]:
        path = f"/projects/{_segment(project_id)}/qualifications/{_segment(worker_id)}"
        return _Call("DELETE", path, lambda body: None)


class SyncAssessments(_AssessmentCalls, _SyncRunner):
    """The assessment methods of ``Client``."""

    def list_qualification_attempts(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[QualificationAttempt]:
        """One page of the attempts at your assessment ``project_id``, in the order they
        started; ``ValidationError`` (``not_an_assessment``) for a work project."""
        return self._run(self._list_attempts(project_id, limit, cursor))

    def iter_qualification_attempts(
        self, project_id: str, *, limit: int | None = None
    ) -> Iterator[QualificationAttempt]:
        """Every attempt at the assessment, fetching page after page as the loop goes."""
        return self._iterate(lambda cursor: self._list_attempts(project_id, limit, cursor))

    def revoke_qualification(self, project_id: str, worker_id: str) -> None:
        """Take back the qualification your assessment granted the worker (by the
        ``worker_id`` its attempts show); they may take the test again. ``NotFoundError`` if
        they do not hold it."""
        self._run(self._revoke(project_id, worker_id))


class AsyncAssessments(_AssessmentCalls, _AsyncRunner):
    """The assessment methods of ``AsyncClient``."""

    async def list_qualification_attempts(
        self, project_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[QualificationAttempt]:
        """One page of attempts; see ``Client.list_qualification_attempts``."""
        return await self._run(self._list_attempts(project_id, limit, cursor))

    def iter_qualification_attempts(
        self, project_id: str, *, limit: int | None = None
    ) -> AsyncIterator[QualificationAttempt]:
        """Every attempt (``async for``); see ``Client.iter_qualification_attempts``."""
        return self._iterate(lambda cursor: self._list_attempts(project_id, limit, cursor))

    async def revoke_qualification(self, project_id: str, worker_id: str) -> None:
        """Revoke a qualification; see ``Client.revoke_qualification``."""
        await self._run(self._revoke(project_id, worker_id))
