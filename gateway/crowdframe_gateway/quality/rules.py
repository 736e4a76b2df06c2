"""The rules of the quality context, written once: assessment attempts, blocks, auto-approval.

A worker may start an attempt unless they hold the qualification already, failed their last
attempt less than ``retry_after`` seconds ago, or have fewer than ``test_size`` questions left
that they have not seen (a worker never gets a question twice, so a retry has fresh ones). The
attempt's last answer ends it, passed with at least ``needed_correct`` right answers.

An attempt's questions, and their order, are chosen when it starts, at random for each attempt
(``attempt_questions``: a permutation seeded per attempt, of the first ``QUESTION_CHOICE``
unseen questions in the pool's order): two workers, or two attempts, get different questions
or the same ones in another order, so answers do not travel from one to the next. The attempt
keeps the chosen list; each claim takes the first of it the worker may still take (a question
whose time ran out is not given again), so a claim never looks through the pool.

The SQLite store calls these functions inside its transactions. Some decisions must be taken
inside one atomic step on Redis as well, so its scripts state them once more, held to the same
tables of cases as these functions (tests/quality_cases.py): ``attempt_state`` in
attempt_start.lua ("never two open attempts"), ``attempt_outcome`` in attempt.lua, for
submit.lua ("the last answer ends it, once"), and ``approval_due`` in approve.lua (approved
once, and only while still unreviewed). SQLite states ``approval_due`` in its sweep's query,
where it filters every waiting submission natively (a Python function there would triple the
sweep's time).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Literal

from ..core.params import GoldGrade
from ..core.records import AssessmentAttempt, GoldStats, approval_due_at

__all__ = [
    "ALL_PROJECTS",
    "QUESTION_CHOICE",
    "AttemptState",
    "approval_due",
    "attempt_outcome",
    "attempt_questions",
    "attempt_state",
    "block_scopes",
    "gold_stops",
    "grade_gold",
    "needed_correct",
    "retry_at",
]

AttemptState = Literal["open", "start", "qualified", "cooling", "exhausted"]

ALL_PROJECTS = ""  # a block's project_id when it shuts the worker out of every project
QUESTION_CHOICE = 250  # unseen questions a new attempt chooses from, at most


def attempt_questions(candidates: Sequence[str], test_size: int, seed: int) -> tuple[str, ...]:
    """A new attempt's questions in the order it asks them: ``test_size`` of the
    ``candidates`` (all of them, if fewer), chosen and ordered by a permutation that ``seed``
    decides (the same seed and candidates, the same questions; the candidates' order as given
    does not matter)."""
    pool = sorted(set(candidates))
    return tuple(random.Random(seed).sample(pool, min(test_size, len(pool))))


def needed_correct(pass_score: float, test_size: int) -> int:
    """How many right answers pass: ``pass_score`` of ``test_size``, rounded up (the small
    tolerance keeps 0.7 * 10 from needing 8)."""
    return max(0, math.ceil(pass_score * test_size - 1e-9))


def attempt_outcome(*, answered: int, correct: int, test_size: int, needed: int) -> bool | None:
    """How an attempt stands after an answer: None while questions remain, else whether it
    passed (at least ``needed`` right)."""
    if answered < test_size:
        return None
    return correct >= needed


def retry_at(latest: AssessmentAttempt, retry_after: float) -> float | None:
    """When a failed attempt allows the next one; None if the attempt did not fail."""
    if latest.passed is not False or latest.finished_at is None:
        return None
    return latest.finished_at + retry_after


def attempt_state(
    *,
    held: bool,
    latest: AssessmentAttempt | None,
    unseen: int,
    test_size: int,
    retry_after: float,
    now: float,
) -> AttemptState:
    """What the worker's next step at an assessment is: go on with the ``open`` attempt,
    ``start`` a new one, or none (``qualified``, ``cooling``, ``exhausted``)."""
    if held:
        return "qualified"
    if latest is not None and latest.finished_at is None:
        return "open"
    if latest is not None:
        retry = retry_at(latest, retry_after)
        if retry is not None and now < retry:
            return "cooling"
    return "start" if unseen >= test_size else "exhausted"


def block_scopes(project_id: str) -> tuple[str, str]:
    """The block-list entries that shut a worker out of a project: one for that project, one
    for all of the client's projects (gold stops are per project and checked beside them)."""
    return (ALL_PROJECTS, project_id)


def approval_due(submitted_at: float, delay: float, now: float) -> bool:
    """Whether an unreviewed submission is due for auto-approval at ``now``
    (``core.records.approval_due_at``)."""
    return approval_due_at(submitted_at, delay) <= now


# -- gold: the record that stops a worker ------------------------------------------------------


def gold_stops(answered: int, correct: int, *, min_answers: int, min_accuracy: float) -> bool:
    """Whether a gold record stops its worker: once they have given ``min_answers`` answers,
    an accuracy below ``min_accuracy``."""
    return answered >= min_answers and correct < min_accuracy * answered


def grade_gold(
    record: GoldStats | None, *, correct: bool, min_answers: int, min_accuracy: float
) -> GoldGrade:
    """One more gold answer on ``record`` (None: the worker's first): what the submit counts.
    A stopped worker stays stopped."""
    answered = 0 if record is None else record.answered
    right = 0 if record is None else record.correct
    stop = gold_stops(
        answered + 1, right + int(correct), min_answers=min_answers, min_accuracy=min_accuracy
    )
    stopped = record is not None and record.stopped
    return GoldGrade(correct=correct, seen=answered, stop=stop or stopped)
