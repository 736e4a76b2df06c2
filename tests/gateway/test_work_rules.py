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


# a lease claimed at 1000 with a deadline of 1600, in a project that extends it by 300 on each
# heartbeat, to at most 3600 after the claim; its task lives until 9000
LEASE = {"deadline": 1600.0, "accepted_at": 1000.0, "task_expires_at": 9000.0}


@pytest.mark.parametrize(
    ("now", "changes", "deadline"),
    [
        (1400.0, {}, 1700.0),  # 300 after the heartbeat
        (1200.0, {}, None),  # would be earlier than it is: stays
        (1310.0, {}, None),  # later by 10 s only: not worth a write (HEARTBEAT_MIN_GAP)
        (1320.0, {}, 1620.0),  # later by 20 s: written
        (1600.0, {}, 1900.0),  # at the deadline itself: still live
        (1600.5, {}, None),  # past it: the lease is over, a heartbeat does not revive it
        (1400.0, {"extension": 0.0}, None),  # the project extends nothing
        (4500.0, {"deadline": 4500.0}, 4600.0),  # capped: 3600 after the claim
        (4590.0, {"deadline": 4590.0}, 4600.0),  # the last 10 s up to the cap: written once
        (4595.0, {"deadline": 4600.0}, None),  # at the cap already
        (1400.0, {"task_expires_at": 1680.0}, 1680.0),  # never after its task
        (1400.0, {"task_expires_at": 1610.0}, 1610.0),
        (1400.0, {"task_expires_at": 1600.0}, None),
    ],
)
def test_a_heartbeat_moves_a_live_deadline_on_up_to_the_longest_lease(
    now: float, changes: dict[str, float], deadline: float | None
) -> None:
    terms = {"extension": 300.0, "longest": 3600.0, **LEASE, **changes}
    assert rules.heartbeat_deadline(now, **terms) == deadline


@pytest.mark.parametrize(
    ("status", "deadline", "held"),
    [
        ("accepted", 1000.0, True),  # at its deadline: may still submit
        ("accepted", 1001.0, True),
        ("accepted", 999.0, False),  # ran out (the sweep expires it)
        ("submitted", 2000.0, False),
        ("returned", 2000.0, False),
        ("expired", 2000.0, False),
    ],
)
def test_an_assignment_holds_its_task_while_it_may_still_be_submitted(
    status: str, deadline: float, held: bool
) -> None:
    assert rules.holds(status, deadline, 1000.0) is held


@pytest.mark.parametrize(
    ("status", "expires_at", "held", "expires"),
    [
        ("open", 1000.0, False, True),  # at the end of its lifetime
        ("open", 900.0, False, True),
        ("open", 1000.5, False, False),  # still alive
        ("open", 900.0, True, False),  # a worker on it may still answer: later
        ("completed", 900.0, False, False),
        ("cancelled", 900.0, False, False),
        ("expired", 900.0, False, False),  # once
    ],
)
def test_the_sweep_expires_an_open_task_past_its_lifetime_that_nobody_holds(
    status: str, expires_at: float, held: bool, expires: bool
) -> None:
    assert rules.task_expires(status, expires_at, 1000.0, held=held) is expires
