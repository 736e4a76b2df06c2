"""The quality rules as pure functions, case by case (tests/quality_cases.py; the store suite
holds SQLite and Redis to the same cases)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crowdframe_gateway.quality.rules import (
    ALL_PROJECTS,
    approval_due,
    attempt_outcome,
    attempt_questions,
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


POOL = tuple(f"tsk_{i}" for i in range(8))


@pytest.mark.parametrize(
    ("name", "candidates", "size", "seed", "expect"),
    [
        ("as many as the test asks", POOL, 5, 1, 5),
        ("all of a smaller pool", POOL[:3], 5, 1, 3),
        ("none from none", (), 5, 1, 0),
        ("twice the same id, once", (*POOL[:2], POOL[0]), 5, 7, 2),
    ],
)
def test_attempt_questions_are_chosen_from_the_pool_once_each(
    name: str, candidates: tuple[str, ...], size: int, seed: int, expect: int
) -> None:
    chosen = attempt_questions(candidates, size, seed)
    assert len(chosen) == expect and len(set(chosen)) == expect, name
    assert set(chosen) <= set(candidates), name


def test_the_seed_decides_the_questions_and_their_order() -> None:
    first = attempt_questions(POOL, 5, 1)
    assert attempt_questions(POOL, 5, 1) == first, "the same seed, the same attempt"
    assert attempt_questions(POOL[::-1], 5, 1) == first, "whatever order the store read them in"
    others = {attempt_questions(POOL, 5, seed) for seed in range(2, 12)}
    assert first not in others and len(others) == 10, "another seed, another attempt"
    whole = {attempt_questions(POOL, 8, seed) for seed in range(10)}
    assert len(whole) == 10, "a test of the whole pool still changes its order"
