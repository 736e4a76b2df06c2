"""``GET /openapi.json``: the client API's routes as an OpenAPI 3.1 document.

Built from the routes table and the models that read each request and describe each answer,
so it cannot drift from what the gateway serves: every path, method, path and query parameter,
request body and 2xx answer, the bearer-key security scheme and the shared error shape (4XX).
The live feed's websocket is no HTTP operation, so it is left out.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from crowdframe import __version__

from ...catalog.bodies import ProjectChange, ProjectSettings, TaskBatchBody
from ...conversations.disputes import Upholding
from ...identity.keyring import NewKey
from ...quality.process import NewBlock
from ...review.assignments import Rejection
from ...review.bonuses import Bonus
from ...webhooks.endpoints import EndpointUpdate, NewEndpoint
from ...webhooks.log import ReplaySince
from ...work.actions import ServerSubmit
from . import API_PREFIX, api_routes
from .answers import (
    Accepted,
    ApiKeyView,
    AssignmentView,
    AssignmentWithReview,
    AttemptView,
    BlockView,
    BonusView,
    BulkReviewView,
    DisputeView,
    EndpointView,
    ErrorBody,
    GoldView,
    List,
    OverturnView,
    Page,
    ProjectView,
    QualificationAttemptView,
    Replayed,
    Revoked,
    SigningSecretView,
    TaskBatchView,
    TaskView,
    ThreadMessageView,
    ThreadView,
    ThreadWithMessages,
    Unblocked,
    VerifiedToken,
    WebhookMessageView,
)
from .bodies import (
    AssignmentsQuery,
    BonusesQuery,
    BulkReview,
    DisputesQuery,
    Empty,
    Letter,
    MessagesQuery,
    PageQuery,
    Query,
    Reply,
    TokenBody,
    UnblockQuery,
    WebhookMessagesQuery,
)

__all__ = ["OPERATIONS", "Operation", "openapi", "openapi_document"]

PREFIX = API_PREFIX


def _query(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Operation:
    """What one operation reads and answers: its body's model, its query's model, its 2xx
    answer's model and status."""

    answer: Any
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[Query] | None = None


_ANSWERS_IN_FILE = {
    "description": "the answers as JSON Lines (format=jsonl) or CSV (format=csv)",
    "content": {"application/x-ndjson": {}, "text/csv": {}},
}
# the results export streams a file: its parameters are not a model's
EXPORT_PARAMETERS = [
    _query("format", "jsonl (default) or csv", enum=["jsonl", "csv"]),
    _query("status", "only answers in this status", enum=["submitted", "approved", "rejected"]),
    _query("since", "only answers submitted or reviewed at or after this ISO 8601 time"),
]

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("post", "/projects"): Operation(ProjectView, 201, ProjectSettings),
    ("get", "/projects"): Operation(Page[ProjectView], query=PageQuery),
    ("get", "/projects/{id}"): Operation(ProjectView),
    ("patch", "/projects/{id}"): Operation(ProjectView, body=ProjectChange),
    ("post", "/projects/{id}/tasks"): Operation(TaskBatchView, 201, TaskBatchBody),
    ("get", "/projects/{id}/results"): Operation(None),
    ("get", "/tasks/{id}"): Operation(TaskView),
    ("post", "/tasks/{id}/cancel"): Operation(TaskView, body=Empty),
    ("get", "/assignments"): Operation(Page[AssignmentView], query=AssignmentsQuery),
    ("post", "/assignments/approve"): Operation(BulkReviewView, body=BulkReview),
    ("post", "/assignments/reject"): Operation(BulkReviewView, body=BulkReview),
    ("get", "/assignments/{id}"): Operation(AssignmentWithReview),
    ("post", "/assignments/{id}/approve"): Operation(AssignmentView, body=Empty),
    ("post", "/assignments/{id}/reject"): Operation(AssignmentView, body=Rejection),
    ("post", "/assignments/{id}/submit"): Operation(AssignmentView, body=ServerSubmit),
    ("post", "/assignments/{id}/bonus"): Operation(BonusView, 201, Bonus),
    ("get", "/bonuses"): Operation(Page[BonusView], query=BonusesQuery),
    ("get", "/disputes"): Operation(Page[DisputeView], query=DisputesQuery),
    ("get", "/disputes/{id}"): Operation(DisputeView),
    ("post", "/disputes/{id}/overturn"): Operation(OverturnView, body=Empty),
    ("post", "/disputes/{id}/uphold"): Operation(DisputeView, body=Upholding),
    ("post", "/messages"): Operation(List[ThreadView], 201, Letter),
    ("get", "/messages"): Operation(Page[ThreadMessageView], query=MessagesQuery),
    ("get", "/threads"): Operation(Page[ThreadView], query=PageQuery),
    ("get", "/threads/{id}"): Operation(ThreadWithMessages),
    ("post", "/threads/{id}/messages"): Operation(ThreadMessageView, 201, Reply),
    ("post", "/tokens/verify"): Operation(VerifiedToken, body=TokenBody),
    ("post", "/webhook-endpoints"): Operation(EndpointView, 201, NewEndpoint),
    ("get", "/webhook-endpoints"): Operation(Page[EndpointView]),
    ("post", "/webhook-endpoints/{id}/test"): Operation(Accepted, 202, Empty),
    ("get", "/webhook-endpoints/{id}"): Operation(EndpointView),
    ("patch", "/webhook-endpoints/{id}"): Operation(EndpointView, body=EndpointUpdate),
    ("post", "/webhook-endpoints/{id}/rotate-secret"): Operation(EndpointView, body=Empty),
    ("get", "/webhook-endpoints/{id}/messages"): Operation(
        Page[WebhookMessageView], query=WebhookMessagesQuery
    ),
    ("post", "/webhook-endpoints/{id}/replay-failed"): Operation(Replayed, 202, ReplaySince),
    ("get", "/webhook-messages/{id}"): Operation(WebhookMessageView),
    ("get", "/webhook-messages/{id}/attempts"): Operation(Page[AttemptView]),
    ("post", "/webhook-messages/{id}/replay"): Operation(WebhookMessageView, 202, Empty),
    ("post", "/api-keys"): Operation(ApiKeyView, 201, NewKey),
    ("get", "/api-keys"): Operation(Page[ApiKeyView]),
    ("delete", "/api-keys/{id}"): Operation(ApiKeyView),
    ("post", "/signing-secrets"): Operation(SigningSecretView, 201, Empty),
    ("get", "/signing-secrets"): Operation(Page[SigningSecretView]),
    ("delete", "/signing-secrets/{kid}"): Operation(Page[SigningSecretView]),
    ("get", "/projects/{id}/gold"): Operation(Page[GoldView]),
    ("get", "/projects/{id}/qualifications"): Operation(
        Page[QualificationAttemptView], query=PageQuery
    ),
    ("delete", "/projects/{id}/qualifications/{worker_id}"): Operation(Revoked),
    ("get", "/blocks"): Operation(Page[BlockView]),
    ("post", "/workers/{worker_id}/block"): Operation(BlockView, 201, NewBlock),
    ("delete", "/workers/{worker_id}/block"): Operation(Unblocked, query=UnblockQuery),
}
"""Every operation of ``api_routes`` (a test checks that none is missing)."""

