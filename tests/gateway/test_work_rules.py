"""The claim's rules decided before its atomic step, case by case, without a store."""

from __future__ import annotations

import pytest

from crowdframe_gateway.work import rules


@pytest.mark.parametrize(
    ("gold_first", "pools"),
    [(True, ("gold", "work")), (False, ("work",))],
)
def test_a_claim_asking_for_gold_tries_the_gold_pool_first(
    gold_first: bool, pools: tuple[rules.Pool, ...]
) -> None:
    assert rules.claim_pools(gold_first=gold_first) == pools


@pytest.mark.parametrize(
    ("kind", "single"),
    [("assessment", True), ("work", False), ("review", False)],
)
def test_only_an_assessment_holds_a_worker_to_one_live_question(kind: str, single: bool) -> None:
    assert rules.one_question_at_a_time(kind) is single


@pytest.mark.parametrize(
    ("now", "duration", "expires_at", "deadline"),
    [
        (1000.0, 600.0, 5000.0, 1600.0),  # the project's duration
        (1000.0, 600.0, 1100.0, 1100.0),  # never after the task expires
        (1000.0, 600.0, 1600.0, 1600.0),
    ],
)
def test_an_assignment_ends_after_the_duration_but_never_after_its_task(
    now: float, duration: float, expires_at: float, deadline: float
) -> None:
    assert rules.assignment_deadline(now, duration, expires_at) == deadline
