"""The quality rules as pure functions, case by case (tests/quality_cases.py; the store suite
holds SQLite and Redis to the same cases)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crowdframe_gateway.quality.rules import (
    ALL_PROJECTS,
    approval_due,
    attempt_outcome,
    attempt_state,
    block_scopes,
    needed_correct,
    retry_at,
)
from quality_cases import (
    APPROVAL_CASES,
    ATTEMPT_CASES,
    COOL,
    FAIL,
    OUTCOME_CASES,
    SIZE,
    START,
    ApprovalCase,
    AttemptCase,
    OutcomeCase,
)


def names(cases: list[AttemptCase] | list[OutcomeCase] | list[ApprovalCase]) -> list[str]:
    return [case.name for case in cases]


@pytest.mark.parametrize("case", ATTEMPT_CASES, ids=names(ATTEMPT_CASES))
def test_attempt_state(case: AttemptCase) -> None:
    state = attempt_state(
        held=case.held(),
        latest=case.latest(START),
        unseen=case.questions - case.seen,
        test_size=SIZE,
        retry_after=COOL,
        now=case.when(START),
    )
    assert state == case.expected


def test_a_holder_is_qualified_whatever_else_stands() -> None:
    unfinished = AttemptCase("open", 3, ((True,),), 0, "open").latest(START)
    for latest in (None, unfinished):
        state = attempt_state(
            held=True, latest=latest, unseen=0, test_size=SIZE, retry_after=COOL, now=START
        )
        assert state == "qualified"


def test_only_a_failed_attempt_sets_a_retry_time() -> None:
    failed = AttemptCase("failed", 6, (FAIL,), 0, "cooling").latest(START)
    assert failed is not None and retry_at(failed, COOL) == START + COOL
    assert retry_at(replace(failed, passed=True), COOL) is None
    assert retry_at(replace(failed, finished_at=None, passed=None), COOL) is None


@pytest.mark.parametrize("case", OUTCOME_CASES, ids=names(OUTCOME_CASES))
def test_attempt_outcome(case: OutcomeCase) -> None:
    outcome = attempt_outcome(
        answered=len(case.answers), correct=sum(case.answers), test_size=SIZE, needed=case.needed
    )
    assert outcome is case.expected


@pytest.mark.parametrize(
    ("pass_score", "test_size", "needed"),
    [(0.7, 10, 7), (0.75, 10, 8), (1.0, 3, 3), (2 / 3, 3, 2), (0.5, 3, 2), (0.0, 5, 0)],
)
def test_needed_correct_rounds_up_without_float_noise(
    pass_score: float, test_size: int, needed: int
) -> None:
    assert needed_correct(pass_score, test_size) == needed


@pytest.mark.parametrize("case", APPROVAL_CASES, ids=names(APPROVAL_CASES))
def test_approval_due(case: ApprovalCase) -> None:
    assert approval_due(START, case.delay, START + case.waited) is case.expected


def test_a_block_shuts_out_of_its_project_or_of_all() -> None:
    assert set(block_scopes("prj_1")) == {"prj_1", ALL_PROJECTS}
