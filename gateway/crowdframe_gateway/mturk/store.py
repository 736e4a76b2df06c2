"""The store's part of the mturk context:
MTurk compatibility: credentials, HIT types, HITs, and tasks as HITs need them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..core.page import Page
from ..core.records import (
    Assignment,
    AssignmentStatus,
    Project,
    Task,
)
from .records import Hit, HitType, MTurkCredential

__all__ = ["MTurkStore"]


class MTurkStore(Protocol):
    async def set_task_expiry(self, task_id: str, expires_at: float) -> Task: ...
    async def list_task_assignments(
        self,
        task_id: str,
        *,
        statuses: Sequence[AssignmentStatus],
        cursor: str | None,
        limit: int,
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
