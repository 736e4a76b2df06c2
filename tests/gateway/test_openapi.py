"""/openapi.json describes exactly the client API the gateway serves."""

from __future__ import annotations

from starlette.routing import Route

from crowdframe_gateway.web.api import api_routes
from harness import Gateway


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
    reject = spec["paths"]["/api/v1/assignments/{id}/reject"]["post"]
    assert reject["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    assert reject["security"] == [{"apiKey": []}]
    operation_ids = [op["operationId"] for ops in spec["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids)), "operation ids are unique"
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["required"] == [
        "code",
        "message",
    ]


async def test_the_results_export_names_its_query_parameters(gateway: Gateway) -> None:
    spec = (await gateway.http.get("/openapi.json")).json()
    export = spec["paths"]["/api/v1/projects/{id}/results"]["get"]
    query = {p["name"]: p for p in export["parameters"] if p["in"] == "query"}
    assert set(query) == {"format", "status", "since"}
    assert query["format"]["schema"]["enum"] == ["jsonl", "csv"]
