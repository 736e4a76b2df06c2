"""A project's progress as its client sees it: open tasks, and its assignments by status."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.records import Project

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["Progress", "progress"]


@dataclass(frozen=True, slots=True)
class Progress:
    """Open: tasks still taking answers (a task in progress is one of them); the next four
    count assignments: in progress (accepted, not yet submitted), submitted (waiting for
    review), approved, rejected; expired: tasks whose lifetime ended before they had all their
    answers (the sweep moved them to ``expired``; what answers they had are counted above)."""

    open: int
    in_progress: int
    submitted: int
    approved: int
    rejected: int
    expired: int = 0

    @property
    def total(self) -> int:
        return (
            self.open
            + self.in_progress
            + self.submitted
            + self.approved
            + self.rejected
            + self.expired
        )


async def progress(rt: Runtime, project: Project) -> Progress:
    """The progress of a project already checked to be the caller's (``owned_project``)."""
    counts = await rt.store.assignment_counts(project.client_id, project.id)
    return Progress(
        open=project.counts.get("open", 0),
        in_progress=counts.get("accepted", 0),
        submitted=counts.get("submitted", 0),
        approved=counts.get("approved", 0),
        rejected=counts.get("rejected", 0),
        expired=project.counts.get("expired", 0),
    )
