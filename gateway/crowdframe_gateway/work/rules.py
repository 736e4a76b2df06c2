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
- of those, the first in creation order;
- the deadline: ``assignment_deadline``.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["Pool", "assignment_deadline", "claim_pools", "one_question_at_a_time"]

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
