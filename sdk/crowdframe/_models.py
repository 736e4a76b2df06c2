"""The objects the REST API returns, as typed frozen dataclasses.

Each class has ``from_json``, which checks the shape once, at the edge, and ignores keys it does
not know: a newer gateway may add fields without breaking an older SDK (``_decode`` reads each
field by its declared type). Field names are those of
``docs/api.md``; times stay ISO 8601 strings, money stays integer minor units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Required, Self, TypedDict, TypeVar

from ._decode import _mapping, _Model, _optional, _required

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
    lease_extension_seconds: int  # 0 (off), or 60-3600: each heartbeat's more time
    lease_max_seconds: int
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
    lease_extension_seconds: int
    lease_max_seconds: int
    crowd_review: CrowdReviewParams | None  # None turns crowd review off
    status: str


@dataclass(frozen=True, slots=True)
class CrowdReviewSettings(_Model):
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


@dataclass(frozen=True, slots=True)
class CrowdReviewStatus(_Model):
    """What the crowd made of one answer: ``status`` is ``pending``, ``approved``,
    ``rejected``, ``tie`` (left to the client), ``overridden`` (reviewed otherwise first) or
    ``cancelled`` (reviewed otherwise before any reviewer took it: no verdict will come);
    ``votes`` counts each verdict so far, ``verdict`` is the majority once all are in."""

    status: str
    votes: dict[str, int]
    verdict: str | None = None
    reasons: list[str] = field(default_factory=list)
    review_task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Project(_Model):
    """A project: where its tasks are shown (``task_url``), what they pay, how they are run.

    ``status`` is ``active`` or ``paused``; ``counts`` holds ``tasks``, ``open``,
    ``completed`` and ``expired``; ``lease_extension_seconds`` (0: off) is how far each
    heartbeat of the task page moves a live assignment's deadline, up to ``lease_max_seconds``
    after its accept; ``frame_height`` is ``None`` when the frame resizes to its content.
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
    lease_extension_seconds: int = 0
    lease_max_seconds: int = 86_400

    _object = "project"


@dataclass(frozen=True, slots=True)
class Task(_Model):
    """One unit of work: the client's ``external_id`` and ``input``, and its ``status``
    (``open``, ``completed``, ``expired`` or ``cancelled``)."""

    id: str
    project_id: str
    external_id: str
    input: dict[str, Any]
    status: str
    created_at: str

    _object = "task"


@dataclass(frozen=True, slots=True)
class TaskBatch(_Model):
    """The answer to adding tasks: how many were ``created`` and the tasks themselves."""

    project_id: str
    created: int
    tasks: list[Task]


@dataclass(frozen=True, slots=True)
class Assignment(_Model):
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

    _object = "assignment"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint(_Model):
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

    _object = "webhook_endpoint"


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
