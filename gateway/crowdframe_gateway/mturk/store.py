"""The store's part of the mturk context:
MTurk compatibility: credentials, HIT types, HITs, and tasks as HITs need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ..core.page import Page
from ..core.params import TaskAssignmentsQuery
from ..core.records import (
    Assignment,
    Project,
    Task,
)
from .records import Hit, HitType, MTurkCredential, QualificationScore, QualificationType

__all__ = ["MTurkStore"]


class MTurkStore(Protocol):
    async def set_task_expiry(
        self, task_id: str, expires_at: float, *, reopen: bool = False
    ) -> Task: ...
    async def list_task_assignments(
        self, task_id: str, query: TaskAssignmentsQuery
    ) -> Page[Assignment]: ...
    async def create_mturk_credential(self, credential: MTurkCredential) -> None: ...
    async def get_mturk_credential(self, access_key_id: str) -> MTurkCredential | None: ...
    async def revoke_mturk_credential(self, access_key_id: str) -> bool: ...
    async def hit_type_for(self, hit_type: HitType) -> HitType: ...
    async def get_hit_type(self, hit_type_id: str) -> HitType | None: ...
    async def hit_type_project(
        self, hit_type_id: str, origin: str, project: Project
    ) -> Project: ...
    async def create_hit(self, hit: Hit, unique_request_token: str | None) -> Hit: ...
    async def get_hit(self, task_id: str) -> Hit | None: ...
    async def list_hits(self, client_id: str, *, cursor: str | None, limit: int) -> Page[Hit]: ...
    async def dispose_hit(self, task_id: str, *, now: float) -> Hit: ...
    async def add_hit_assignments(self, task_id: str, more: int, *, now: float) -> None:
        """``more`` seats on the task of a HIT (CreateAdditionalAssignmentsForHIT): a completed
        task opens again. NotFound without the task, Conflict for a cancelled one."""
        ...

    async def set_hit_reviewing(self, task_id: str, reviewing: bool) -> None:
        """UpdateHITReviewStatus's flag on a HIT."""
        ...

    async def project_requirements(self, client_id: str, project_id: str) -> list[dict[str, Any]]:
        """The QualificationRequirements of the HIT type whose HITs the project holds
        (hit_type_project made it), as the requester sent them; none for other projects."""
        ...

    # -- qualification types and their scores, in their client's keeping ---------------------
    async def create_qualification_type(self, qualification: QualificationType) -> None:
        """Conflict (code ``name_taken``) when the client has a type of that name."""
        ...

    async def get_qualification_type(
        self, client_id: str, type_id: str
    ) -> QualificationType | None: ...
    async def list_qualification_types(self, client_id: str) -> list[QualificationType]:
        """The client's types, Disposing ones included, oldest first."""
        ...

    async def update_qualification_type(self, qualification: QualificationType) -> None:
        """Replace a type's record; to Disposing, its scores go too."""
        ...

    async def set_qualification_score(self, client_id: str, score: QualificationScore) -> None: ...
    async def remove_qualification_score(
        self, client_id: str, type_id: str, worker_pseudonym: str
    ) -> bool: ...
    async def qualification_scores(self, client_id: str, type_id: str) -> list[QualificationScore]:
        """Every score on the type, by pseudonym."""
        ...

    async def qualification_score(
        self, client_id: str, type_id: str, worker_pseudonym: str
    ) -> QualificationScore | None:
        """The worker's score on the type, None when they hold none (auto-grants aside)."""
        ...

    async def worker_scores(
        self, client_id: str, worker_pseudonym: str, type_ids: Sequence[str]
    ) -> dict[str, int]:
        """The worker's scores on those of the client's types they hold, an Active
        auto-granted type's value where they hold none (``records.with_auto_grants``)."""
        ...
