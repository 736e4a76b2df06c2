"""The objects the REST API returns, as typed frozen dataclasses.

Each class has ``from_json``, which checks the shape once, at the edge, and ignores keys it does
not know: a newer gateway may add fields without breaking an older SDK. Field names are those of
``docs/api.md``; times stay ISO 8601 strings, money stays integer minor units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Required, Self, TypedDict, TypeVar

__all__ = [
    "Assignment",
    "CrowdReviewParams",
    "CrowdReviewSettings",
    "CrowdReviewStatus",
    "Page",
    "Project",
    "ProjectCreateParams",
    "ProjectUpdateParams",
    "Task",
    "TaskBatch",
    "WebhookEndpoint",
]

T = TypeVar("T")
_V = TypeVar("_V")
_MISSING: Any = object()


class CrowdReviewParams(TypedDict, total=False):
    """``crowd_review`` of ``POST /projects`` and ``PATCH /projects/{id}`` (docs/quality.md):
    ``task_url`` (the client's review page) and ``reward_cents`` are needed to turn it on; a
    PATCH changes only the keys it names."""

    task_url: str
    reward_cents: int
    reviewers: int
    estimated_seconds: int
    instructions: str
    countries: list[str]
    languages: list[str]
    min_gold_accuracy: float | None


class ProjectCreateParams(TypedDict, total=False):
    """The body of ``POST /projects``; see ``docs/api.md`` for ranges and defaults."""

    title: Required[str]
    task_url: Required[str]
    reward_cents: Required[int]
    instructions: str
    currency: str
    estimated_seconds: int
    assignments_per_task: int
    assignment_duration: int
    task_lifetime: int
    auto_approve_delay: int
    frame_height: int | None
    allow: list[str]
    countries: list[str]
    languages: list[str]
    gold_ratio: float
    gold_min_answers: int
    gold_min_accuracy: float
    kind: str  # "work" (default) or "assessment": a qualification test (docs/quality.md)
    skills: list[str]
    qualifications: list[str]
    test_size: int
    pass_score: float
    retry_after_seconds: int
    crowd_review: CrowdReviewParams | None


class ProjectUpdateParams(TypedDict, total=False):
    """The fields ``PATCH /projects/{id}`` may change."""

    title: str
    instructions: str
    reward_cents: int
    estimated_seconds: int
    frame_height: int | None
    countries: list[str]
    languages: list[str]
    gold_ratio: float
    gold_min_answers: int
    gold_min_accuracy: float
    skills: list[str]
    qualifications: list[str]
    test_size: int
    pass_score: float
    retry_after_seconds: int
    crowd_review: CrowdReviewParams | None  # None turns crowd review off
    status: str


def _mapping(obj: Any, kind: str | None) -> Mapping[str, Any]:
    """``obj`` as a mapping, refusing one that says (``"object"``) it is not a ``kind``."""
    if not isinstance(obj, Mapping):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    declared = obj.get("object")
    if kind is not None and declared is not None and declared != kind:
        raise ValueError(f"expected an object of type {kind!r}, got {declared!r}")
    return obj


def _required(obj: Mapping[str, Any], name: str, kind: type[_V]) -> _V:
    value = obj.get(name, _MISSING)
    if value is _MISSING:
        raise ValueError(f"missing field {name!r}")
    # bool is an int in Python, never in the API.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {name!r} must be {kind.__name__}, got {type(value).__name__}")
    return value


def _optional(obj: Mapping[str, Any], name: str, kind: type[_V]) -> _V | None:
    return None if obj.get(name) is None else _required(obj, name, kind)


def _strings(obj: Mapping[str, Any], name: str) -> list[str]:
    values = _required(obj, name, list)
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"field {name!r} must be a list of strings")
    return values


def _counts(obj: Mapping[str, Any], name: str) -> dict[str, int]:
    values = _required(obj, name, dict)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values.values()):
        raise ValueError(f"field {name!r} must map names to integers")
    return values


@dataclass(frozen=True, slots=True)
class CrowdReviewSettings:
    """A work project's crowd review stage: ``reviewers`` other workers check each answer on
    the client's review page at ``task_url``, paid ``reward_cents`` each."""

    task_url: str
    reward_cents: int
    reviewers: int
    estimated_seconds: int
    instructions: str = ""
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    min_gold_accuracy: float | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, None)
        least = obj.get("min_gold_accuracy")
        return cls(
            task_url=_required(obj, "task_url", str),
            reward_cents=_required(obj, "reward_cents", int),
            reviewers=_required(obj, "reviewers", int),
            estimated_seconds=_required(obj, "estimated_seconds", int),
            instructions=str(obj.get("instructions") or ""),
            countries=_strings(obj, "countries") if "countries" in obj else [],
            languages=_strings(obj, "languages") if "languages" in obj else [],
            min_gold_accuracy=None if least is None else float(least),
        )


