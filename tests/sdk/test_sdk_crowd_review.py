"""The SDK's crowd review fields against a real gateway app: a client turns crowd review on,
reads the review project, and sees what the crowd made of an answer."""

from __future__ import annotations

import pytest

import crowdframe
from harness import Gateway


async def test_a_client_turns_crowd_review_on_and_reads_the_crowds_verdict(
    gateway: Gateway, sdk: crowdframe.AsyncClient
) -> None:
    project = await sdk.create_project(
        title="Label it",
        task_url="http://localhost:8001/task",
        reward_cents=30,
        crowd_review={"task_url": "http://localhost:8001/review", "reward_cents": 5,
                      "estimated_seconds": 10, "reviewers": 1},
    )  # fmt: skip
    assert project.kind == "work" and project.crowd_review is not None
    assert project.crowd_review.reviewers == 1 and project.review_project_id
    review = await sdk.get_project(project.review_project_id)
    assert (review.kind, review.parent_project_id) == ("review", project.id)
    assert review.task_url == "http://localhost:8001/review"
    await sdk.add_tasks(project.id, [{"external_id": "t1", "input": {"n": 1}}])
    alice = await gateway.worker("alice@example.org")
    answer = await alice.accept(project.id)
    await alice.submit(answer, {"label": "cat"})
    assert (await sdk.get_assignment(answer)).crowd_review == crowdframe.CrowdReviewStatus(
        status="pending",
        votes={},
        review_task_id=(await sdk.get_assignment(answer)).crowd_review.review_task_id,  # type: ignore[union-attr]
    )
    bob = await gateway.worker("bob@example.org")
    await bob.submit(await bob.accept(review.id), {"verdict": "reject", "reason": "a dog"})
    judged = await sdk.get_assignment(answer)
    assert judged.status == "rejected" and judged.crowd_review is not None
    assert (judged.crowd_review.status, judged.crowd_review.votes) == ("rejected", {"reject": 1})
    assert judged.crowd_review.reasons == ["a dog"]
    with pytest.raises(crowdframe.ValidationError) as refused:
        await sdk.update_project(project.id, crowd_review={"reviewers": 7})
    assert refused.value.field == "crowd_review.reviewers"
    off = await sdk.update_project(project.id, crowd_review=None)
    assert off.crowd_review is None and off.review_project_id == review.id
    assert (await sdk.get_project(review.id)).status == "paused"
