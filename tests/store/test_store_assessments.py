"""Assessments: attempts of unseen questions, pass or fail at the last answer, the cool-down,
the qualification granted once; on each store."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crowdframe_gateway.core.params import AttemptGrade, Claim, Submission
from crowdframe_gateway.core.records import Assignment, Project, now
from crowdframe_gateway.quality.store import AttemptRequest
from crowdframe_gateway.runtime import Store
from quality_cases import ATTEMPT_CASES, COOL, NEEDED, OUTCOME_CASES, SIZE, AttemptCase, OutcomeCase
from store_world import Opener, make_client, make_project, make_tasks, recorded_events

CAT = {"label": "cat"}


async def assessment(store: Store, questions: int) -> tuple[Project, str]:
    client = await make_client(store)
    project = await make_project(store, client, kind="assessment", test_size=SIZE)
    await make_tasks(store, project, questions, prefix="q", gold=CAT)
    return project, client.id


async def start(store: Store, project: Project, worker: str, at: float) -> object:
    return await store.start_attempt(
        AttemptRequest(project.id, worker, "p-" + worker, SIZE, COOL), now=at
    )


async def answer(
    store: Store,
    project: Project,
    worker: str,
    correct: bool,
    at: float,
    *,
    needed: int = NEEDED,
) -> str:
    """Claim the worker's next question and submit an answer to it, graded in their attempt
    as the quality process grades it; the task id drawn."""
    claimed = await store.claim(Claim(project.id, worker, "p-" + worker, gold=True), now=at)
    assert claimed is not None
    await submit_answer(store, claimed, correct, at, needed=needed)
    return claimed.task_id


async def submit_answer(
    store: Store, claimed: Assignment, correct: bool, at: float, *, needed: int = NEEDED
) -> Assignment:
    result = CAT if correct else {"label": "dog"}
    graded = Submission(result, attempt=AttemptGrade(correct, needed))
    return await store.submit(claimed.id, graded, now=at)


async def sit(
    store: Store, project: Project, worker: str, answers: list[bool], at: float
) -> list[str]:
    """Start (or go on with) an attempt and answer its questions; the task ids drawn."""
    begun = await start(store, project, worker, at)
    assert begun.state == "open", begun  # type: ignore[attr-defined]
    return [await answer(store, project, worker, correct, at) for correct in answers]


@pytest.mark.parametrize("case", ATTEMPT_CASES, ids=[c.name for c in ATTEMPT_CASES])
async def test_where_a_worker_stands_follows_the_attempt_rule(
    store: Store, case: AttemptCase
) -> None:
    project, _ = await assessment(store, case.questions)
    at = now()
    for i, answers in enumerate(case.attempts):
        await sit(store, project, "w1", list(answers), at + i * COOL)
    if case.revoked:
        assert await store.revoke_qualification(project.id, "p-w1")
    begun = await start(store, project, "w1", case.when(at))
    found, latest = begun.attempt, case.latest(at)  # type: ignore[attr-defined]
    if case.expected == "start":
        assert begun.state == "open"  # type: ignore[attr-defined]
        assert (found.number, found.answered, found.started_at) == (
            len(case.attempts) + 1, 0, case.when(at)
        )  # fmt: skip
    else:
        assert begun.state == case.expected  # type: ignore[attr-defined]
        assert found == (None if latest is None else replace(latest, project_id=project.id))


@pytest.mark.parametrize("case", OUTCOME_CASES, ids=[c.name for c in OUTCOME_CASES])
async def test_an_attempt_ends_and_grants_by_the_outcome_rule(
    store: Store, case: OutcomeCase
) -> None:
    project, client_id = await assessment(store, 6)
    at = now()
    await start(store, project, "w1", at)
    for correct in case.answers:
        await answer(store, project, "w1", correct, at, needed=case.needed)
    attempt = await store.latest_attempt(project.id, "w1")
    assert attempt is not None and attempt.answered == len(case.answers)
    assert attempt.passed is case.expected
    assert attempt.finished_at == (None if case.expected is None else at)
    granted = await store.held_qualifications("w1", [project.id]) == {project.id}
    assert granted is bool(case.expected)
    client = await store.get_client(client_id)
    assert client is not None
    events = {
        outcome: len(await recorded_events(store, client, "qualification." + outcome))
        for outcome in ("granted", "failed")
    }
    assert events == {"granted": int(case.expected is True), "failed": int(case.expected is False)}


async def test_a_failed_attempt_cools_down_and_the_retry_draws_fresh_questions(
    store: Store,
) -> None:
    project, client_id = await assessment(store, 6)
    at = now()
    first = await sit(store, project, "w1", [True, False, False], at)
    failed = await store.latest_attempt(project.id, "w1")
    assert failed is not None
    assert (failed.number, failed.answered, failed.correct, failed.passed) == (1, 3, 1, False)
    assert failed.finished_at == at
    assert await store.held_qualifications("w1", [project.id]) == set()
    cooling = await start(store, project, "w1", at + COOL - 1)
    assert cooling.state == "cooling" and cooling.attempt == failed  # type: ignore[attr-defined]
    assert await store.unseen_questions(project.id, "w1", now=at) == 3
    second = await sit(store, project, "w1", [True, True, False], at + COOL)
    assert set(first).isdisjoint(second), "a retry never repeats a question"
    passed = await store.latest_attempt(project.id, "w1")
    assert passed is not None and (passed.number, passed.correct, passed.passed) == (2, 2, True)
    assert await store.held_qualifications("w1", [project.id, "prj_other"]) == {project.id}
    granted = await store.get_qualification(project.id, "w1")
    assert granted is not None and granted.worker_pseudonym == "p-w1"
    assert abs(granted.score - 2 / 3) < 1e-9
    held = await start(store, project, "w1", at + COOL)
    assert held.state == "qualified"  # type: ignore[attr-defined]
    client = await store.get_client(client_id)
    assert client is not None
    failures = await recorded_events(store, client, "qualification.failed")
    grants = await recorded_events(store, client, "qualification.granted")
    assert [(e["worker_id"], e["attempt"], e["correct"], e["passed"]) for e in failures] == [
        ("p-w1", 1, 1, False)
    ]
    assert [(e["attempt"], e["score"], e["qualification_id"]) for e in grants] == [
        (2, 0.6667, project.id)
    ]


async def test_too_few_unseen_questions_means_no_attempt(store: Store) -> None:
    project, _ = await assessment(store, 4)
    at = now()
    await sit(store, project, "w1", [False, False, False], at)
    left = await start(store, project, "w1", at + COOL)
    assert left.state == "exhausted"  # type: ignore[attr-defined]
    assert await store.unseen_questions(project.id, "w1", now=at) == 1
    other = await start(store, project, "w2", at)
    assert other.state == "open", "another worker has every question still"  # type: ignore[attr-defined]


async def test_an_answer_with_no_open_attempt_counts_for_nothing(store: Store) -> None:
    project, client_id = await assessment(store, 6)
    at = now()
    await answer(store, project, "w1", True, at)
    assert await store.latest_attempt(project.id, "w1") is None, "no attempt was open"
    await sit(store, project, "w1", [True, True, True], at)
    await answer(store, project, "w1", False, at)
    attempt = await store.latest_attempt(project.id, "w1")
    assert attempt is not None and (attempt.answered, attempt.correct) == (3, 3), "it was over"
    assert attempt.passed is True
    client = await store.get_client(client_id)
    assert client is not None
    assert len(await recorded_events(store, client, "assignment.submitted")) == 5
    assert len(await recorded_events(store, client, "qualification.granted")) == 1


async def test_concurrent_starts_and_answers_make_one_attempt_and_one_grant(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(3)]
    project, client_id = await assessment(stores[0], 6)
    at = now()
    starts = await asyncio.gather(*(start(s, project, "w1", at) for s in stores * 3))
    numbers = {s.attempt.number for s in starts}  # type: ignore[attr-defined]
    assert {s.state for s in starts} == {"open"} and numbers == {1}  # type: ignore[attr-defined]
    for _ in range(SIZE - 1):
        await answer(stores[0], project, "w1", True, at)
    # two tabs hold a question each: the first's deadline is the moment the second is taken
    first = await stores[0].claim(Claim(project.id, "w1", "p-w1", gold=True), now=at)
    assert first is not None
    second = await stores[1].claim(Claim(project.id, "w1", "p-w1", gold=True), now=first.deadline)
    assert second is not None
    await asyncio.gather(
        submit_answer(stores[0], first, True, first.deadline),
        submit_answer(stores[1], second, True, first.deadline),
    )
    attempt = await stores[2].latest_attempt(project.id, "w1")
    assert attempt is not None and (attempt.answered, attempt.passed) == (SIZE, True)
    assert attempt.finished_at == first.deadline, "the last answer ends the attempt, once"
    client = await stores[0].get_client(client_id)
    assert client is not None
    assert len(await recorded_events(stores[0], client, "qualification.granted")) == 1
    assert len(await recorded_events(stores[0], client, "assignment.submitted")) == SIZE + 1


async def test_attempts_are_listed_page_by_page_and_a_qualification_can_be_revoked(
    store: Store,
) -> None:
    project, _ = await assessment(store, 9)
    at = now()
    await sit(store, project, "w1", [False] * 3, at)
    await sit(store, project, "w2", [True] * 3, at)
    await sit(store, project, "w1", [True] * 3, at + COOL)
    seen, cursor = [], None
    while True:
        page = await store.list_assessment_attempts(project.id, cursor=cursor, limit=2)
        seen.extend((a.worker_pseudonym, a.number, a.passed) for a in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [("p-w1", 1, False), ("p-w2", 1, True), ("p-w1", 2, True)]
    assert await store.revoke_qualification(project.id, "p-w2")
    assert not await store.revoke_qualification(project.id, "p-w2"), "once"
    assert await store.held_qualifications("w2", [project.id]) == set()
    assert await store.held_qualifications("w1", [project.id]) == {project.id}


async def test_concurrent_claims_in_an_assessment_give_one_live_question(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(3)]
    project, _ = await assessment(stores[0], 6)
    at = now()
    await start(stores[0], project, "w1", at)
    # two tabs (or more) accept at once: one question, the others none
    claims = await asyncio.gather(
        *(s.claim(Claim(project.id, "w1", "p-w1", gold=True), now=at) for s in stores * 2)
    )
    [question] = [c for c in claims if c is not None]
    live = await stores[1].live_assignment(project.id, "w1")
    assert live is not None and live.id == question.id
    # another worker is not held back; the worker's next question comes once this one is in
    assert await stores[0].claim(Claim(project.id, "w2", "p-w2", gold=True), now=at) is not None
    await stores[0].submit(question.id, Submission(CAT), now=at)
    following = await stores[2].claim(Claim(project.id, "w1", "p-w1", gold=True), now=at)
    assert following is not None and following.task_id != question.task_id
    # a question left past its deadline does not hold the worker back either
    late = following.deadline + 1
    assert await stores[1].claim(Claim(project.id, "w1", "p-w1", gold=True), now=late) is not None


async def test_an_attempt_keeps_its_questions_and_asks_them_in_its_order(store: Store) -> None:
    project, _ = await assessment(store, 6)
    at = now()
    unseen = await store.unseen_question_ids(project.id, "w1", now=at, limit=10)
    assert len(unseen) == 6
    assert await store.unseen_question_ids(project.id, "w1", now=at, limit=4) == unseen[:4]
    order = (unseen[4], unseen[1], unseen[5])  # not the pool's order
    request = AttemptRequest(project.id, "w1", "p-w1", SIZE, COOL, order)
    begun = await store.start_attempt(request, now=at)
    assert begun.state == "open" and begun.attempt is not None
    assert begun.attempt.questions == order
    latest = await store.latest_attempt(project.id, "w1")
    assert latest is not None and latest.questions == order
    asked = []
    for _ in order:
        claim = Claim(project.id, "w1", "p-w1", gold=True, questions=order)
        claimed = await store.claim(claim, now=at)
        assert claimed is not None
        asked.append(claimed.task_id)
        await submit_answer(store, claimed, True, at)
    assert tuple(asked) == order
    finished = await store.latest_attempt(project.id, "w1")
    assert finished is not None and finished.passed is True
    left = await store.unseen_question_ids(project.id, "w1", now=at, limit=10)
    assert left == [q for q in unseen if q not in order], "what the worker had is not offered"
    assert await store.unseen_question_ids(project.id, "w2", now=at, limit=10) == unseen


async def test_a_claim_passes_over_the_questions_the_worker_may_no_longer_take(
    store: Store,
) -> None:
    project, _ = await assessment(store, 5)
    at = now()
    unseen = await store.unseen_question_ids(project.id, "w1", now=at, limit=10)
    order = (unseen[3], unseen[0], unseen[4])
    await store.start_attempt(AttemptRequest(project.id, "w1", "p-w1", SIZE, COOL, order), now=at)
    first = await store.claim(Claim(project.id, "w1", "p-w1", gold=True, questions=order), now=at)
    assert first is not None and first.task_id == order[0]
    await store.return_assignment(first.id, now=at)  # had once: never again
    again = await store.claim(Claim(project.id, "w1", "p-w1", gold=True, questions=order), now=at)
    assert again is not None and again.task_id == order[1]
    await submit_answer(store, again, True, at)
    # none of the list open to a worker: the pool's order, as before attempts chose
    other = await store.claim(
        Claim(project.id, "w2", "p-w2", gold=True, questions=("tsk_gone",)), now=at
    )
    assert other is not None and other.task_id == unseen[0]
