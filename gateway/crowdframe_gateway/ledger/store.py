"""The store's part of the ledger context:
the earnings ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..core.page import Page
from ..core.records import (
    Credit,
)

__all__ = ["BonusQuery", "LedgerStore"]


@dataclass(frozen=True, slots=True)
class BonusQuery:
    """One page of a client's bonuses (``list_bonuses``): all, or a task's, or an
    assignment's (both given: an assignment's on that task)."""

    limit: int
    task_id: str | None = None
    assignment_id: str | None = None
    cursor: str | None = None


class LedgerStore(Protocol):
    async def credit(self, credit: Credit) -> Credit: ...
    async def earnings(self, worker_id: str) -> list[Credit]: ...
    async def list_bonuses(self, client_id: str, query: BonusQuery) -> Page[Credit]: ...
