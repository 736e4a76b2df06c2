"""/openapi.json describes exactly the client API the gateway serves, with every body, query
parameter and answer, built from the models that read and describe them."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from starlette.routing import Route

from crowdframe_gateway.core.records import ProjectSpec
from crowdframe_gateway.web.api import api_routes
from crowdframe_gateway.web.api.answers import ProjectView
from crowdframe_gateway.web.api.openapi import OPERATIONS
from harness import Gateway


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


async def test_the_spec_lists_every_api_route_with_its_parameters(gateway: Gateway) -> None:
    answer = await gateway.http.get("/openapi.json")
    assert answer.status_code == 200
    spec = answer.json()
    assert spec["openapi"].startswith("3.1") and spec["servers"] == [
        {"url": gateway.app.state.runtime.settings.public_origin}
    ]
    served = {
        (f"/api/v1{r.path}", m.lower())
        for r in api_routes
        if isinstance(r, Route)
        for m in (r.methods or set()) - {"HEAD"}
    }
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert served == described, "every HTTP route, and nothing else (no websocket as a GET)"
    assert {(f"/api/v1{path}", method) for method, path in OPERATIONS} == served
    reject = spec["paths"]["/api/v1/assignments/{id}/reject"]["post"]
    assert reject["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert reject["security"] == [{"apiKey": []}]
    operation_ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids)), "operation ids are unique"
    error = resolve(spec, spec["components"]["schemas"]["Error"])
    assert resolve(spec, error["properties"]["error"])["required"] == ["code", "message"]


async def test_every_body_and_answer_has_its_schema(gateway: Gateway) -> None:
    spec = (await gateway.http.get("/openapi.json")).json()
    create = spec["paths"]["/api/v1/projects"]["post"]
    body = resolve(spec, create["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["title", "task_url", "reward_cents"]
    assert body["additionalProperties"] is False
    assert body["properties"]["title"] == {
        "maxLength": 200,
        "minLength": 1,
        "title": "Title",
        "type": "string",
    }
    created = resolve(spec, create["responses"]["201"]["content"]["application/json"]["schema"])
    assert {"id", "status", "counts", "crowd_review"} <= set(created["required"])

    batch = spec["paths"]["/api/v1/projects/{id}/tasks"]["post"]
    tasks = resolve(spec, batch["requestBody"]["content"]["application/json"]["schema"])
    assert (tasks["properties"]["tasks"]["minItems"], tasks["properties"]["tasks"]["maxItems"]) == (
        1,
        1000,
    )
    item = resolve(spec, tasks["properties"]["tasks"]["items"])
    assert item["required"] == ["external_id"]

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert len(success) == 1, (method, path)
            assert "content" in operation["responses"][success[0]], (method, path)
            assert operation["responses"]["4XX"] == {"$ref": "#/components/responses/Error"}
            if method in ("post", "patch"):
                assert "requestBody" in operation, (method, path)


async def test_lists_name_their_page_and_filters(gateway: Gateway) -> None:
    spec = (await gateway.http.get("/openapi.json")).json()
    listing = spec["paths"]["/api/v1/assignments"]["get"]
    query = {p["name"]: p["schema"] for p in listing["parameters"] if p["in"] == "query"}
    assert set(query) == {"cursor", "limit", "project_id", "status", "signal"}
    assert (query["limit"]["minimum"], query["limit"]["maximum"]) == (1, 200)
    assert "submitted" in query["status"]["enum"]
    disputes = spec["paths"]["/api/v1/disputes"]["get"]
    status = next(p for p in disputes["parameters"] if p["name"] == "status")
    assert status["schema"]["enum"] == ["open", "overturned", "upheld"]


async def test_the_results_export_names_its_query_parameters(gateway: Gateway) -> None:
    spec = (await gateway.http.get("/openapi.json")).json()
    export = spec["paths"]["/api/v1/projects/{id}/results"]["get"]
    query = {p["name"]: p for p in export["parameters"] if p["in"] == "query"}
    assert set(query) == {"format", "status", "since"}
    assert query["format"]["schema"]["enum"] == ["jsonl", "csv"]


def test_the_project_answer_in_the_spec_names_every_setting_a_project_has() -> None:
    """``GET /projects/{id}`` answers every field of ``ProjectSpec`` (views.project_view):
    the spec, and the SDK checked against it, must describe each one."""
    missing = {f.name for f in fields(ProjectSpec)} - set(ProjectView.model_fields)
    assert missing == set()
