"""The worker's side: what is on offer, claims, submissions, returns and expiry."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Project, Task, new_id, now
from crowdframe_gateway.runtime import Store
from store_world import make_client, make_project, make_tasks


async def test_a_claim_hands_out_tasks_in_order_with_a_deadline(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=600)
    tasks = await make_tasks(store, project, 2)
    at = now()
    first = await store.claim(Claim(project.id, "w1", "p-w1"), now=at)
    assert first is not None
    assert (first.task_id, first.external_id, first.status) == (tasks[0].id, "e0", "accepted")
    assert (first.client_id, first.worker_pseudonym, first.accepted_at) == (client.id, "p-w1", at)
    assert first.deadline == at + 600
    assert await store.get_assignment(first.id) == first
    assert await store.live_assignment(project.id, "w1") == first
    second = await store.claim(Claim(project.id, "w2", "p-w2"), now=at)
    assert second is not None and second.task_id == tasks[1].id
    assert await store.claim(Claim(project.id, "w3", "p-w3"), now=at) is None, "nothing left"


async def test_a_deadline_never_outlives_its_task(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=600)
    [task] = await make_tasks(store, project, 1, lifetime=100)
    claimed = await store.claim(Claim(project.id, "w1", "p"), now=now())
    assert claimed is not None and claimed.deadline == task.expires_at


async def test_nothing_is_claimed_from_a_paused_or_unknown_project(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, status="paused")
    await make_tasks(store, project, 1)
    assert await store.claim(Claim(project.id, "w1", "p"), now=now()) is None
    assert await store.claim(Claim("prj_unknown", "w1", "p"), now=now()) is None
    assert (await store.open_projects("w1", now=now())).items == []


async def test_an_expired_task_is_neither_offered_nor_claimed(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1, lifetime=60)
    later = task.expires_at + 1
    assert await store.peek_task(project.id, "w1", now=later) is None
    assert await store.claim(Claim(project.id, "w1", "p"), now=later) is None
    assert (await store.open_projects("w1", now=later)).items == []


async def test_the_offer_counts_what_this_worker_can_still_take(store: Store) -> None:
    client = await make_client(store)
    active = await make_project(store, client, per_task=2)
    await make_project(store, client)  # no tasks: not offered
    await make_tasks(store, active, 3)
    [(offered, available)] = (await store.open_projects("w1", now=now())).items
    assert (offered.id, available, offered.counts["tasks"]) == (active.id, 3, 3)
    assert await store.claim(Claim(active.id, "w1", "p"), now=now()) is not None
    assert [n for _, n in (await store.open_projects("w1", now=now())).items] == [2]
    assert [n for _, n in (await store.open_projects("w2", now=now())).items] == [3]


async def test_a_peek_shows_the_next_task_without_taking_it(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    tasks = await make_tasks(store, project, 2)
    assert await store.peek_task(project.id, "w1", now=now()) == tasks[0]
    assert await store.peek_task(project.id, "w1", now=now()) == tasks[0]
    claimed = await store.claim(Claim(project.id, "w2", "p"), now=now())
    assert claimed is not None and claimed.task_id == tasks[0].id
    assert await store.peek_task(project.id, "w1", now=now()) == tasks[1]


async def test_a_submission_is_kept_once_and_completes_the_task(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    [task] = await make_tasks(store, project, 1)
    one = await store.claim(Claim(project.id, "w1", "p1"), now=now())
    two = await store.claim(Claim(project.id, "w2", "p2"), now=now())
    assert one is not None and two is not None
    at = now()
    done = await store.submit(one.id, Submission({"label": "cat", "score": 0.25}), now=at)
    assert (done.status, done.submitted_at, done.result) == (
        "submitted",
        at,
        {"label": "cat", "score": 0.25},
    )
    assert await store.live_assignment(project.id, "w1") is None
    still_open = await store.get_task(task.id)
    assert still_open is not None and still_open.status == "open"
    with pytest.raises(Conflict) as again:
        await store.submit(one.id, Submission({"label": "dog"}), now=now())
    assert again.value.code == "already_submitted"
    assert (await store.get_assignment(one.id)).result == {"label": "cat", "score": 0.25}  # type: ignore[union-attr]
    await store.submit(two.id, Submission({"label": "cat"}), now=now())
    completed = await store.get_task(task.id)
    assert completed is not None and completed.status == "completed"
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts == {
        "tasks": 1,
        "open": 0,
        "completed": 1,
        "expired": 0,
    }


async def test_a_submission_after_the_deadline_is_refused(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, duration=60)
    await make_tasks(store, project, 1)
    claimed = await store.claim(Claim(project.id, "w1", "p"), now=now())
    assert claimed is not None
    with pytest.raises(Conflict) as late:
        await store.submit(claimed.id, Submission({}), now=claimed.deadline + 1)
    assert late.value.code == "assignment_closed" and "expired" in late.value.message
    with pytest.raises(NotFound):
        await store.submit("asg_unknown", Submission({}), now=now())


async def test_a_returned_task_goes_to_someone_else_never_back_to_its_worker(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    [task] = await make_tasks(store, project, 1)
    first = await store.claim(Claim(project.id, "w1", "p1"), now=now())
    assert first is not None
    returned = await store.return_assignment(first.id, now=now())
    assert returned.status == "returned"
    assert await store.live_assignment(project.id, "w1") is None
    assert await store.claim(Claim(project.id, "w1", "p1"), now=now()) is None
    assert (await store.open_projects("w1", now=now())).items == []
    other = await store.claim(Claim(project.id, "w2", "p2"), now=now())
    assert other is not None and other.task_id == task.id
    with pytest.raises(Conflict) as closed:
        await store.return_assignment(first.id, now=now())
    assert closed.value.code == "assignment_closed"
    with pytest.raises(Conflict):
        await store.submit(first.id, Submission({}), now=now())


async def test_overdue_assignments_expire_and_free_their_seats(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=3, duration=60)
    await make_tasks(store, project, 1)
    at = now()
    claims = [await store.claim(Claim(project.id, w, w), now=at) for w in ("w1", "w2", "w3")]
    assert await store.claim(Claim(project.id, "w4", "w4"), now=at) is None, "all three seats taken"
    assert await store.expire_assignments(now=at + 59) == 0, "not before the deadline"
    assert await store.expire_assignments(now=at + 61) == 3
    assert await store.expire_assignments(now=at + 62) == 0, "each expires once"
    for claimed in claims:
        assert claimed is not None
        expired = await store.get_assignment(claimed.id)
        assert expired is not None and expired.status == "expired"
    assert await store.claim(Claim(project.id, "w1", "w1"), now=at) is None, "never back to w1"
    assert await store.claim(Claim(project.id, "w4", "w4"), now=at) is not None


async def test_the_newest_live_assignment_is_the_one_a_worker_resumes(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2)
    older = await store.claim(Claim(project.id, "w1", "p"), now=now())
    newer = await store.claim(Claim(project.id, "w1", "p"), now=now())
    assert older is not None and newer is not None
    assert await store.live_assignment(project.id, "w1") == newer
    await store.submit(newer.id, Submission({}), now=now())
    assert await store.live_assignment(project.id, "w1") == older


# -- who may take which task: one table of cases, run on every store --------------------------


@dataclass(frozen=True)
class Offer:
    """Tasks t0, t1, … made in this order, one letter each: ``w`` real work, ``g`` gold,
    ``x`` expired work, ``y`` expired gold, ``r`` a crowd review excluding w1, ``R`` one
    excluding w2. ``history``: ``"<worker> <claim|gold|return|submit>"`` or ``"expire"`` (every
    live assignment lapses). Then what w1 is offered (task count), previewed and given (asking
    for gold with ``gold``), ``later`` seconds on (the assignments last 600)."""

    tasks: str
    history: tuple[str, ...] = ()
    offered: int = 0
    peek: str | None = None
    claim: str | None = None
    gold: bool = False
    later: float = 0
    project: dict[str, object] = field(default_factory=dict)


OFFERS = {
    "the first task in order": Offer("ww", offered=2, peek="t0", claim="t0"),
    "a task whose seats are taken is skipped": Offer(
        "ww", ("w2 claim",), offered=1, peek="t1", claim="t1"
    ),
    "a task with a seat left is given": Offer(
        "w", ("w2 claim",), offered=1, peek="t0", claim="t0", project={"per_task": 2}
    ),
    "a seat given back is free again": Offer(
        "w", ("w2 claim", "w2 return"), offered=1, peek="t0", claim="t0"
    ),
    "a returned task never comes back": Offer("w", ("w1 claim", "w1 return")),
    "an expired assignment's task never comes back": Offer("w", ("w1 claim", "expire")),
    "a submitted task never comes back": Offer(
        "w", ("w1 claim", "w1 submit"), project={"per_task": 2}
    ),
    "a live assignment does not hold back real work": Offer(
        "ww", ("w1 claim",), offered=1, peek="t1", claim="t1"
    ),
    "an expired task is skipped": Offer("xw", offered=1, peek="t1", claim="t1"),
    "nothing but expired tasks": Offer("xx"),
    "the review of the worker's own answer is skipped": Offer(
        "rw", offered=1, peek="t1", claim="t1"
    ),
    "only the review of the worker's own answer": Offer("r"),
    "the review of someone else's answer is given": Offer("R", offered=1, peek="t0", claim="t0"),
    "gold first when asked": Offer("wg", offered=1, peek="t0", claim="t1", gold=True),
    "no gold unless asked": Offer("gw", offered=1, peek="t1", claim="t1"),
    "a gold task had already is not given again": Offer(
        "gw", ("w1 gold",), offered=1, peek="t1", claim="t1", gold=True
    ),
    "a gold task has no seat limit": Offer("g", ("w2 gold",), claim="t0", gold=True),
    "an expired gold task is skipped": Offer("yw", offered=1, peek="t1", claim="t1", gold=True),
    "a paused project gives nothing": Offer("w", project={"status": "paused"}),
    "an assessment gives one live question at a time": Offer(
        "gg", ("w1 gold",), gold=True, project={"kind": "assessment"}
    ),
    "a question past its deadline holds no one back": Offer(
        "gg", ("w1 gold",), claim="t1", gold=True, later=601, project={"kind": "assessment"}
    ),
    "a lapsed question holds no one back": Offer(
        "gg", ("w1 gold", "expire"), claim="t1", gold=True, project={"kind": "assessment"}
    ),
}


async def _offer_tasks(store: Store, project: Project, letters: str, at: float) -> None:
    for n, letter in enumerate(letters):
        task = Task(
            new_id("tsk"),
            project.id,
            f"t{n}",
            {"n": n},
            "open",
            at,
            at - 1 if letter in "xy" else at + 3600,
            gold={"label": "cat"} if letter in "gy" else None,
        )
        if letter in "rR":
            await store.add_review_task(task, excluded_worker="w1" if letter == "r" else "w2")
        else:
            await store.add_tasks(project.client_id, project.id, TaskBatch([task], "h"))


@pytest.mark.parametrize("case", OFFERS.values(), ids=OFFERS.keys())
async def test_who_may_take_which_task(store: Store, case: Offer) -> None:
    client = await make_client(store)
    project = await make_project(store, client, **case.project)  # type: ignore[arg-type]
    at = now()
    await _offer_tasks(store, project, case.tasks, at)
    for step in case.history:
        worker, _, action = step.partition(" ")
        if worker == "expire":
            await store.expire_assignments(now=at + 601)
        elif action in ("claim", "gold"):
            taken = await store.claim(
                Claim(project.id, worker, worker, gold=action == "gold"), now=at
            )
            assert taken is not None, step
        else:
            live = await store.live_assignment(project.id, worker)
            assert live is not None, step
            if action == "return":
                await store.return_assignment(live.id, now=at)
            else:
                await store.submit(live.id, Submission({"label": "cat"}), now=at)
    asked = at + case.later
    offered = {p.id: n for p, n in (await store.open_projects("w1", now=asked)).items}
    assert offered.get(project.id, 0) == case.offered
    assert (project.id in offered) == (case.offered > 0), "offered only with a task to take"
    peeked = await store.peek_task(project.id, "w1", now=asked)
    assert (peeked and peeked.external_id) == case.peek
    claimed = await store.claim(Claim(project.id, "w1", "p-w1", gold=case.gold), now=asked)
    assert (claimed and claimed.external_id) == case.claim
