"""A project's answers as its client reviews them: a page of answers by filters (status, signal,
gold, worker, date), each with its task and its task's agreement; review of a page of them (the
console's "everything filtered", a page at a time); and each worker's record on the project.

A page reads the store's listing of the project's assignments (``list_assignments``, which
ranges on its index by status or signal) and keeps the answers the other filters accept. It
reads at most ``SCAN_READS`` store pages of at most ``PAGE`` rows, so every page costs the same
however many answers the project has: a page may hold fewer than ``PAGE`` answers (none, even)
and still have a next cursor. Each store read asks for only as many rows as the page still
lacks, so every row read is either on the page or passed over, and the next page starts at the
store's own cursor (a position in accept order: answers reviewed meanwhile do not move it).
"""

from __future__ import annotations

import statistics
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from ..core.agreement import aggregate
from ..core.errors import GatewayError, InvalidInput
from ..core.page import Page
from ..core.params import AssignmentQuery, TaskAssignmentsQuery
from ..core.records import ANSWERED, SIGNALS, Assignment, AssignmentStatus, Client, Project, Task
from .assignments import approve, reject_because, rejection_reason

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "GOLD_CHOICES",
    "PAGE",
    "SCAN_READS",
    "Answer",
    "AnswerFilter",
    "Reviewed",
    "WorkerRecord",
    "agreement_of",
    "answer_filter",
    "answers_page",
    "every_answer",
    "review_each",
    "review_page",
    "worker_records",
]

PAGE = 50  # answers on a page, at most
SCAN_READS = 10  # store reads a page makes, at most: PAGE * SCAN_READS rows examined
GOLD_CHOICES = ("gold", "work")  # gold questions only; real work only
_AGREEMENT_ANSWERS = 50  # a task's answers read for its agreement (assignments_max is lower)
_RECORD_PAGE = 200  # rows a walk over every answer reads at a time


@dataclass(frozen=True, slots=True)
class AnswerFilter:
    """Which answers: in one status (of ``ANSWERED``) or any, carrying ``signal``, on gold
    questions or on real work, of one worker (as the client knows them), submitted from the
    start of ``since`` to the end of ``until`` (UTC days)."""

    status: AssignmentStatus | None = None
    signal: str | None = None
    gold: Literal["gold", "work"] | None = None
    worker: str | None = None
    since: date | None = None
    until: date | None = None

    def query(self) -> dict[str, str]:
        """The filter as a query string's parameters (those set)."""
        given = {
            "status": self.status,
            "signal": self.signal,
            "gold": self.gold,
            "worker": self.worker,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {k: v for k, v in given.items() if v}

    def keeps(self, assignment: Assignment, task: Task | None) -> bool:
        if assignment.status not in ANSWERED:
            return False
        if self.worker is not None and assignment.worker_pseudonym != self.worker:
            return False
        if self.gold is not None:
            is_gold = task is not None and task.gold is not None
            if is_gold != (self.gold == "gold"):
                return False
        at = assignment.submitted_at or 0.0
        if self.since is not None and at < _day_start(self.since):
            return False
        return not (self.until is not None and at >= _day_start(self.until + timedelta(days=1)))


def _day_start(day: date) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()


def _day(params: Mapping[str, str], name: str) -> date | None:
    text = params.get(name) or None
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} must be a date like 2026-12-01", field=name) from None


