"""The SDK's assessment methods against a real gateway app: a client creates a qualification
test and a project that needs it, reads who took it, and revokes a qualification."""

from __future__ import annotations

import pytest

import crowdframe
from harness import ApiClient, Gateway

TASK_URL = "http://localhost:8001/task"


async def test_a_client_runs_a_qualification_test_and_reads_the_attempts(
    gateway: Gateway, api: ApiClient, sdk: crowdframe.AsyncClient
) -> None:
    test = await sdk.create_project(
        title="Reading test", task_url=TASK_URL, reward_cents=0, estimated_seconds=30,
        kind="assessment", test_size=2, pass_score=0.5, retry_after_seconds=0,
    )  # fmt: skip
    assert (test.kind, test.test_size, test.pass_score, test.reward_cents) == (
        "assessment", 2, 0.5, 0,
    )  # fmt: skip
    questions = [{"external_id": f"q{n}", "input": {}, "gold": {"ok": True}} for n in range(4)]
    await sdk.add_tasks(test.id, questions)
    work = await sdk.create_project(
        title="Label", task_url=TASK_URL, reward_cents=30, qualifications=[test.id],
        skills=["reading"],
    )  # fmt: skip
    assert (work.qualifications, work.skills) == ([test.id], ["reading"])
    with pytest.raises(crowdframe.ValidationError) as refused:
        await sdk.add_tasks(test.id, [{"external_id": "plain", "input": {}}])
    assert refused.value.field == "tasks[0].gold"

    worker = gateway.browser()
    await worker.sign_up(skills="reading")
    for answers in ([{"ok": False}, {"ok": False}], [{"ok": True}, {"ok": False}]):
        assignment = await worker.accept(test.id)
        for answer in answers:
            assignment = (await worker.submit(assignment, answer))["next_url"].rsplit("/", 1)[1]

    page = await sdk.list_qualification_attempts(test.id, limit=1)
    assert [(a.attempt, a.correct, a.passed) for a in page] == [(1, 0, False)]
    every = [a async for a in sdk.iter_qualification_attempts(test.id, limit=1)]
    assert [(a.attempt, a.score, a.passed) for a in every] == [(1, 0.0, False), (2, 0.5, True)]
    assert every[1].finished_at is not None and every[1].worker_id == every[0].worker_id
    await sdk.revoke_qualification(test.id, every[1].worker_id)
    with pytest.raises(crowdframe.NotFoundError):
        await sdk.revoke_qualification(test.id, every[1].worker_id)
    with pytest.raises(crowdframe.ValidationError):
        await sdk.list_qualification_attempts(work.id)


def test_the_sync_client_has_the_same_assessment_methods() -> None:
    for name in ("list_qualification_attempts", "iter_qualification_attempts",
                 "revoke_qualification"):  # fmt: skip
        assert callable(getattr(crowdframe.Client, name))
        assert callable(getattr(crowdframe.AsyncClient, name))
