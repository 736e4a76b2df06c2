"""What a client's projects cost: per project and in total, the reward committed (answers in
progress or waiting for review), approved and rejected, the bonuses paid, and the hourly rate
the measured median time pays against each targeted country's minimum wage.

The answers are counted by state from the indexes each assignment's change keeps
(``review.progress``), at the project's reward as it is now; the bonuses are the ledger's
(``list_bonuses``), read a page at a time; the measured time is the latest submissions'
(``work_seconds``), the sample the API's ``GET /projects/{id}`` reports its pay from.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..catalog import PayPreview, measured_pay
from ..core.records import Client, Project
from ..ledger import BonusQuery
from .progress import Progress, progress

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["PAY_SAMPLE", "Money", "ProjectMoney", "client_money", "project_money"]

PAY_SAMPLE = 500  # the latest submissions the measured time is taken from (the API's too)
_BONUS_PAGE = 200
_PROJECTS_PAGE = 200


@dataclass(frozen=True, slots=True)
class ProjectMoney:
    project: Project
    progress: Progress
    bonus_cents: int
    pay: PayPreview | None  # at the measured median time; None before any submission
    median_seconds: float | None

    @property
    def currency(self) -> str:
        return self.project.spec.currency

    @property
    def committed_cents(self) -> int:
        """What approving every answer still open would cost: in progress or submitted."""
        return self.project.spec.reward_cents * (
            self.progress.in_progress + self.progress.submitted
        )

    @property
    def approved_cents(self) -> int:
        return self.project.spec.reward_cents * self.progress.approved

    @property
    def rejected_cents(self) -> int:
        return self.project.spec.reward_cents * self.progress.rejected


@dataclass(frozen=True, slots=True)
class Money:
    """Every project's figures, and their sums per currency."""

    projects: list[ProjectMoney]

    def total(self, figure: str) -> dict[str, int]:
        """``figure`` (``committed_cents``, ``approved_cents``, ``rejected_cents``,
        ``bonus_cents``) summed per currency."""
        sums: dict[str, int] = defaultdict(int)
        for each in self.projects:
            sums[each.currency] += getattr(each, figure)
        return dict(sorted(sums.items()))


async def _bonuses_by_project(rt: Runtime, client: Client) -> dict[str, int]:
    """The client's bonuses summed per project, in cents (a project pays in one currency)."""
    sums: dict[str, int] = defaultdict(int)
    project_of: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = await rt.store.list_bonuses(client.id, BonusQuery(_BONUS_PAGE, cursor=cursor))
        for credit in page.items:
            if credit.assignment_id not in project_of:
                paid = await rt.store.get_assignment(credit.assignment_id)
                project_of[credit.assignment_id] = "" if paid is None else paid.project_id
            sums[project_of[credit.assignment_id]] += credit.amount_cents
        if page.next_cursor is None:
            return sums
        cursor = page.next_cursor


async def _figures(rt: Runtime, project: Project, bonus_cents: int) -> ProjectMoney:
    worked = await rt.store.work_seconds(project.id, limit=PAY_SAMPLE)
    pay = measured_pay(project.spec, worked)
    return ProjectMoney(
        project=project,
        progress=await progress(rt, project),
        bonus_cents=bonus_cents,
        pay=pay,
        median_seconds=statistics.median(worked) if worked else None,
    )


async def project_money(rt: Runtime, client: Client, project: Project) -> ProjectMoney:
    """One project's figures; ``project`` is the client's (``owned_project``)."""
    bonuses = await _bonuses_by_project(rt, client)
    return await _figures(rt, project, bonuses.get(project.id, 0))


async def client_money(rt: Runtime, client: Client) -> Money:
    """Every project of the client, in creation order, with the totals."""
    bonuses = await _bonuses_by_project(rt, client)
    found: list[ProjectMoney] = []
    cursor: str | None = None
    while True:
        page = await rt.store.list_projects(client.id, cursor=cursor, limit=_PROJECTS_PAGE)
        for project in page.items:
            found.append(await _figures(rt, project, bonuses.get(project.id, 0)))
        if page.next_cursor is None:
            return Money(found)
        cursor = page.next_cursor
