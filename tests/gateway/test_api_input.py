"""Bad input gets a 4xx with a JSON body naming the field: never a 500, never a traceback."""

from __future__ import annotations

from typing import Any

import pytest

from harness import TASK_URL, ApiClient, Gateway


def error_of(answer: Any) -> dict[str, Any]:
    body = answer.json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({}, "title", 422),
        ({"title": "x", "reward_cents": 1}, "task_url", 422),
        ({"title": "", "task_url": TASK_URL, "reward_cents": 1}, "title", 422),
        ({"title": "x", "task_url": TASK_URL}, "reward_cents", 422),
        ({"title": "x", "task_url": TASK_URL, "reward_cents": -1}, "reward_cents", 422),
        ({"title": "x", "task_url": TASK_URL, "reward_cents": "5"}, "reward_cents", 422),
        ({"title": "x", "task_url": TASK_URL, "reward_cents": True}, "reward_cents", 422),
        ({"title": "x", "task_url": "http://example.com/t", "reward_cents": 1}, "task_url", 422),
        ({"title": "x", "task_url": "ftp://localhost/t", "reward_cents": 1}, "task_url", 422),
        ({"title": "x", "task_url": "javascript:alert(1)", "reward_cents": 1}, "task_url", 422),
        ({"title": "x", "task_url": "http://127.0.0.1:8000/t", "reward_cents": 1}, "task_url", 422),
        ({"title": "x", "task_url": TASK_URL, "reward_cents": 1, "allow": ["usb"]}, "allow", 422),
        ({"title": "x", "task_url": TASK_URL, "reward_cents": 1, "colour": 1}, "colour", 422),
        (
            {"title": "x", "task_url": TASK_URL, "reward_cents": 1, "assignments_per_task": 0},
            "assignments_per_task",
            422,
        ),
    ],
)
async def test_a_bad_project_is_refused_naming_the_field(
    api: ApiClient, body: dict[str, Any], field: str, status: int
) -> None:
    answer = await api.call("POST", "/projects", json=body)
    assert answer.status_code == status
    assert error_of(answer)["field"] == field


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'"text"', b"{\xff}"])
async def test_a_body_that_is_not_a_json_object_is_a_400(api: ApiClient, raw: bytes) -> None:
    answer = await api.call("POST", "/projects", content=raw)
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "invalid_json"


async def test_requests_without_a_valid_api_key_are_401(gateway: Gateway) -> None:
    for headers in ({}, {"authorization": "Bearer nope"}, {"authorization": "Basic abc"}):
        answer = await gateway.http.get("/api/v1/projects", headers=headers)
        assert answer.status_code == 401
        assert error_of(answer)["code"] == "unauthorized"


async def test_unknown_paths_and_methods_answer_json(api: ApiClient) -> None:
    missing = await api.call("GET", "/nothing-here")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    wrong = await api.call("DELETE", "/projects")
    assert wrong.status_code == 405 and error_of(wrong)["code"] == "method_not_allowed"


async def test_a_task_batch_is_checked_item_by_item(api: ApiClient) -> None:
    project = await api.project()
    path = f"/projects/{project['id']}/tasks"
    cases = [
        ({"tasks": []}, "tasks"),
        ({"tasks": "x"}, "tasks"),
        ({"tasks": [{"external_id": "a"}, {"input": {}}]}, "tasks[1].external_id"),
        ({"tasks": [{"external_id": "a", "input": [1]}]}, "tasks[0].input"),
        ({"tasks": [{"external_id": "a"}, {"external_id": "a"}]}, "tasks[1].external_id"),
        ({"tasks": [7]}, "tasks[0]"),
    ]
    for body, field in cases:
        answer = await api.call("POST", path, json=body)
        assert answer.status_code == 422, body
        assert error_of(answer)["field"] == field
    listed = await api.call("GET", f"/projects/{project['id']}")
    assert listed.json()["counts"]["tasks"] == 0, "a refused batch creates nothing"


async def test_an_idempotent_batch_is_created_once(api: ApiClient) -> None:
    project = await api.project()
    path = f"/projects/{project['id']}/tasks"
    body = {"tasks": [{"external_id": "a", "input": {"text": "hi"}}]}
    first = await api.call("POST", path, json=body, headers={"idempotency-key": "batch-1"})
    again = await api.call("POST", path, json=body, headers={"idempotency-key": "batch-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["tasks"] == first.json()["tasks"]
    changed = {"tasks": [{"external_id": "b", "input": {}}]}
    clash = await api.call("POST", path, json=changed, headers={"idempotency-key": "batch-1"})
    assert clash.status_code == 409
    assert error_of(clash)["code"] == "idempotency_mismatch"
    duplicate = await api.call("POST", path, json=body)
    assert duplicate.status_code == 409
    assert error_of(duplicate)["field"] == "tasks[0].external_id"
    counted = await api.call("GET", f"/projects/{project['id']}")
    assert counted.json()["counts"] == {"tasks": 1, "open": 1, "completed": 0, "expired": 0}


async def test_list_parameters_are_checked(api: ApiClient) -> None:
    for query, field in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=zz", "cursor"),
        ("status=done", "status"),
    ]:
        answer = await api.call("GET", f"/assignments?{query}")
        assert answer.status_code == 422, query
        assert error_of(answer)["field"] == field


async def test_reject_needs_a_reason_and_changes_nothing_without_one(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)
    worker, assignment_id = await gateway.worker_on(project["id"])
    token = await worker.frame_token(assignment_id)
    submitted = await api.call(
        "POST", f"/assignments/{assignment_id}/submit", json={"token": token, "result": {"a": 1}}
    )
    assert submitted.status_code == 200, submitted.text
    for body in ({}, {"reason": ""}, {"reason": 5}):
        answer = await api.call("POST", f"/assignments/{assignment_id}/reject", json=body)
        assert answer.status_code == 422
        assert error_of(answer)["field"] == "reason"
    still = await api.call("GET", f"/assignments/{assignment_id}")
    assert still.json()["status"] == "submitted"
    rejected = await api.call(
        "POST", f"/assignments/{assignment_id}/reject", json={"reason": "answer is random"}
    )
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reject_reason"] == "answer is random"


async def test_a_client_never_sees_another_clients_objects(gateway: Gateway) -> None:
    alice, bob = await gateway.client("alice"), await gateway.client("bob")
    project = await alice.project()
    tasks = await alice.tasks(project["id"], 1)
    _, assignment_id = await gateway.worker_on(project["id"])
    for path in (
        f"/projects/{project['id']}",
        f"/tasks/{tasks[0]['id']}",
        f"/assignments/{assignment_id}",
    ):
        assert (await alice.call("GET", path)).status_code == 200
        answer = await bob.call("GET", path)
        assert answer.status_code == 404, path
    assert (await bob.call("GET", "/projects")).json()["data"] == []
    assert (await bob.call("GET", "/assignments")).json()["data"] == []
    approve = await bob.call("POST", f"/assignments/{assignment_id}/approve")
    assert approve.status_code == 404


async def test_pagination_walks_every_project_once(api: ApiClient) -> None:
    made = [(await api.project(title=f"p{i}"))["id"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = (await api.call("GET", f"/projects?{query}")).json()
        seen += [p["id"] for p in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made
