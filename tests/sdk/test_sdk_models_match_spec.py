"""The SDK's records read what the gateway's spec says it answers: each field a record needs is
in the answer's schema (one with a default, wherever the answer has it), with a compatible
type, and a field the record needs (no default, not optional) is one the answer always
carries, never null."""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from typing import Any, Union

import crowdframe
from crowdframe._assessments import QualificationAttempt
from crowdframe._conversations import Dispute, Message, Thread
from crowdframe._decode import _Model
from crowdframe._keyring import ApiKey, SigningSecret
from crowdframe._models import (
    Assignment,
    CrowdReviewParams,
    Project,
    ProjectCreateParams,
    ProjectUpdateParams,
    Task,
    TaskBatch,
    WebhookEndpoint,
)
from crowdframe._quality import Block, Bonus, GoldRecord
from crowdframe._webhook_models import WebhookAttempt, WebhookMessage
from crowdframe_gateway.web.api import api_routes
from crowdframe_gateway.web.api.openapi import openapi_document

SPEC = openapi_document(api_routes, "http://127.0.0.1:8000")
SCHEMAS = SPEC["components"]["schemas"]

# each record, and an operation whose 2xx answer it reads (an item of it, for a page)
READS: dict[type[_Model], tuple[str, str]] = {
    Project: ("get", "/projects/{id}"),
    Task: ("get", "/tasks/{id}"),
    TaskBatch: ("post", "/projects/{id}/tasks"),
    Assignment: ("get", "/assignments/{id}"),
    WebhookEndpoint: ("post", "/webhook-endpoints"),
    QualificationAttempt: ("get", "/projects/{id}/qualifications"),
    Dispute: ("post", "/disputes/{id}/overturn"),
    Message: ("post", "/threads/{id}/messages"),
    Thread: ("get", "/threads/{id}"),
    ApiKey: ("post", "/api-keys"),
    SigningSecret: ("post", "/signing-secrets"),
    Block: ("post", "/workers/{worker_id}/block"),
    GoldRecord: ("get", "/projects/{id}/gold"),
    Bonus: ("post", "/assignments/{id}/bonus"),
    WebhookMessage: ("get", "/webhook-messages/{id}"),
    WebhookAttempt: ("get", "/webhook-messages/{id}/attempts"),
}
JSON_TYPES = {str: {"string"}, int: {"integer"}, float: {"number", "integer"}, bool: {"boolean"}}


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def answer_of(method: str, path: str) -> dict[str, Any]:
    responses = SPEC["paths"][f"/api/v1{path}"][method]["responses"]
    success = next(code for code in responses if code.startswith("2"))
    schema = resolve(responses[success]["content"]["application/json"]["schema"])
    if set(schema["properties"]) >= {"data", "next_cursor"}:  # a page: its items
        return resolve(schema["properties"]["data"]["items"])
    return schema


def options(schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = resolve(schema)
    return [resolve(s) for s in schema.get("anyOf", [schema])]


def problems(record: type[Any], schema: dict[str, Any], where: str) -> list[str]:
    hints = typing.get_type_hints(record, localns=vars(sys.modules[record._home]))
    found: list[str] = []
    for field in dataclasses.fields(record):
        name, hint = field.name, hints[field.name]
        at = f"{where}.{name}"
        has_default = (
            field.default is not dataclasses.MISSING
            or field.default_factory is not dataclasses.MISSING
        )
        if name not in schema["properties"]:
            if not has_default:  # one with a default is read where an answer has it
                found.append(f"{at}: not in the answer's schema")
            continue
        kinds = options(schema["properties"][name])
        args = typing.get_args(hint)
        optional = typing.get_origin(hint) in (Union, types.UnionType) and type(None) in args
        if not (optional or has_default):
            if name not in schema.get("required", []):
                found.append(f"{at}: the record needs it, the answer may leave it out")
            if any(k.get("type") == "null" for k in kinds):
                found.append(f"{at}: the record needs it, the answer may be null")
        inner = next(a for a in args if a is not type(None)) if optional else hint
        found += compatible(inner, [k for k in kinds if k.get("type") != "null"], at)
    return found


def compatible(hint: Any, kinds: list[dict[str, Any]], at: str) -> list[str]:
    origin = typing.get_origin(hint) or hint
    if isinstance(origin, type) and issubclass(origin, _Model):
        objects = [k for k in kinds if "properties" in k]
        return problems(origin, objects[0], at) if objects else [f"{at}: not an object"]
    if origin is list:
        arrays = [k for k in kinds if k.get("type") == "array"]
        if not arrays:
            return [f"{at}: not an array"]
        return compatible(typing.get_args(hint)[0], options(arrays[0]["items"]), f"{at}[]")
    if origin is dict:
        return [] if any(k.get("type") == "object" for k in kinds) else [f"{at}: not an object"]
    if hint is Any:
        return []
    types_there = {k.get("type") for k in kinds}
    return [] if types_there & JSON_TYPES[hint] else [f"{at}: {hint.__name__} vs {types_there}"]


def test_every_sdk_record_is_checked() -> None:
    records = {
        cls.__name__
        for cls in vars(crowdframe).values()
        if isinstance(cls, type) and issubclass(cls, _Model) and cls._object is not None
    }
    assert records <= {cls.__name__ for cls in READS}


def test_each_sdk_record_reads_what_the_spec_answers() -> None:
    found = [
        problem
        for record, (method, path) in READS.items()
        for problem in problems(record, answer_of(method, path), f"{record.__name__}")
    ]
    assert not found, "\n".join(found)


def body_of(method: str, path: str) -> dict[str, Any]:
    operation = SPEC["paths"][f"/api/v1{path}"][method]
    return resolve(operation["requestBody"]["content"]["application/json"]["schema"])


def test_the_sdk_sends_only_what_the_bodies_take() -> None:
    for params, (method, path) in {
        ProjectCreateParams: ("post", "/projects"),
        ProjectUpdateParams: ("patch", "/projects/{id}"),
    }.items():
        body = body_of(method, path)
        hints = typing.get_type_hints(params)
        assert set(hints) <= set(body["properties"]), (params.__name__, set(hints) - set(body))
        crowd = next(s for s in options(body["properties"]["crowd_review"]) if "properties" in s)
        assert set(typing.get_type_hints(CrowdReviewParams)) <= set(crowd["properties"])
        assert set(body.get("required", [])) <= set(hints), "the SDK can send what is needed"
