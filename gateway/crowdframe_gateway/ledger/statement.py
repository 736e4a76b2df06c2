"""The worker's statement of work (/earnings): each submission to a paying project, pending,
approved or rejected, a page at a time, with the totals of each.

A line is written after each change of its assignment (``note_work``: the submission, a
review, the gateway's auto-approval, an overturn), as ``rules.work_line`` says it stands; a
repeat writes nothing. A process that died between a change and its line leaves the line as it
was: a page mends those of its pending lines whose auto-approval time has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.records import Assignment, Project, Worker, now
from .rules import STATEMENT_PAGE, day_of, work_line
from .store import WorkLine, WorkTotal

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["Statement", "done_today", "note_work", "statement"]


@dataclass(frozen=True, slots=True)
class Statement:
    """One page of the worker's statement, its next cursor, and the worker's totals."""

    lines: list[WorkLine]
    next_cursor: str | None
    totals: list[WorkTotal]


async def note_work(rt: Runtime, assignment: Assignment, project: Project | None = None) -> None:
    """Write the statement's line of ``assignment`` as it stands (``project``: its project,
    when the caller has just read it)."""
    if project is None:
        project = await rt.store.get_project(assignment.project_id)
    if project is None:
        return
    line = work_line(assignment, project.spec)
    if line is not None:
        await rt.store.note_work(line)


async def statement(
    rt: Runtime, worker: Worker, *, cursor: str | None = None, limit: int = STATEMENT_PAGE
) -> Statement:
    """A page of the worker's statement, the latest first, after ``cursor``."""
    page = await rt.store.work_lines(worker.id, limit=limit, cursor=cursor)
    at, lines = now(), []
    for line in page.items:
        if line.status == "submitted" and line.approval_due_at <= at:
            line = await _mended(rt, line)
        lines.append(line)
    return Statement(lines, page.next_cursor, await rt.store.work_totals(worker.id))


async def _mended(rt: Runtime, line: WorkLine) -> WorkLine:
    """A pending line as its assignment stands now (reviewed since, its line not written)."""
    assignment = await rt.store.get_assignment(line.assignment_id)
    if assignment is None or assignment.status == line.status:
        return line
    project = await rt.store.get_project(assignment.project_id)
    fresh = None if project is None else work_line(assignment, project.spec)
    if fresh is None:
        return line
    await rt.store.note_work(fresh)
    return fresh


async def done_today(rt: Runtime, worker: Worker, *, at: float | None = None) -> int:
    """How many of the worker's submissions to paying projects were made today (UTC)."""
    return await rt.store.work_on(worker.id, day_of(now() if at is None else at))
