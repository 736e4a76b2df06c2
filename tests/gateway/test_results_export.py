"""GET /projects/{id}/results streams a project's answers as JSON Lines or CSV, page by page."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from typing import Any

import pytest

from crowdframe_gateway.catalog.export import PAGE
from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission
from crowdframe_gateway.core.records import Worker, new_id, now
from harness import ON_BOTH_STORES, ApiClient, Gateway

pytestmark = ON_BOTH_STORES


async def answer_tasks(
    gateway: Gateway, project_id: str, results: list[dict[str, Any]]
) -> list[str]:
    """One worker takes the project's tasks in order and answers them with ``results``."""
    store = gateway.rt.store
    worker = Worker(new_id("wrk"), f"{new_id('w')}@example.org", "x", "DE", ("de",), now())
    await store.create_worker(worker)
    ids = []
    for result in results:
        assignment = await store.claim(Claim(project_id, worker.id, "wid_" + worker.id), now=now())
        assert assignment is not None
        await store.submit(assignment.id, Submission(result), now=now())
        ids.append(assignment.id)
    return ids


async def export(api: ApiClient, project_id: str, **params: str) -> Any:
    return await api.call("GET", f"/projects/{project_id}/results", params=params)


async def test_a_project_larger_than_a_page_exports_every_answer_as_json_lines(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project()
    count = PAGE + 30
    await api.tasks(project["id"], count)
    ids = await answer_tasks(gateway, project["id"], [{"label": f"l{i}"} for i in range(count)])
    await api.call("POST", f"/assignments/{ids[3]}/reject", json={"reason": "random"})
    await api.call("POST", f"/assignments/{ids[4]}/approve")

    answer = await export(api, project["id"])

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    rows = [json.loads(line) for line in answer.text.splitlines()]
    assert [r["assignment_id"] for r in rows] == ids
    assert rows[3]["status"] == "rejected" and rows[4]["status"] == "approved"
    assert rows[4]["reviewed_at"].endswith("Z") and rows[0]["reviewed_at"] is None
    assert rows[7] == {
        "assignment_id": ids[7],
        "task_id": rows[7]["task_id"],
        "external_id": "t7",
        "worker_id": rows[0]["worker_id"],
        "status": "submitted",
        "submitted_at": rows[7]["submitted_at"],
        "reviewed_at": None,
        "signals": rows[7]["signals"],
        "input": {"n": 7},
        "result": {"label": "l7"},
    }
    assert rows[0]["worker_id"].startswith("wid_")  # the pseudonym, never the account id

    only_rejected = await export(api, project["id"], status="rejected")
    assert [json.loads(line)["assignment_id"] for line in only_rejected.text.splitlines()] == [
        ids[3]
    ]


async def test_the_csv_export_round_trips_through_the_csv_module_and_defuses_formulas(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project()
    tasks = [
        {"external_id": '=HYPERLINK("x")', "input": {"text": 'say "hi", then\nleave', "k": 2}},
        {"external_id": "b", "input": {"text": "@SUM(A1)", "tags": ["x", "y"]}},
    ]
    await api.call("POST", f"/projects/{project['id']}/tasks", json={"tasks": tasks})
    ids = await answer_tasks(
        gateway,
        project["id"],
        [{"label": "-1+2", "score": -3, "ok": True}, {"label": "cat", "box": {"x": 1}}],
    )

    answer = await export(api, project["id"], format="csv")

    assert answer.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(answer.text)))
    assert list(table[0]) == [
        "assignment_id", "task_id", "external_id", "worker_id", "status", "submitted_at",
        "reviewed_at", "signals", "input", "result",
        "input_k", "input_tags", "input_text",
        "result_box", "result_label", "result_ok", "result_score",
    ]  # fmt: skip
    first, second = table
    assert [first["assignment_id"], second["assignment_id"]] == ids
    assert first["external_id"] == '\'=HYPERLINK("x")'
    assert first["input_text"] == 'say "hi", then\nleave'  # quoted, the newline kept
    assert (first["input_k"], first["input_tags"]) == ("2", "")
    assert (first["result_label"], first["result_score"], first["result_ok"]) == (
        "'-1+2",
        "-3",
        "true",
    )
    assert json.loads(first["input"]) == tasks[0]["input"]
    assert second["input_text"] == "'@SUM(A1)"
    assert json.loads(second["input_tags"]) == ["x", "y"]
    assert json.loads(second["result_box"]) == {"x": 1}
    assert second["reviewed_at"] == "" and json.loads(second["signals"]) == json.loads(
        first["signals"]
    )


async def test_the_export_starts_streaming_before_later_pages_are_read(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project()
    await api.tasks(project["id"], PAGE + 5)
    ids = await answer_tasks(gateway, project["id"], [{"n": i} for i in range(PAGE + 5)])
    chunks: list[bytes] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": f"/api/v1/projects/{project['id']}/results",
        "raw_path": f"/api/v1/projects/{project['id']}/results".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"authorization", api.headers["authorization"].encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }

    requested = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if requested.is_set():  # the browser stays connected until the answer ends
            await asyncio.Event().wait()
        requested.set()
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body" and message.get("body"):
            if not chunks:  # the first rows are out: review an answer on a later page now
                await gateway.rt.store.review(ids[-1], ReviewDecision(approve=True), now=now())
            chunks.append(message["body"])

    await gateway.app(scope, receive, send)

    rows = [json.loads(line) for line in b"".join(chunks).decode().splitlines()]
    assert len(chunks) >= 2
    assert len(chunks[0].splitlines()) == PAGE
    assert [r["assignment_id"] for r in rows] == ids
    assert rows[-1]["status"] == "approved"  # read after the first chunk had been sent


async def test_since_keeps_answers_changed_at_or_after_it(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project(tasks=2)
    ids = await answer_tasks(gateway, project["id"], [{"a": 1}, {"a": 2}])
    future = await export(api, project["id"], since="2999-01-01T00:00:00Z")
    past = await export(api, project["id"], since="2000-01-01T00:00:00+00:00", format="csv")
    assert future.text == ""
    assert [r["assignment_id"] for r in csv.DictReader(io.StringIO(past.text))] == ids


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xml"}, "format"),
        ({"status": "accepted"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no zone
    ],
)
async def test_bad_export_parameters_are_422_naming_the_field(
    gateway: Gateway, api: ApiClient, params: dict[str, str], field: str
) -> None:
    project = await api.project()
    answer = await export(api, project["id"], **params)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


async def test_another_clients_project_is_not_found_and_an_empty_csv_is_just_its_header(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project()
    other = await gateway.client("other")
    refused = await export(other, project["id"])
    assert refused.status_code == 404 and refused.json()["error"]["field"] == "project_id"
    empty = await export(api, project["id"], format="csv")
    assert empty.status_code == 200
    assert next(csv.reader(io.StringIO(empty.text)))[:2] == ["assignment_id", "task_id"]
    assert len(empty.text.splitlines()) == 1
