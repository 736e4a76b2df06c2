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


@pytest.mark.parametrize(
    ("counts", "limit", "more", "items", "cursor"),
    [
        ([], 2, False, [], None),  # no active project at all
        ([1, 0, 3], 2, False, [("p1", 1), ("p3", 3)], None),  # full at the very end
        ([1, 0, 3, 0], 2, False, [("p1", 1), ("p3", 3)], None),  # nothing could follow
        ([1, 3, 0, 2], 2, False, [("p1", 1), ("p2", 3)], "2"),  # full, work examined after
        ([1, 3], 2, True, [("p1", 1), ("p2", 3)], "2"),  # full, more projects after
        ([0, 0, 5], 2, False, [("p3", 5)], None),  # the end before the page is full
        ([0, 0, 0], 2, True, [], "3"),  # the scan ran out: go on after the last examined
        ([0, 4, 0], 2, True, [("p2", 4)], "3"),
    ],
)
def test_a_task_list_page_is_the_first_projects_with_work_and_a_cursor_after_them(
    counts: list[int], limit: int, more: bool, items: list[tuple[str, int]], cursor: str | None
) -> None:
    counted = [(f"p{seq}", seq, n) for seq, n in enumerate(counts, start=1)]
    page = rules.task_list_page(counted, limit=limit, more=more)
    assert (page.items, page.next_cursor) == (items, cursor)
    assert rules.task_list_full(counted, limit) is (len(items) == limit)


def test_a_task_list_page_examines_a_bounded_number_of_projects() -> None:
    assert rules.TASK_LIST_PAGE == 50
    assert rules.task_list_scan(rules.TASK_LIST_PAGE) == 250
