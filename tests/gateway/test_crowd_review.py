"""Crowd review: other workers check each answer on the client's review page; their majority
verdict approves or rejects it as the client's own review would, unless the client was first."""

from __future__ import annotations

from typing import Any

import pytest

from crowdframe_gateway import background
from crowdframe_gateway.core.params import ReviewDecision, Submission
from crowdframe_gateway.core.records import now
from crowdframe_gateway.review import verdicts as crowd_verdicts
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway
from store_world import recorded_events

pytestmark = ON_BOTH_STORES
REVIEW_URL = "http://localhost:8001/review"


def crowd(**fields: Any) -> dict[str, Any]:
    return {"task_url": REVIEW_URL, "reward_cents": 5, "estimated_seconds": 10, **fields}


async def reviewed_project(api: ApiClient, tasks: int = 1, **crowd_fields: Any) -> Any:
    project = await api.project(crowd_review=crowd(**crowd_fields))
    await api.tasks(project["id"], tasks)
    return project


async def answer(
    gateway: Gateway, project: Any, email: str, result: dict[str, Any]
) -> tuple[Browser, str]:
    worker = await gateway.worker(email)
    assignment_id = await worker.accept(project["id"])
    await worker.submit(assignment_id, result)
    return worker, assignment_id


async def vote(
    gateway: Gateway, review_project_id: str, email: str, verdict: dict[str, Any]
) -> tuple[Browser, str]:
    reviewer = await gateway.worker(email)
    assignment_id = await reviewer.accept(review_project_id)
    await reviewer.submit(assignment_id, verdict)
    return reviewer, assignment_id


async def events(gateway: Gateway, api: ApiClient, type: str) -> list[dict[str, Any]]:
    return await recorded_events(gateway.rt.store, api.made.client, type)


async def earned(gateway: Gateway, email: str) -> list[str]:
    worker = await gateway.rt.store.worker_by_email(email)
    assert worker is not None
    return [c.assignment_id for c in await gateway.rt.store.earnings(worker.id)]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ("yes", "crowd_review"),
        (crowd(reviewers=0), "crowd_review.reviewers"),
        (crowd(reviewers=6), "crowd_review.reviewers"),
        (crowd(colour="red"), "crowd_review.colour"),
        ({"reward_cents": 5}, "crowd_review.task_url"),
        (crowd(task_url="http://127.0.0.1:8000/mine"), "crowd_review.task_url"),
        (crowd(task_url="http://reviews.example.org/"), "crowd_review.task_url"),
        (crowd(languages=["klingon"]), "crowd_review.languages"),
        (crowd(min_gold_accuracy=0.8), "crowd_review.min_gold_accuracy"),
        (
            crowd(countries=["DE"], reward_cents=1, estimated_seconds=600),
            "crowd_review.reward_cents",
        ),
    ],
)
async def test_bad_crowd_review_settings_are_refused_naming_the_field(
    api: ApiClient, settings: Any, field: str
) -> None:
    body = {"title": "Label it", "task_url": "http://localhost:8001/task", "reward_cents": 30}
    refused = await api.call("POST", "/projects", json={**body, "crowd_review": settings})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == field
    if field == "crowd_review.reward_cents":
        assert refused.json()["error"]["code"] == "below_minimum_wage"
    assert (await api.call("GET", "/projects")).json()["data"] == [], "nothing was created"


READING_TEST = {
    "title": "Reading test",
    "task_url": "http://localhost:8001/task",
    "reward_cents": 0,
    "kind": "assessment",
    "test_size": 2,
    "estimated_seconds": 20,
}


async def test_an_assessment_cannot_have_crowd_review(api: ApiClient) -> None:
    refused = await api.call("POST", "/projects", json={**READING_TEST, "crowd_review": crowd()})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["field"] == "crowd_review"
    assert (await api.call("GET", "/projects")).json()["data"] == [], "nothing was created"


