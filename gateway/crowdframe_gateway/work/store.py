"""The store's part of the work context:
assignments: what is open, claims, submissions, returns, expiry, and the client's
listings and review decisions.
"""

from __future__ import annotations

from typing import Protocol

from ..core.page import Page
from ..core.params import AssignmentQuery, Claim, ReviewDecision, Submission
from ..core.records import (
    Assignment,
    Project,
    Task,
)
from .rules import TASK_LIST_PAGE

__all__ = ["WorkStore"]


class WorkStore(Protocol):
    async def open_projects(
        self, worker_id: str, *, now: float, after: str | None = None, limit: int = TASK_LIST_PAGE
    ) -> Page[tuple[Project, int]]:
        """One page of the task list: the ACTIVE projects with at least one task the worker
        could take now, each with how many, in creation order after the cursor ``after`` (a
        page's ``next_cursor``; a malformed one is ``InvalidInput`` naming ``after``). At most
        ``limit`` projects, from at most ``work.rules.task_list_scan(limit)`` active projects
        examined: a page may hold fewer (none, even) and still have a next cursor; the last
        page has none."""
        ...

    async def peek_task(self, project_id: str, worker_id: str, *, now: float) -> Task | None: ...
    async def claim(self, claim: Claim, *, now: float) -> Assignment | None:
        """Atomically give the worker a task: a gold one first when ``claim.gold`` and one is left.
        In an assessment a worker holding a live question (accepted, before its deadline)
        gets none: one question at a time, however many tabs accept at once."""
        ...

    async def live_assignment(self, project_id: str, worker_id: str) -> Assignment | None: ...
    async def get_assignment(self, assignment_id: str) -> Assignment | None: ...
    async def submit(self, assignment_id: str, submission: Submission, *, now: float) -> Assignment:
        """Keep a submission, in one step with all it causes: its signals, its place on the
        crowd review queue, the task's completion (or one more seat), its events, and with a
        ``gold`` grade the answer counted on the worker's gold record (stopping them, once, with
        a ``worker.stopped`` event, if ``gold.stop``). A gold record that no longer has
        ``gold.seen`` answers refuses it all: ``Conflict`` ``gold_record_changed``. With an
        ``attempt`` grade the answer is counted in the worker's open attempt (none open: it
        counts for nothing); the attempt's last answer ends it (``quality.rules.
        attempt_outcome``): passed with at least ``attempt.needed`` right, which grants the
        qualification (once), and a ``qualification.granted`` or ``.failed`` event."""
        ...

    async def return_assignment(self, assignment_id: str, *, now: float) -> Assignment: ...
    async def expire_assignments(self, *, now: float) -> int: ...
    async def extend_lease(self, assignment_id: str, *, deadline: float, was: float) -> Assignment:
        """Give a live assignment the later ``deadline`` that ``work.rules.heartbeat_deadline``
        decided from its deadline ``was``: written only while it is still accepted with that
        deadline (an expiry, a submit or another heartbeat in between wins). The assignment as
        it is then, either way; ``NotFound`` for none."""
        ...

    async def expire_tasks(self, *, now: float) -> int:
        """The sweep of lifetimes: a batch of the tasks that ``work.rules.task_expires`` at
        ``now`` (open, past their lifetime, held by no worker) become ``expired``, leaving their
        pools, each with a ``task.expired`` event, and the one that leaves its project with no
        open task writes ``project.completed``, in the same step. How many; a call that finds
        none due only reads."""
        ...

    # the client's side: listings and review decisions
    async def list_assignments(
        self, client_id: str, query: AssignmentQuery
    ) -> Page[Assignment]: ...
    async def review(
        self, assignment_id: str, decision: ReviewDecision, *, now: float
    ) -> Assignment:
        """Approve or reject a submitted assignment (repeating the same review is harmless);
        ``decision.event_extra`` is added to its event's data (who reviewed it)."""
        ...

    # an assessment's questions, as the claim sees them
    async def unseen_questions(self, project_id: str, worker_id: str, *, now: float) -> int:
        """The open, unexpired gold tasks of the project the worker never had."""
        ...

    async def unseen_question_ids(
        self, project_id: str, worker_id: str, *, now: float, limit: int
    ) -> list[str]:
        """The ids of those tasks, the first ``limit`` of them in the pool's order (what a new
        assessment attempt chooses its questions from): read once when an attempt starts,
        never by a claim."""
        ...
