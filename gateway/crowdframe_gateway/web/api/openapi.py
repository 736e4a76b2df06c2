"""``GET /openapi.json``: the client API's routes as an OpenAPI 3.1 document.

Built from the routes table itself, so it cannot drift from what the gateway serves: every
path, method and path parameter, the bearer-key security scheme and the shared error shape.
The live feed's websocket is no HTTP operation, so it is left out.
Request and answer bodies are described in docs/api.md.
"""

from __future__ import annotations

import inspect
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from crowdframe import __version__

from . import API_PREFIX, api_routes

__all__ = ["openapi", "openapi_document"]

PREFIX = API_PREFIX


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}  # fmt: skip


# Query parameters beyond the path's, by (method, path); bodies are in docs/api.md.
QUERY_PARAMETERS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("get", "/projects/{id}/results"): [
        _query("format", "jsonl (default) or csv", enum=["jsonl", "csv"]),
        _query("status", "only answers in this status", enum=["submitted", "approved", "rejected"]),
        _query("since", "only answers submitted or reviewed at or after this ISO 8601 time"),
    ],
    ("get", "/disputes"): [
        _query("status", "only disputes in this status", enum=["open", "overturned", "upheld"]),
        _query("cursor", "the next_cursor of the previous page"),
        _query("limit", "1 to 200 (default 50)"),
    ],
    ("get", "/messages"): [
        _query("author", "only messages by this side", enum=["client", "worker"]),
        _query("cursor", "the next_cursor of the previous page"),
        _query("limit", "1 to 200 (default 50)"),
    ],
    ("get", "/threads"): [
        _query("cursor", "the next_cursor of the previous page"),
        _query("limit", "1 to 200 (default 50)"),
    ],
}


def _summary(endpoint: Any) -> str:
    doc = inspect.getdoc(endpoint)
    if doc:
        return doc.splitlines()[0].strip("`. ")
    return str(endpoint.__name__).replace("_", " ").capitalize()


def _operation_id(method: str, path: str) -> str:
    """``post /assignments/{id}/approve`` → ``post_assignments_by_id_approve``: unique, as one
    handler may serve several routes."""
    words = [
        f"by_{part[1:-1]}" if part.startswith("{") else part.replace("-", "_")
        for part in path.strip("/").split("/")
    ]
    return "_".join([method, *words])


def _operation(route: Route, method: str) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.param_convertors
    ] + QUERY_PARAMETERS.get((method, route.path), [])
    operation: dict[str, Any] = {
        "operationId": _operation_id(method, route.path),
        "summary": _summary(route.endpoint),
        "security": [{"apiKey": []}],
        "responses": {
            "2XX": {"description": "success (see docs/api.md for the body)"},
            "4XX": {"$ref": "#/components/responses/Error"},
        },
    }
    if parameters:
        operation["parameters"] = parameters
    return operation


def openapi_document(routes: list[BaseRoute], server: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                paths.setdefault(PREFIX + route.path, {})[method.lower()] = _operation(
                    route, method.lower()
                )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Crowdframe client API",
            "version": __version__,
            "description": "See docs/api.md for every request and answer body. The live"
            " event feed, a websocket at /api/v1/events/live, is not an HTTP operation and is"
            " described in docs/webhooks.md.",
        },
        "servers": [{"url": server}],
        "paths": paths,
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "responses": {
                "Error": {
                    "description": "The request was refused; `field` names the bad input.",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                                "field": {"type": "string"},
                            },
                        }
                    },
                }
            },
        },
    }


async def openapi(request: Request) -> JSONResponse:
    """The OpenAPI document of the client API."""
    rt = request.app.state.runtime
    return JSONResponse(openapi_document(api_routes, rt.settings.public_origin))