async def test_reviewers_need_the_work_projects_skills_and_passed_tests(api: ApiClient) -> None:
    test = await api.call("POST", "/projects", json=READING_TEST)
    assert test.status_code == 201, test.text
    project = await api.project(
        skills=["transcription"], qualifications=[test.json()["id"]], crowd_review=crowd()
    )
    review = (await api.call("GET", f"/projects/{project['review_project_id']}")).json()
    assert review["skills"] == ["transcription"]
    assert review["qualifications"] == [test.json()["id"]]


async def test_crowd_review_makes_a_review_project_that_follows_its_work_project(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(languages=["de"], crowd_review=crowd(reviewers=3))
    review_id = project["review_project_id"]
    assert project["crowd_review"]["reviewers"] == 3 and review_id
    listed = {p["id"]: p for p in (await api.call("GET", "/projects")).json()["data"]}
    review = listed[review_id]
    assert review["kind"] == "review" and listed[project["id"]]["kind"] == "work"
    assert review["parent_project_id"] == project["id"]
    assert review["task_url"] == REVIEW_URL and review["assignments_per_task"] == 3
    assert review["reward_cents"] == 5 and review["languages"] == ["de"], "the work's rules"
    for method, path, body in (
        ("PATCH", f"/projects/{review_id}", {"title": "mine now"}),
        ("POST", f"/projects/{review_id}/tasks", {"tasks": [{"external_id": "x"}]}),
    ):
        refused = await api.call(method, path, json=body)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "review_project"
    changed = await api.call(
        "PATCH", f"/projects/{project['id']}", json={"crowd_review": {"reviewers": 1}}
    )
    assert changed.status_code == 200 and changed.json()["crowd_review"]["reward_cents"] == 5
    after = (await api.call("GET", f"/projects/{review_id}")).json()
    assert after["assignments_per_task"] == 1 and after["status"] == "active"
    off = await api.call("PATCH", f"/projects/{project['id']}", json={"crowd_review": None})
    assert off.json()["crowd_review"] is None and off.json()["review_project_id"] == review_id
    assert (await api.call("GET", f"/projects/{review_id}")).json()["status"] == "paused"
    on = await api.call("PATCH", f"/projects/{project['id']}", json={"crowd_review": crowd()})
    assert on.json()["review_project_id"] == review_id, "the same review project again"
    assert (await api.call("GET", f"/projects/{review_id}")).json()["status"] == "active"
    bad = await api.call(
        "PATCH", f"/projects/{project['id']}", json={"crowd_review": {"reviewers": 9}}
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "crowd_review.reviewers"


async def test_the_crowd_rejects_an_answer_as_the_client_would(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await reviewed_project(api)
    review_id = project["review_project_id"]
    alice, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    assert f"/work/projects/{review_id}/preview" not in (await alice.get("/work")).text
    refused = await alice.post_form(f"/work/projects/{review_id}/accept", {})
    assert refused.headers.get("location", "").startswith("/work?"), "nothing for her to review"
    _, first = await vote(
        gateway, review_id, "bob@example.org", {"verdict": "reject", "reason": "a dog"}
    )
    seen = (await api.call("GET", f"/assignments/{first}")).json()
    task = (await api.call("GET", f"/tasks/{seen['task_id']}")).json()
    assert task["input"] == {
        "assignment_id": answer_id,
        "task": {"n": 0},
        "result": {"label": "cat"},
    }
    pending = (await api.call("GET", f"/assignments/{answer_id}")).json()
    assert pending["status"] == "submitted"
    assert pending["crowd_review"]["status"] == "pending"
    assert pending["crowd_review"]["votes"] == {"reject": 1}
    await vote(
        gateway, review_id, "carol@example.org", {"verdict": "reject", "reason": "not a cat"}
    )
    done = (await api.call("GET", f"/assignments/{answer_id}")).json()
    assert done["status"] == "rejected"
    assert done["reject_reason"] == "Rejected by crowd review (2 of 2 reviewers): a dog; not a cat"
    assert done["crowd_review"]["status"] == "rejected"
    assert done["crowd_review"]["votes"] == {"reject": 2}
    [rejected] = await events(gateway, api, "assignment.rejected")
    assert rejected["assignment_id"] == answer_id and rejected["reviewed_by"] == "crowd"
    assert rejected["crowd_review"] == {"votes": {"reject": 2}}
    [told] = await events(gateway, api, "assignment.crowd_reviewed")
    assert told["assignment_id"] == answer_id and told["status"] == "rejected"
    assert await earned(gateway, "alice@example.org") == [], "rejected work earns nothing"
    client_reject = await api.call("POST", f"/assignments/{first}/reject", json={"reason": "lazy"})
    assert client_reject.json()["status"] == "rejected", "reviews are reviewable work too"


async def test_an_approving_crowd_credits_the_answer_once(gateway: Gateway, api: ApiClient) -> None:
    project = await reviewed_project(api, reviewers=3)
    review_id = project["review_project_id"]
    _, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    for name, verdict in (("bob", "approve"), ("carol", "reject"), ("dave", "approve")):
        await vote(gateway, review_id, f"{name}@example.org", {"verdict": verdict})
    done = (await api.call("GET", f"/assignments/{answer_id}")).json()
    assert done["status"] == "approved" and done["crowd_review"]["status"] == "approved"
    assert done["crowd_review"]["votes"] == {"approve": 2, "reject": 1}
    [approved] = await events(gateway, api, "assignment.approved")
    assert approved["reviewed_by"] == "crowd" and approved["assignment_id"] == answer_id
    await gateway.rt.store.schedule_crowd_review(answer_id, at=now())  # a repeated settling
    await crowd_verdicts.sweep(gateway.rt)
    await api.call("POST", f"/assignments/{answer_id}/approve")
    assert await earned(gateway, "alice@example.org") == [answer_id], "credited once"
    assert len(await events(gateway, api, "assignment.approved")) == 1


async def test_the_client_who_reviewed_first_wins(gateway: Gateway, api: ApiClient) -> None:
    project = await reviewed_project(api)
    review_id = project["review_project_id"]
    _, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    bob = await gateway.worker("bob@example.org")
    started = await bob.accept(review_id)  # a reviewer took it: the review runs on
    approved = await api.call("POST", f"/assignments/{answer_id}/approve")
    assert approved.json()["status"] == "approved"
    await bob.submit(started, {"verdict": "reject"})
    await vote(gateway, review_id, "carol@example.org", {"verdict": "reject"})
    reviews = (await api.call("GET", f"/assignments?project_id={review_id}")).json()["data"]
    assert sorted(r["status"] for r in reviews) == ["submitted", "submitted"], "paid on approval"
    done = (await api.call("GET", f"/assignments/{answer_id}")).json()
    assert done["status"] == "approved" and done["crowd_review"]["status"] == "overridden"
    assert done["crowd_review"]["verdict"] == "reject", "the crowd's verdict is kept"
    assert await events(gateway, api, "assignment.rejected") == []
    [mine] = await events(gateway, api, "assignment.approved")
    assert mine["reviewed_by"] == "client"
    [told] = await events(gateway, api, "assignment.crowd_reviewed")
    assert told["status"] == "overridden"
    assert await earned(gateway, "alice@example.org") == [answer_id]


async def test_a_tie_is_left_to_the_client(gateway: Gateway, api: ApiClient) -> None:
    project = await reviewed_project(api)
    review_id = project["review_project_id"]
    _, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    await vote(gateway, review_id, "bob@example.org", {"verdict": "approve"})
    await vote(gateway, review_id, "carol@example.org", {"verdict": "reject", "reason": "?"})
    left = (await api.call("GET", f"/assignments/{answer_id}")).json()
    assert left["status"] == "submitted"
    assert left["crowd_review"] | {"review_task_id": None} == {
        "status": "tie",
        "verdict": None,
        "votes": {"approve": 1, "reject": 1},
        "reasons": [],
        "review_task_id": None,
    }
    [told] = await events(gateway, api, "assignment.crowd_reviewed")
    assert told["status"] == "tie" and told["votes"] == {"approve": 1, "reject": 1}
    assert await events(gateway, api, "assignment.approved") == []
    rejected = await api.call("POST", f"/assignments/{answer_id}/reject", json={"reason": "mine"})
    assert rejected.json()["status"] == "rejected"


async def test_a_review_page_may_submit_only_a_verdict(gateway: Gateway, api: ApiClient) -> None:
    project = await reviewed_project(api)
    await answer(gateway, project, "alice@example.org", {"label": "cat"})
    reviewer = await gateway.worker("bob@example.org")
    assignment_id = await reviewer.accept(project["review_project_id"])
    for result, field in (
        ({"label": "cat"}, "result.label"),
        ({}, "result.verdict"),
        ({"verdict": "maybe"}, "result.verdict"),
        ({"verdict": "reject", "reason": 3}, "result.reason"),
    ):
        refused = await reviewer.http.post(
            f"/work/assignments/{assignment_id}/submit",
            json={"result": result},
            headers={"x-csrf-token": reviewer.csrf},
        )
        assert refused.status_code == 422 and refused.json()["error"]["field"] == field
    assert (await reviewer.submit(assignment_id, {"verdict": "approve"}))["status"] == "submitted"


async def test_reviewers_must_meet_the_review_rules(gateway: Gateway, api: ApiClient) -> None:
    project = await reviewed_project(api, languages=["fr"])
    review_id = project["review_project_id"]
    await answer(gateway, project, "alice@example.org", {"label": "cat"})
    german = await gateway.worker("bob@example.org")
    assert f"/work/projects/{review_id}/preview" not in (await german.get("/work")).text
    refused = await german.post_form(f"/work/projects/{review_id}/accept", {})
    assert refused.status_code == 403
    french = await gateway.worker("marie@example.org", languages=("fr",))
    assert f"/work/projects/{review_id}/preview" in (await french.get("/work")).text


async def test_reviewers_may_need_a_good_gold_record_in_the_work_project(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(
        gold_ratio=1.0, gold_min_answers=1, crowd_review=crowd(min_gold_accuracy=0.8)
    )
    review_id = project["review_project_id"]
    tasks = [{"external_id": "real", "input": {"n": 1}},
             {"external_id": "gold", "input": {"n": 2}, "gold": {"label": "cat"}}]  # fmt: skip
    added = await api.call("POST", f"/projects/{project['id']}/tasks", json={"tasks": tasks})
    assert added.status_code == 201
    alice, graded = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    real = await alice.submit(await alice.accept(project["id"]), {"label": "cat"})
    assert real["status"] == "submitted" and graded  # a gold answer first, then the real one
    right, wrong = await gateway.worker("bob@example.org"), await gateway.worker("eve@example.org")
    for worker, label in ((right, "cat"), (wrong, "dog")):
        await worker.submit(await worker.accept(project["id"]), {"label": label})
    newcomer = await gateway.worker("new@example.org")
    for worker, may in ((right, True), (wrong, False), (newcomer, False)):
        listed = f"/work/projects/{review_id}/preview" in (await worker.get("/work")).text
        assert listed is may
    refused = await wrong.post_form(f"/work/projects/{review_id}/accept", {})
    assert refused.status_code == 403


async def test_a_review_lost_to_a_crash_after_the_submission_is_opened_by_the_sweep(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await reviewed_project(api, tasks=2)
    review_id = project["review_project_id"]
    alice = await gateway.worker("alice@example.org")
    assignment_id = await alice.accept(project["id"])
    # the submission is stored, then the process dies before it opens the review task
    await gateway.rt.store.submit(assignment_id, Submission({"label": "cat"}), now=now())
    assert (await api.call("GET", f"/projects/{review_id}")).json()["counts"]["tasks"] == 0
    assert (await api.call("GET", f"/assignments/{assignment_id}")).json()["crowd_review"] is None
    assert await crowd_verdicts.sweep(gateway.rt) == 1
    assert await crowd_verdicts.sweep(gateway.rt) == 0, "looked at again only later"
    assert (await api.call("GET", f"/projects/{review_id}")).json()["counts"]["tasks"] == 1
    await vote(gateway, review_id, "bob@example.org", {"verdict": "reject"})
    # the last verdict is stored, then the process dies before settling it
    reviewer = await gateway.worker("carol@example.org")
    last = await reviewer.accept(review_id)
    await gateway.rt.store.submit(last, Submission({"verdict": "reject"}), now=now())
    assert (await api.call("GET", f"/assignments/{assignment_id}")).json()["status"] == "submitted"
    await gateway.rt.store.schedule_crowd_review(assignment_id, at=now())  # its next look
    await crowd_verdicts.sweep(gateway.rt)
    done = (await api.call("GET", f"/assignments/{assignment_id}")).json()
    assert done["status"] == "rejected" and done["crowd_review"]["status"] == "rejected"
    assert await gateway.rt.store.crowd_reviews_due(now=now() + 10**6, limit=10) == []


async def cancelled_review(
    gateway: Gateway, api: ApiClient, answer_id: str, review_id: str
) -> None:
    """The answer's review task is cancelled, offered to no reviewer, and the client told."""
    crowd = (await api.call("GET", f"/assignments/{answer_id}")).json()["crowd_review"]
    assert crowd["status"] == "cancelled" and crowd["votes"] == {}
    task = (await api.call("GET", f"/tasks/{crowd['review_task_id']}")).json()
    assert task["status"] == "cancelled"
    assert (await api.call("GET", f"/projects/{review_id}")).json()["counts"]["open"] == 0
    bob = await gateway.worker("bob@example.org")
    assert f"/work/projects/{review_id}/preview" not in (await bob.get("/work")).text
    refused = await bob.post_form(f"/work/projects/{review_id}/accept", {})
    assert not refused.headers.get("location", "").startswith("/work/assignments/")
    [told] = await events(gateway, api, "assignment.crowd_reviewed")
    assert told["assignment_id"] == answer_id and told["status"] == "cancelled"
    assert await gateway.rt.store.crowd_reviews_due(now=now() + 10**6, limit=10) == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/assignments/{id}/approve", None),
        ("/assignments/{id}/reject", {"reason": "not a cat"}),
        ("/assignments/approve", {"ids": ["{id}"]}),
        ("/assignments/reject", {"ids": ["{id}"], "reason": "not a cat"}),
    ],
)
async def test_a_review_nobody_started_is_cancelled_when_the_client_reviews_first(
    gateway: Gateway, api: ApiClient, path: str, body: dict[str, Any] | None
) -> None:
    project = await reviewed_project(api)
    _, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    if body is not None and "ids" in body:
        body = {**body, "ids": [answer_id]}
    reviewed = await api.call("POST", path.format(id=answer_id), json=body)
    assert reviewed.status_code == 200, reviewed.text
    await cancelled_review(gateway, api, answer_id, project["review_project_id"])


async def test_approval_by_the_delay_cancels_a_review_nobody_started(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(crowd_review=crowd(), auto_approve_delay=60, tasks=1)
    _, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    assert await background.approve_overdue(gateway.rt, at=now() + 61) == 1
    assert (await api.call("GET", f"/assignments/{answer_id}")).json()["status"] == "approved"
    await cancelled_review(gateway, api, answer_id, project["review_project_id"])
    assert await earned(gateway, "alice@example.org") == [answer_id]


async def test_a_cancel_lost_to_a_crash_after_the_review_is_made_by_the_sweep(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await reviewed_project(api)
    _, answer_id = await answer(gateway, project, "alice@example.org", {"label": "cat"})
    # the client's approval is stored, then the process dies before cancelling the review
    await gateway.rt.store.review(answer_id, ReviewDecision(approve=True), now=now())
    await gateway.rt.store.schedule_crowd_review(answer_id, at=now())  # its next look
    await crowd_verdicts.sweep(gateway.rt)
    await cancelled_review(gateway, api, answer_id, project["review_project_id"])
