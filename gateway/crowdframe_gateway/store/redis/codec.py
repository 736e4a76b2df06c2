"""Records to and from Redis: hashes of text fields, JSON for nested values.

Floats are written with ``repr`` (every digit), so a timestamp reads back as the same double.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from ...core.events import (
    assignment_data,
    attempt_data,
    project_completed_data,
    task_cancelled_data,
    task_completed_data,
    task_expired_data,
    worker_stopped_data,
)
from ...core.records import (
    PROJECT_COUNTS,
    Block,
    Client,
    Credit,
    Endpoint,
    Event,
    Project,
    Worker,
)
from ...core.stored import ASSIGNMENT, ATTEMPT, GOLD_STATS, TASK, spec_from_json

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


__all__ = [
    "Fields",
    "assignment_from",
    "attempt_from",
    "block_from",
    "client_from",
    "client_to",
    "credit_from",
    "endpoint_from",
    "endpoint_to",
    "event_from",
    "fields",
    "gold_from",
    "hash_of",
    "opt_text",
    "project_from",
    "record_to",
    "task_from",
    "text",
    "texts",
    "worker_from",
    "worker_to",
]

Fields = Mapping[str, str]
Reply = bytes | str  # what redis-py's types promise; the store decodes, so always str


def text(value: Reply) -> str:
    return value.decode() if isinstance(value, bytes) else value


def opt_text(value: Reply | None) -> str | None:
    return None if value is None else text(value)


def texts(values: Iterable[Any]) -> list[str]:
    return [text(v) for v in values]


def hash_of(value: Mapping[Any, Any]) -> dict[str, str]:
    return {text(k): text(v) for k, v in value.items()}


def fields(flat: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """A hash as HGETALL gives it to Lua (a flat list) or to Python (a dict)."""
    if isinstance(flat, Mapping):
        return dict(flat)
    return dict(zip(flat[::2], flat[1::2], strict=True))


def project_from(h: Fields, counts: Fields) -> Project:
    return Project(
        id=h["id"],
        client_id=h["client_id"],
        spec=spec_from_json(h["spec"]),
        status=h["status"],  # type: ignore[arg-type]
        created_at=float(h["created_at"]),
        counts={k: int(counts.get(k, 0)) for k in PROJECT_COUNTS},
    )


task_from = TASK.from_hash
assignment_from = ASSIGNMENT.from_hash
attempt_from = ATTEMPT.from_hash
gold_from = GOLD_STATS.from_hash


def client_to(client: Client, api_key_hash: str) -> str:
    return json.dumps({**asdict(client), "api_key_hash": api_key_hash})


def client_from(text: str) -> Client:
    raw = json.loads(text)
    raw.pop("api_key_hash", None)
    raw["signing_secrets"] = tuple(raw["signing_secrets"])
    return Client(**raw)


def worker_to(worker: Worker) -> str:
    return json.dumps(asdict(worker))


def worker_from(text: str) -> Worker:
    raw = json.loads(text)
    raw["languages"] = tuple(raw["languages"])
    raw["skills"] = tuple(raw.get("skills", ()))
    return Worker(**raw)


def endpoint_to(endpoint: Endpoint) -> str:
    return json.dumps(asdict(endpoint))


def endpoint_from(text: str) -> Endpoint:
    raw = json.loads(text)
    raw["secrets"] = tuple(raw["secrets"])
    if raw["event_types"] is not None:
        raw["event_types"] = tuple(raw["event_types"])
    return Endpoint(**raw)


def event_from(text: str) -> Event:
    """An event as the scripts store it (facts), rendered as both stores deliver it."""
    facts: dict[str, Any] = json.loads(text)
    kind = facts["kind"]
    if kind == "assignment":
        task = task_from(fields(facts["task"]))
        data = assignment_data(assignment_from(fields(facts["assignment"])), task)
        data.update(facts.get("extra") or {})  # e.g. auto_approved
    elif kind == "task.completed":
        submissions = [assignment_from(fields(s)) for s in facts["submissions"]]
        data = task_completed_data(task_from(fields(facts["task"])), submissions)
    elif kind == "task.cancelled":
        data = task_cancelled_data(task_from(fields(facts["task"])))
    elif kind == "task.expired":
        data = task_expired_data(task_from(fields(facts["task"])))
    elif kind == "project.completed":
        closed = task_from(fields(facts["task"]))
        data = project_completed_data(facts["project_id"], closed.id, facts["counts"])
    elif kind == "attempt":
        data = attempt_data(attempt_from(fields(facts["attempt"])))
    elif kind == "worker.stopped":
        data = worker_stopped_data(
            facts["project_id"], facts["worker_pseudonym"], facts["answered"], facts["correct"]
        )
    else:
        data = json.loads(facts["data"])
    return Event(
        id=facts["id"],
        client_id=facts["client_id"],
        type=facts["type"],
        created_at=float(facts["created_at"]),
        data=data,
    )


def record_to(record: DataclassInstance) -> str:
    """A record kept whole as JSON (tuples become lists)."""
    return json.dumps(asdict(record))


def block_from(text: str) -> Block:
    return Block(**json.loads(text))


def credit_from(text: str) -> Credit:
    raw = json.loads(text)
    raw.pop("task_id", None)  # kept beside it for the bonus listings
    raw.pop("seq", None)
    return Credit(**raw)