@dataclass(frozen=True, slots=True)
class CrowdReviewStatus:
    """What the crowd made of one answer: ``status`` is ``pending``, ``approved``,
    ``rejected``, ``tie`` (left to the client), ``overridden`` (reviewed otherwise first) or
    ``cancelled`` (reviewed otherwise before any reviewer took it: no verdict will come);
    ``votes`` counts each verdict so far, ``verdict`` is the majority once all are in."""

    status: str
    votes: dict[str, int]
    verdict: str | None = None
    reasons: list[str] = field(default_factory=list)
    review_task_id: str | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, None)
        return cls(
            status=_required(obj, "status", str),
            votes=_counts(obj, "votes"),
            verdict=_optional(obj, "verdict", str),
            reasons=_strings(obj, "reasons") if "reasons" in obj else [],
            review_task_id=_optional(obj, "review_task_id", str),
        )


@dataclass(frozen=True, slots=True)
class Project:
    """A project: where its tasks are shown (``task_url``), what they pay, how they are run.

    ``status`` is ``active`` or ``paused``; ``counts`` holds ``tasks``, ``open`` and
    ``completed``; ``frame_height`` is ``None`` when the frame resizes to its content.
    ``kind`` is ``work``, ``assessment`` for a qualification test (``test_size``,
    ``pass_score``, ``retry_after_seconds``), or ``review`` for the review project a work
    project's ``crowd_review`` made (its ``parent_project_id``; the work project's
    ``review_project_id``).
    """

    id: str
    title: str
    task_url: str
    instructions: str
    reward_cents: int
    currency: str
    estimated_seconds: int
    assignments_per_task: int
    assignment_duration: int
    task_lifetime: int
    auto_approve_delay: int
    frame_height: int | None
    allow: list[str]
    status: str
    created_at: str
    counts: dict[str, int]
    countries: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    gold_ratio: float = 0.0
    kind: str = "work"  # or "assessment" (a qualification test), "review" (crowd review)
    skills: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    test_size: int = 10
    pass_score: float = 0.8
    retry_after_seconds: int = 86_400
    crowd_review: CrowdReviewSettings | None = None
    review_project_id: str | None = None
    parent_project_id: str | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, "project")
        crowd = _optional(obj, "crowd_review", dict)
        return cls(
            id=_required(obj, "id", str),
            title=_required(obj, "title", str),
            task_url=_required(obj, "task_url", str),
            instructions=_required(obj, "instructions", str),
            reward_cents=_required(obj, "reward_cents", int),
            currency=_required(obj, "currency", str),
            estimated_seconds=_required(obj, "estimated_seconds", int),
            assignments_per_task=_required(obj, "assignments_per_task", int),
            assignment_duration=_required(obj, "assignment_duration", int),
            task_lifetime=_required(obj, "task_lifetime", int),
            auto_approve_delay=_required(obj, "auto_approve_delay", int),
            frame_height=_optional(obj, "frame_height", int),
            allow=_strings(obj, "allow"),
            status=_required(obj, "status", str),
            created_at=_required(obj, "created_at", str),
            counts=_counts(obj, "counts"),
            countries=_strings(obj, "countries") if "countries" in obj else [],
            languages=_strings(obj, "languages") if "languages" in obj else [],
            gold_ratio=float(obj.get("gold_ratio") or 0.0),
            kind=str(obj.get("kind") or "work"),
            skills=_strings(obj, "skills") if "skills" in obj else [],
            qualifications=_strings(obj, "qualifications") if "qualifications" in obj else [],
            test_size=int(obj.get("test_size") or 10),
            pass_score=float(obj.get("pass_score", 0.8)),
            retry_after_seconds=int(obj.get("retry_after_seconds", 86_400)),
            crowd_review=None if crowd is None else CrowdReviewSettings.from_json(crowd),
            review_project_id=_optional(obj, "review_project_id", str),
            parent_project_id=_optional(obj, "parent_project_id", str),
        )


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: the client's ``external_id`` and ``input``, and its ``status``
    (``open``, ``completed``, ``expired`` or ``cancelled``)."""

    id: str
    project_id: str
    external_id: str
    input: dict[str, Any]
    status: str
    created_at: str

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, "task")
        return cls(
            id=_required(obj, "id", str),
            project_id=_required(obj, "project_id", str),
            external_id=_required(obj, "external_id", str),
            input=_required(obj, "input", dict),
            status=_required(obj, "status", str),
            created_at=_required(obj, "created_at", str),
        )


@dataclass(frozen=True, slots=True)
class TaskBatch:
    """The answer to adding tasks: how many were ``created`` and the tasks themselves."""

    project_id: str
    created: int
    tasks: list[Task]

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, None)
        return cls(
            project_id=_required(obj, "project_id", str),
            created=_required(obj, "created", int),
            tasks=[Task.from_json(task) for task in _required(obj, "tasks", list)],
        )


@dataclass(frozen=True, slots=True)
class Assignment:
    """One worker on one task.

    ``status`` goes ``accepted`` → ``submitted`` → ``approved`` | ``rejected``, or ends
    ``returned`` | ``expired``. ``worker_id`` is the worker's pseudonym for this client only.
    ``submitted_at``, ``result``, ``reviewed_at`` and ``reject_reason`` are ``None`` until the
    assignment gets that far. ``crowd_review`` (from ``get_assignment`` only) is what the
    project's crowd review made of the answer, ``None`` when it has none.
    """

    id: str
    project_id: str
    task_id: str
    external_id: str
    worker_id: str
    status: str
    accepted_at: str
    deadline: str
    submitted_at: str | None
    result: dict[str, Any] | None
    reviewed_at: str | None
    reject_reason: str | None
    signals: list[str] = field(default_factory=list)  # fraud signals seen at submission
    crowd_review: CrowdReviewStatus | None = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, "assignment")
        crowd = _optional(obj, "crowd_review", dict)
        return cls(
            id=_required(obj, "id", str),
            project_id=_required(obj, "project_id", str),
            task_id=_required(obj, "task_id", str),
            external_id=_required(obj, "external_id", str),
            worker_id=_required(obj, "worker_id", str),
            status=_required(obj, "status", str),
            accepted_at=_required(obj, "accepted_at", str),
            deadline=_required(obj, "deadline", str),
            submitted_at=_optional(obj, "submitted_at", str),
            result=_optional(obj, "result", dict),
            reviewed_at=_optional(obj, "reviewed_at", str),
            reject_reason=_optional(obj, "reject_reason", str),
            signals=_strings(obj, "signals") if "signals" in obj else [],
            crowd_review=None if crowd is None else CrowdReviewStatus.from_json(crowd),
        )


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    """A URL that receives the client's events (``event_types`` ``None`` means all of them).

    ``secret`` (``whsec_…``) is only set in the answer that created the endpoint: keep it then.
    """

    id: str
    url: str
    event_types: list[str] | None
    status: str
    created_at: str
    secret: str | None = None
    disabled_reason: str | None = None  # why the gateway (or the client) disabled it
    failing_since: str | None = None  # first failure of the current run of failures
    old_secrets_expire_at: str | None = None  # after a rotation: when older secrets stop signing

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, "webhook_endpoint")
        return cls(
            id=_required(obj, "id", str),
            url=_required(obj, "url", str),
            event_types=None if obj.get("event_types") is None else _strings(obj, "event_types"),
            status=_required(obj, "status", str),
            created_at=_required(obj, "created_at", str),
            secret=_optional(obj, "secret", str),
            disabled_reason=_optional(obj, "disabled_reason", str),
            failing_since=_optional(obj, "failing_since", str),
            old_secrets_expire_at=_optional(obj, "old_secrets_expire_at", str),
        )


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; ``next_cursor`` fetches the next one and is ``None`` on the last.

    Iterating over a page yields its items.
    """

    data: list[T]
    next_cursor: str | None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], item: Callable[[Mapping[str, Any]], T]) -> Self:
        """Build from ``{"data": [...], "next_cursor": ...}``, each item parsed by ``item``."""
        obj = _mapping(obj, None)
        return cls(
            data=[item(entry) for entry in _required(obj, "data", list)],
            next_cursor=_optional(obj, "next_cursor", str),
        )

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
