"""Who may take which task: the rules of a claim, a preview and the offer.

Decided here, before the claim's atomic step, and handed to it as data: which pools a claim
draws from, in which order (``claim_pools``: the gold pool first when the claim asks for a gold
task, then real work). Previews and the offer show real work only.

Decided inside the step, because they read what a concurrent claim changes; each store states
them once (SQLite: ``work/sqlite_pool.py``'s ``in_pool`` and ``_OPEN_TO``, with ``work/
sqlite.py``'s ``claim`` calling the functions here; Redis: ``pool.lua``'s ``belongs`` and
``open_to``, for ``claim.lua`` and ``available.lua``), and one table of cases drives both
(``tests/store/test_store_work.py``; ``test_store_pools.py`` holds the pools to a recount):

- only an active project hands out or shows work;
- in an assessment (``one_question_at_a_time``) a worker holding a live question (accepted,
  before its deadline) gets none, however many tabs accept at once;
- a task is open, not expired, never had by this worker (returned, expired or submitted, it
  never comes back), not excluded for them (the crowd review of their own answer), and, if it
  is real work, short of its seats (a gold task has no seat limit: every worker gets it once);
- of those, one that came back into its pool (a seat freed, a lifetime extended) first, the
  one that came back earliest; else the first in creation order; in an assessment, before
  both, the first of the attempt's own questions (``Claim.questions``, in the order
  ``quality.rules.attempt_questions`` chose) that the worker may take, looked up by id;
- the deadline: ``assignment_deadline``.

Leases and lifetimes (decided here, performed by the stores):

- a heartbeat from the worker's task page moves a live assignment's deadline on, in projects
  that enable it (``lease_extension_seconds``): ``heartbeat_deadline`` says to when, or that it
  stays; the store writes it only if the assignment is still live with the deadline the
  decision was made from (a compare-and-set: SQLite ``work/sqlite_lifetimes.py``
  ``extend_lease``, Redis ``lease.lua``);
- a task past its lifetime is moved to ``expired`` by the sweep (``task_expires``), unless a
  worker still holds it (``holds``): stated inside the sweep's step, because a claim, a submit
  or a return changes what it reads (SQLite ``work/sqlite_lifetimes.py`` ``_EXPIRING``,
  Redis ``expire_tasks.lua``); the table of cases on both is ``tests/store/
  test_store_lifetimes.py``.

The task list (``open_projects`` on both stores) is a page at a time: the active projects with
work for the worker, in creation order, at most ``TASK_LIST_PAGE`` of them. A page examines at
most ``task_list_scan(limit)`` active projects, so a worker with no work anywhere costs a bounded
walk per request; ``task_list_full`` tells a store walking a page when to stop counting, and
``task_list_page`` makes the page and its cursor from what it counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeVar

from ..core.page import Page

__all__ = [
    "HEARTBEAT_MIN_GAP",
    "TASK_LIST_PAGE",
    "Pool",
    "assignment_deadline",
    "claim_pools",
    "heartbeat_deadline",
    "holds",
    "one_question_at_a_time",
    "task_expires",
    "task_list_full",
    "task_list_page",
    "task_list_scan",
]

T = TypeVar("T")

TASK_LIST_PAGE = 50  # projects on one page of the task list
_SCAN_PAGES = 5  # a page examines at most this many pages' worth of active projects

Pool = Literal["gold", "work"]


def claim_pools(*, gold_first: bool) -> tuple[Pool, ...]:
    """The pools a claim takes its task from, in order: a gold task first when asked (the
    quality process's share of checks, or an assessment's question), else real work."""
    return ("gold", "work") if gold_first else ("work",)


def one_question_at_a_time(kind: str) -> bool:
    """Whether a worker holding a live assignment in a project of this kind gets no other."""
    return kind == "assessment"


def assignment_deadline(now: float, duration: float, task_expires_at: float) -> float:
    """When a claim made ``now`` ends: the project's duration later, never after its task."""
    return min(now + duration, task_expires_at)


# A heartbeat that would move a deadline on by less than this is ignored (nothing is written):
# a page sending heartbeats as fast as it can costs the store a read each, never a write. The
# task page sends one every 30 s (crowdframe-task.js), the host forwards at most one per 20 s.
HEARTBEAT_MIN_GAP = 20.0


def heartbeat_deadline(
    now: float,
    *,
    deadline: float,
    accepted_at: float,
    task_expires_at: float,
    extension: float,
    longest: float,
) -> float | None:
    """The deadline a heartbeat at ``now`` gives a live assignment, or None to leave it as it
    is: ``extension`` seconds after the heartbeat (0: the project gives none), never more than
    ``longest`` seconds after the claim (``lease_max_seconds``) nor after its task's lifetime
    (as ``assignment_deadline``), never earlier than it was, and only when that moves it on by
    at least ``HEARTBEAT_MIN_GAP`` or up to the cap itself. A lease already over (``now`` past
    the deadline) stays over: without heartbeats an assignment ends as the claim said."""
    if extension <= 0 or now > deadline:
        return None
    cap = min(accepted_at + longest, task_expires_at)
    extended = min(now + extension, cap)
    if extended <= deadline:
        return None
    return extended if extended - deadline >= HEARTBEAT_MIN_GAP or extended == cap else None


def holds(status: str, deadline: float, now: float) -> bool:
    """Whether an assignment holds its task at ``now``: accepted, and not past its deadline
    (one still submittable: the submit refuses only after the deadline)."""
    return status == "accepted" and deadline >= now


def task_expires(status: str, expires_at: float, now: float, *, held: bool) -> bool:
    """Whether the sweep moves a task to ``expired`` at ``now``: still open, at or past the end
    of its lifetime, and held by no worker (``holds``: one who took it in time may still submit,
    and their answer may complete it; the task expires once they are done)."""
    return status == "open" and expires_at <= now and not held


def task_list_scan(limit: int) -> int:
    """How many active projects one page of ``limit`` examines at most."""
    return _SCAN_PAGES * limit


def task_list_full(counted: Sequence[tuple[T, int, int]], limit: int) -> bool:
    """Whether ``counted`` (project, seq, available) already fills a page of ``limit``."""
    return sum(1 for *_, available in counted if available > 0) >= limit


def task_list_page(
    counted: Sequence[tuple[T, int, int]], *, limit: int, more: bool
) -> Page[tuple[T, int]]:
    """The page from the active projects counted, in creation order, as (project, seq,
    available): the first ``limit`` with work, and the cursor after the last one it examined
    (``more``: there are active projects after the last counted). No cursor when nothing could
    follow: no project after it, or only counted ones without work."""
    items: list[tuple[T, int]] = []
    for i, (project, seq, available) in enumerate(counted):
        if available > 0:
            items.append((project, available))
            if len(items) == limit:
                follows = more or any(n > 0 for *_, n in counted[i + 1 :])
                return Page(items, str(seq) if follows else None)
    return Page(items, str(counted[-1][1]) if more and counted else None)
