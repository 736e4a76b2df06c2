"""The store's part of the ledger context:
the earnings ledger, and the worker's statement of work (what they submitted, where it stands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from ..core.page import Page
from ..core.records import (
    Credit,
)

__all__ = ["BonusQuery", "LedgerStore", "LineStatus", "WorkLine", "WorkTotal"]

LineStatus = Literal["submitted", "approved", "rejected", "bonus"]


@dataclass(frozen=True, slots=True)
class BonusQuery:
    """One page of a client's bonuses (``list_bonuses``): all, or a task's, or an
    assignment's (both given: an assignment's on that task)."""

    limit: int
    task_id: str | None = None
    assignment_id: str | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class WorkLine:
    """One line of a worker's statement (/earnings): a submission, what it pays or would have
    paid, and where it stands (``ledger.rules.work_line`` writes it, at each change); or a
    bonus (``ledger.rules.bonus_line``). ``key`` names it once: the assignment's id, or the
    bonus's credit key."""

    key: str
    assignment_id: str
    worker_id: str
    client_id: str
    project_id: str
    title: str
    status: LineStatus
    amount_cents: int
    currency: str
    submitted_at: float  # a bonus: when it was credited
    approval_due_at: float  # when the gateway approves it if nobody reviews it
    reviewed_at: float | None = None
    reject_reason: str | None = None


@dataclass(frozen=True, slots=True)
class WorkTotal:
    """The sum of a worker's statement lines in one status and currency, and how many."""

    status: LineStatus
    currency: str
    amount_cents: int
    count: int


class LedgerStore(Protocol):
    async def credit(self, credit: Credit) -> Credit: ...
    async def earnings(self, worker_id: str) -> list[Credit]: ...
    async def note_work(self, line: WorkLine) -> bool:
        """Keep the line of its key (the first time, or in its new state), in one step
        with the worker's totals (moved from the line as it was to the line as it is); False
        when the line was kept so already (a repeat changes nothing). A line keeps the place
        in the statement of its first writing."""
        ...

    async def work_lines(
        self, worker_id: str, *, limit: int, cursor: str | None = None
    ) -> Page[WorkLine]:
        """One page of the worker's statement, the latest written first, after ``cursor`` (a
        page's ``next_cursor``; a malformed one is ``InvalidInput`` naming ``cursor``): an
        index ranged on that order, whatever the worker did before."""
        ...

    async def work_totals(self, worker_id: str) -> list[WorkTotal]:
        """The worker's totals, by status and currency (kept with the lines: no line is read)."""
        ...

    async def work_on(self, worker_id: str, day: int) -> int:
        """How many of the worker's submissions (bonuses aside) were made on ``day``
        (``rules.day_of``): a count kept as lines are written, not a count of the lines."""
        ...

    async def list_bonuses(self, client_id: str, query: BonusQuery) -> Page[Credit]: ...