def answer_filter(params: Mapping[str, str]) -> AnswerFilter:
    """The filter a query string asks for; a value that is not one is ``InvalidInput`` naming
    its field (an empty one is no filter)."""
    status = params.get("status") or None
    if status is not None and status not in ANSWERED:
        raise InvalidInput(f"status must be one of: {', '.join(ANSWERED)}", field="status")
    signal = params.get("signal") or None
    if signal is not None and signal not in SIGNALS:
        raise InvalidInput(f"signal must be one of: {', '.join(SIGNALS)}", field="signal")
    gold = params.get("gold") or None
    if gold is not None and gold not in GOLD_CHOICES:
        raise InvalidInput(f"gold must be one of: {', '.join(GOLD_CHOICES)}", field="gold")
    worker = (params.get("worker") or "").strip() or None
    if worker is not None and (not worker.startswith("wkr_") or len(worker) > 100):
        raise InvalidInput("not a worker id from this gateway", field="worker")
    since, until = _day(params, "since"), _day(params, "until")
    if since is not None and until is not None and until < since:
        raise InvalidInput("until must not be before since", field="until")
    return AnswerFilter(status, signal, gold, worker, since, until)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer with the task it answers (None if the task is gone)."""

    assignment: Assignment
    task: Task | None


async def answers_page(
    rt: Runtime,
    client: Client,
    project: Project,
    chosen: AnswerFilter,
    cursor: str | None,
    *,
    limit: int = PAGE,
    with_tasks: bool = True,
) -> Page[Answer]:
    """One page of the project's answers that ``chosen`` keeps, in accept order, after
    ``cursor`` (a page's ``next_cursor``); ``project`` is the client's (``owned_project``).
    Without ``with_tasks`` the answers come without their tasks (unless the gold filter
    needs them)."""
    read_tasks = with_tasks or chosen.gold is not None
    found: list[Answer] = []
    for _ in range(SCAN_READS):
        page = await rt.store.list_assignments(
            client.id,
            AssignmentQuery(
                limit - len(found),
                project_id=project.id,
                status=chosen.status,
                cursor=cursor,
                signal=chosen.signal,
            ),
        )
        wanted = [a.task_id for a in page.items] if read_tasks else []
        tasks = await rt.store.get_tasks(wanted) if wanted else {}
        for assignment in page.items:
            task = tasks.get(assignment.task_id)
            if chosen.keeps(assignment, task):
                found.append(Answer(assignment, task))
        cursor = page.next_cursor
        if cursor is None or len(found) >= limit:
            break
    return Page(found, cursor)


async def every_answer(
    rt: Runtime,
    client: Client,
    project: Project,
    chosen: AnswerFilter,
    *,
    with_tasks: bool = True,
) -> AsyncIterator[list[Answer]]:
    """Every answer ``chosen`` keeps, a page at a time (only one page in memory)."""
    cursor: str | None = None
    while True:
        page = await answers_page(
            rt, client, project, chosen, cursor, limit=_RECORD_PAGE, with_tasks=with_tasks
        )
        yield page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


async def agreement_of(rt: Runtime, task_ids: list[str]) -> dict[str, float | None]:
    """Each task's agreement: the lowest share of its answers that agree on a field (the
    majority vote, ``core.agreement``); None for a task with nothing to vote on."""
    shares: dict[str, float | None] = {}
    for task_id in dict.fromkeys(task_ids):
        page = await rt.store.list_task_assignments(
            task_id, TaskAssignmentsQuery(ANSWERED, _AGREEMENT_ANSWERS)
        )
        summary = aggregate([a.result for a in page.items])
        shares[task_id] = min((f["agreement"] for f in summary.values()), default=None)
    return shares


@dataclass(slots=True)
class Reviewed:
    """What a review of many answers did: each answer reviewed, or refused and why."""

    done: list[Assignment] = field(default_factory=list)
    refused: list[tuple[str, GatewayError]] = field(default_factory=list)


async def review_each(
    rt: Runtime, client: Client, ids: list[str], *, approving: bool, reason: str | None
) -> Reviewed:
    """Approve or reject each assignment on its own, through the services the API's bulk review
    calls (``POST /assignments/approve`` and ``/reject``): one refused does not stop the rest.
    A rejection's reason is read first, as the API reads it (``InvalidInput`` for none), so a
    rejection without one refuses everything, even with no answer to reject."""
    read = None if approving else rejection_reason({"reason": reason})
    outcome = Reviewed()
    for assignment_id in dict.fromkeys(ids):
        try:
            if read is None:
                outcome.done.append(await approve(rt, client, assignment_id))
            else:
                outcome.done.append(await reject_because(rt, client, assignment_id, read))
        except InvalidInput:
            raise
        except GatewayError as exc:
            outcome.refused.append((assignment_id, exc))
    return outcome


async def review_page(
    rt: Runtime,
    client: Client,
    project: Project,
    chosen: AnswerFilter,
    cursor: str | None,
    *,
    approving: bool,
    reason: str | None,
) -> tuple[Reviewed, str | None]:
    """Review the answers of one page of ``chosen`` (those still waiting for review; the
    others are left as they are), and the cursor of the next page: "everything filtered" is
    this, page after page, so no more than a page is in memory at once."""
    page = await answers_page(rt, client, project, chosen, cursor)
    waiting = [a.assignment.id for a in page.items if a.assignment.status == "submitted"]
    outcome = await review_each(rt, client, waiting, approving=approving, reason=reason)
    return outcome, page.next_cursor


@dataclass(slots=True)
class WorkerRecord:
    """A worker's answers on a project (as the client knows them): how many, in each review
    state, their gold record and the median time from accepting to submitting."""

    worker: str
    answers: int = 0
    approved: int = 0
    rejected: int = 0
    gold_answered: int = 0
    gold_correct: int = 0
    seconds: list[float] = field(default_factory=list)
    latest: str = ""  # their latest answer's assignment id

    @property
    def median_seconds(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def gold_accuracy(self) -> float | None:
        return self.gold_correct / self.gold_answered if self.gold_answered else None

    @property
    def approval_rate(self) -> float | None:
        """Approved among those reviewed."""
        reviewed = self.approved + self.rejected
        return self.approved / reviewed if reviewed else None


async def worker_records(rt: Runtime, client: Client, project: Project) -> list[WorkerRecord]:
    """Every worker who answered on the project, in the order they first answered. This walks
    the project's answers (a page at a time; what it keeps is a count per worker and their
    times), so it costs what the project holds; the gold records are the store's."""
    records: dict[str, WorkerRecord] = {}
    async for page_of in every_answer(rt, client, project, AnswerFilter(), with_tasks=False):
        for answer in page_of:
            a = answer.assignment
            record = records.setdefault(a.worker_pseudonym, WorkerRecord(a.worker_pseudonym))
            record.answers += 1
            record.approved += a.status == "approved"
            record.rejected += a.status == "rejected"
            if a.submitted_at is not None:
                record.seconds.append(a.submitted_at - a.accepted_at)
            record.latest = a.id
    for gold in await rt.store.gold_stats(project.id):
        if gold.worker_pseudonym in records:
            record = records[gold.worker_pseudonym]
            record.gold_answered, record.gold_correct = gold.answered, gold.correct
    return list(records.values())
