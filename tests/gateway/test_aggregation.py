"""When every worker of a task is in, task.completed carries the majority answer per field."""

from __future__ import annotations

from crowdframe_gateway.core.agreement import aggregate
from harness import ON_BOTH_STORES, ApiClient, Gateway


def test_the_majority_wins_and_its_share_is_the_agreement() -> None:
    summary = aggregate(
        [
            {"sentiment": "positive", "sarcastic": False, "notes": ["a"]},
            {"sentiment": "Positive ", "sarcastic": True},
            {"sentiment": "negative", "sarcastic": False},
        ]
    )
    assert summary["sentiment"] == {
        "value": "positive",
        "agreement": 0.6667,
        "votes": {"positive": 2, "negative": 1},
    }
    assert summary["sarcastic"]["value"] is False
    assert "notes" not in summary, "lists are left to the client"


def test_a_tie_has_no_winner() -> None:
    summary = aggregate([{"label": "cat"}, {"label": "dog"}])
    assert summary["label"]["value"] is None
    assert summary["label"]["agreement"] == 0.5


@ON_BOTH_STORES
async def test_task_completed_carries_every_answer_and_the_aggregate(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(assignments_per_task=3, tasks=1)
    for n, answer in enumerate(["positive", "positive", "neutral"]):
        worker = await gateway.worker(f"w{n}@example.org")
        assignment_id = await worker.accept(project["id"])
        await worker.submit(assignment_id, {"sentiment": answer})
    completed = await api.events("task.completed")
    assert len(completed) == 1, "one task.completed, after the third answer"
    data = completed[0]
    assert [s["result"]["sentiment"] for s in data["submissions"]] == [
        "positive",
        "positive",
        "neutral",
    ]
    assert data["aggregate"]["sentiment"]["value"] == "positive"
    assert data["aggregate"]["sentiment"]["agreement"] == 0.6667


@ON_BOTH_STORES
async def test_disagreement_brings_in_one_more_worker_up_to_the_maximum(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(
        assignments_per_task=2, agreement_min=0.6, assignments_max=3, tasks=1
    )

    async def answer(n: int, label: str) -> None:
        worker = await gateway.worker(f"w{n}@example.org")
        assignment_id = await worker.accept(project["id"])
        await worker.submit(assignment_id, {"label": label})

    await answer(0, "cat")
    await answer(1, "dog")
    tie = "a tie (50 %) is below 60 %: a third worker is asked"
    assert await api.events("task.completed") == [], tie
    await answer(2, "cat")
    [data] = await api.events("task.completed")
    assert data["aggregate"]["label"] == {
        "value": "cat",
        "agreement": 0.6667,
        "votes": {"cat": 2, "dog": 1},
    }
    late = await gateway.worker("late@example.org")
    assert f"/work/projects/{project['id']}/preview" not in (await late.get("/work")).text


async def test_the_maximum_must_allow_the_asked_number(api: ApiClient) -> None:
    answer = await api.post_project(assignments_per_task=3, assignments_max=2)
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "assignments_max"
