"""The store's part of the quality context:
gold records, blocks, auto-approval, signals' reads, assessments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..core.page import Page
from ..core.records import (
    AssessmentAttempt,
    Assignment,
    Block,
    GoldStats,
    Qualification,
)
from .rules import AttemptState

__all__ = ["AttemptRequest", "AttemptStart", "QualityStore"]


@dataclass(frozen=True, slots=True)
class AttemptRequest:
    """Who asks ``start_attempt`` for an attempt at which assessment, on its terms (the
    assessment's spec: questions in a test, seconds before a failed worker may try again)."""

    project_id: str
    worker_id: str
    worker_pseudonym: str
    test_size: int
    retry_after: float
    questions: tuple[str, ...] = ()  # a new attempt's, in order (rules.attempt_questions)


@dataclass(frozen=True, slots=True)
class AttemptStart:
    """The answer of ``start_attempt``: ``open`` with the attempt to go on with (perhaps just
    started), or why none (``qualified``, ``cooling`` with the failed attempt, ``exhausted``)."""

    state: AttemptState
    attempt: AssessmentAttempt | None


class QualityStore(Protocol):
    async def gold_stats(self, project_id: str) -> list[GoldStats]: ...
    async def gold_record(self, project_id: str, worker_id: str) -> GoldStats | None:
        """One worker's gold record in a project (who may crowd-review it); None for none."""
        ...

    async def block(self, block: Block) -> None: ...
    async def unblock(self, client_id: str, worker_pseudonym: str, project_id: str) -> bool: ...
    async def list_blocks(self, client_id: str) -> list[Block]: ...
    async def is_blocked(
        self, client_id: str, worker_id: str, worker_pseudonym: str, project_id: str
    ) -> bool: ...
    async def auto_approve(self, *, now: float) -> list[Assignment]: ...
    async def worker_history(
        self, project_id: str, worker_id: str, *, limit: int
    ) -> list[dict[str, Any]]: ...
    async def workers_on_ip(self, project_id: str, ip_hash: str, *, other_than: str) -> int: ...
    async def work_seconds(self, project_id: str, *, limit: int) -> list[float]: ...
    async def start_attempt(self, request: AttemptRequest, *, now: float) -> AttemptStart:
        """The worker's open attempt at the assessment, or a new one when
        ``quality.rules.attempt_state`` says ``start``. Atomic: a worker never has two open
        attempts at one assessment."""
        ...

    async def latest_attempt(self, project_id: str, worker_id: str) -> AssessmentAttempt | None: ...

    async def held_qualifications(self, worker_id: str, assessment_ids: Sequence[str]) -> set[str]:
        """Which of these assessments' qualifications the worker holds."""
        ...

    async def list_assessment_attempts(
        self, project_id: str, *, cursor: str | None, limit: int
    ) -> Page[AssessmentAttempt]:
        """Every attempt at the assessment, in the order they were started."""
        ...

    async def get_qualification(
        self, assessment_id: str, worker_id: str
    ) -> Qualification | None: ...
    async def revoke_qualification(self, assessment_id: str, worker_pseudonym: str) -> bool:
        """Take back a granted qualification (the worker may then take the test again); False
        if the worker did not hold it."""
        ...