_REF = "#/components/schemas/{model}"


def _schema(model: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    """A reference to ``model``'s schema, which goes (with the models it uses) into
    ``schemas``."""
    found = TypeAdapter(model).json_schema(ref_template=_REF)
    for name, sub in [*found.pop("$defs", {}).items(), (_name(model), found)]:
        # two models of one name would describe each other's members
        assert schemas.setdefault(name, sub) == sub, f"two schemas named {name}"
    return {"$ref": _REF.format(model=_name(model))}


def _name(model: Any) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", getattr(model, "__name__", str(model))).strip("_")


def _parameters(model: type[Query]) -> list[dict[str, Any]]:
    found = model.model_json_schema()
    parameters = []
    for name, schema in found["properties"].items():
        schema = {k: v for k, v in schema.items() if k != "title"}
        description = schema.pop("description", None)
        # a query string has no null: an absent parameter is the default
        options = [s for s in schema.pop("anyOf", [schema]) if s.get("type") != "null"]
        schema = {**schema, **options[0]} if len(options) == 1 else {**schema, "anyOf": options}
        parameter = {"name": name, "in": "query", "required": False, "schema": schema}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


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


def _operation(route: Route, method: str, schemas: dict[str, Any]) -> dict[str, Any]:
    described = OPERATIONS[(method, route.path)]
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in route.param_convertors
    ]
    if described.query is not None:
        parameters += _parameters(described.query)
    if route.path == "/projects/{id}/results":
        parameters += EXPORT_PARAMETERS
    answer: dict[str, Any] = {"description": "success"}
    if described.answer is not None:
        answer["content"] = {"application/json": {"schema": _schema(described.answer, schemas)}}
    else:
        answer = _ANSWERS_IN_FILE
    operation: dict[str, Any] = {
        "operationId": _operation_id(method, route.path),
        "summary": _summary(route.endpoint),
        "security": [{"apiKey": []}],
        "responses": {
            str(described.status): answer,
            "4XX": {"$ref": "#/components/responses/Error"},
        },
    }
    if described.body is not None:
        operation["requestBody"] = {
            "required": any(f.is_required() for f in described.body.model_fields.values()),
            "content": {"application/json": {"schema": _schema(described.body, schemas)}},
        }
    if parameters:
        operation["parameters"] = parameters
    return operation


def openapi_document(routes: list[BaseRoute], server: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    schemas: dict[str, Any] = {}
    for route in routes:
        if isinstance(route, Route):
            for method in sorted((route.methods or set()) - {"HEAD"}):
                paths.setdefault(PREFIX + route.path, {})[method.lower()] = _operation(
                    route, method.lower(), schemas
                )
    _schema(ErrorBody, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Crowdframe client API",
            "version": __version__,
            "description": "Every request and answer body, as the gateway's models read and"
            " write them; docs/api.md explains each. The live event feed, a websocket at"
            " /api/v1/events/live, is not an HTTP operation and is described in"
            " docs/webhooks.md.",
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
            "schemas": {**dict(sorted(schemas.items())), "Error": schemas["ErrorBody"]},
        },
    }


async def openapi(request: Request) -> JSONResponse:
    """The OpenAPI document of the client API."""
    rt = request.app.state.runtime
    return JSONResponse(openapi_document(api_routes, rt.settings.public_origin))
