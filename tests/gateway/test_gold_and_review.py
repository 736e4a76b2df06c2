"""Gold questions stop careless workers; clients block workers and review in bulk."""

from __future__ import annotations

from typing import Any

from crowdframe_gateway.core.records import now
from harness import ON_BOTH_STORES, ApiClient, Gateway


async def gold_project(api: ApiClient, **fields: Any) -> str:
    settings = {"gold_ratio": 1.0, "gold_min_answers": 2, "gold_min_accuracy": 0.6, **fields}
    project = await api.project(**settings)
    tasks = [{"external_id": f"real-{i}", "input": {"n": i}} for i in range(6)]
    tasks += [
        {"external_id": f"gold-{i}", "input": {"n": 100 + i}, "gold": {"label": "cat"}}
        for i in range(4)
    ]
    added = await api.call("POST", f"/projects/{project['id']}/tasks", json={"tasks": tasks})
    assert added.status_code == 201
    gold = [t for t in added.json()["tasks"] if t["gold"] is not None]
    assert len(gold) == 4 and gold[0]["gold"] == {"label": "cat"}
    return str(project["id"])


@ON_BOTH_STORES
async def test_a_worker_who_misses_gold_answers_is_stopped_and_the_client_told(
    gateway: Gateway, api: ApiClient
) -> None:
    project_id = await gold_project(api)
    careless = await gateway.worker("careless@example.org")
    golds_seen = 0
    assignment_id = await careless.accept(project_id)
    while True:
        external = (await api.call("GET", f"/assignments/{assignment_id}")).json()["external_id"]
        golds_seen += external.startswith("gold-")
        reply = await careless.submit(assignment_id, {"label": "dog"})  # always wrong on gold
        if reply["next_url"].startswith("/work?"):
            break
        assignment_id = reply["next_url"].rsplit("/", 1)[1]
    assert golds_seen == 2, "stopped right after the second wrong gold answer"
    page = await careless.get("/work")
    assert f"/work/projects/{project_id}/preview" not in page.text
    refused = await careless.post_form(f"/work/projects/{project_id}/accept", {})
    assert refused.status_code == 403
    records = (await api.call("GET", f"/projects/{project_id}/gold")).json()["data"]
    assert records == [
        {
            "worker_id": records[0]["worker_id"],
            "gold_answered": 2,
            "gold_correct": 0,
            "accuracy": 0.0,
            "stopped": True,
        }
    ]
    stopped = await api.events("worker.stopped")
    assert [e["worker_id"] for e in stopped] == [records[0]["worker_id"]]


@ON_BOTH_STORES
async def test_gold_tasks_are_served_to_every_worker_and_never_complete(
    gateway: Gateway, api: ApiClient
) -> None:
    project_id = await gold_project(api)
    careful = [await gateway.worker(f"careful{i}@example.org") for i in range(3)]
    for worker in careful:
        assignment_id = await worker.accept(project_id)
        for _ in range(10):  # on until nothing is left for them: the real tasks complete
            reply = await worker.submit(assignment_id, {"label": "Cat "})  # right on gold
            if reply["next_url"].startswith("/work?"):
                break
            assignment_id = reply["next_url"].rsplit("/", 1)[1]
    records = (await api.call("GET", f"/projects/{project_id}/gold")).json()["data"]
    assert all(not r["stopped"] and r["accuracy"] == 1.0 for r in records)
    completed = await api.events("task.completed")
    assert {e["external_id"] for e in completed} == {f"real-{i}" for i in range(6)}
    assert all(not e["external_id"].startswith("gold-") for e in completed)


@ON_BOTH_STORES
async def test_a_blocked_worker_sees_nothing_of_the_client_until_unblocked(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=3)
    worker, first = await gateway.worker_on(project["id"])
    wid = (await api.call("GET", f"/assignments/{first}")).json()["worker_id"]
    blocked = await api.call("POST", f"/workers/{wid}/block", json={"reason": "spam"})
    assert blocked.status_code == 201 and blocked.json()["project_id"] is None
    assert f"/work/projects/{project['id']}/preview" not in (await worker.get("/work")).text
    reply = await worker.submit(first, {"x": 1})  # the task in hand may still be finished
    assert reply["next_url"] == "/work?notice=finished"
    listed = (await api.call("GET", "/blocks")).json()["data"]
    assert [b["worker_id"] for b in listed] == [wid]
    assert (await api.call("DELETE", f"/workers/{wid}/block")).status_code == 200
    assert (await api.call("DELETE", f"/workers/{wid}/block")).status_code == 404
    assert await worker.accept(project["id"])
    other = await gateway.client("other")
    forged = await other.call("POST", f"/workers/{wid}/block", json={"project_id": project["id"]})
    assert forged.status_code == 404, "a client cannot block on another client's project"


@ON_BOTH_STORES
async def test_review_in_bulk_reports_each_assignment(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project()
    await api.tasks(project["id"], 6)  # each submit also claims the worker's next task
    ids = []
    for n in range(3):
        worker = await gateway.worker(f"w{n}@example.org")
        ids.append(await worker.accept(project["id"]))
        if n < 2:
            await worker.submit(ids[-1], {"n": n})
    missing_reason = await api.call("POST", "/assignments/reject", json={"ids": ids[:1]})
    assert missing_reason.status_code == 422
    assert missing_reason.json()["error"]["field"] == "reason"
    result = await api.call("POST", "/assignments/approve", json={"ids": [*ids, "asg_nope"]})
    body = result.json()
    assert [a["id"] for a in body["data"]] == ids[:2]
    assert {r["id"]: r["error"]["code"] for r in body["refused"]} == {
        ids[2]: "not_reviewable",
        "asg_nope": "not_found",
    }


@ON_BOTH_STORES
async def test_unreviewed_submissions_are_approved_after_the_delay(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(auto_approve_delay=60, tasks=1)
    worker, assignment_id = await gateway.worker_on(project["id"])
    await worker.submit(assignment_id, {"ok": True})
    assert await gateway.rt.store.auto_approve(now=now() + 30) == []
    [approved_now] = await gateway.rt.store.auto_approve(now=now() + 61)
    assert approved_now.id == assignment_id
    approved = (await api.call("GET", f"/assignments/{assignment_id}")).json()
    assert approved["status"] == "approved" and approved["reviewed_at"] is not None
    assert await gateway.rt.store.auto_approve(now=now() + 120) == [], "approved once"
