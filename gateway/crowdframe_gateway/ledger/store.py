"""The store's part of the ledger context:
the earnings ledger.
"""

from __future__ import annotations

from typing import Protocol

from ..core.page import Page
from ..core.records import (
    Credit,
)

__all__ = ["LedgerStore"]


class LedgerStore(Protocol):
    async def credit(self, credit: Credit) -> Credit: ...
    async def earnings(self, worker_id: str) -> list[Credit]: ...
    async def list_bonuses(
        self,
        client_id: str,
        *,
        task_id: str | None,
        assignment_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Credit]: ...
