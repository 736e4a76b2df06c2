"""The answers of the client API as typed models: what ``views.py`` and the handlers' views
build, described for ``/openapi.json`` (and so for the SDK, whose records a test checks against
them). A member not named here may be added to an answer later: clients ignore what they do not
know, so these models allow more."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

__all__ = [
    "Accepted",
    "ApiKeyView",
    "AssignmentView",
    "AttemptView",
    "BlockView",
    "BonusView",
    "BulkReviewView",
    "CrowdReviewView",
    "DisputeView",
    "EndpointView",
    "ErrorBody",
    "GoldView",
    "List",
    "MessageView",
    "OverturnView",
    "Page",
    "ProjectView",
    "QualificationAttemptView",
    "Replayed",
    "Revoked",
    "SigningSecretView",
    "TaskBatchView",
    "TaskView",
    "ThreadMessageView",
    "ThreadView",
    "ThreadWithMessages",
    "Unblocked",
    "VerifiedToken",
    "WebhookMessageView",
]

T = TypeVar("T")
Time = str  # ISO 8601, UTC (``2026-11-23T18:00:00Z``)


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


class Page(Answer, Generic[T]):
    """One page of a list; ``next_cursor`` fetches the next one (``null`` on the last)."""

    data: list[T]
    next_cursor: str | None


class List(Answer, Generic[T]):
    object: Literal["list"]
    data: list[T]


class CrowdReviewSettingsView(Answer):
    task_url: str
    reward_cents: int
    estimated_seconds: int
    reviewers: int
    instructions: str
    countries: list[str]
    languages: list[str]
    min_gold_accuracy: float | None


class ProjectView(Answer):
    id: str
    object: Literal["project"]
    title: str
    task_url: str
    reward_cents: int
    instructions: str
    currency: str
    estimated_seconds: int
    assignments_per_task: int
    assignment_duration: int
    task_lifetime: int
    lease_extension_seconds: int
    lease_max_seconds: int
    auto_approve_delay: int
    frame_height: int | None
    allow: list[str]
    protocol: str
    countries: list[str]
    excluded_countries: list[str]
    languages: list[str]
    gold_ratio: float
    gold_min_answers: int
    gold_min_accuracy: float
    kind: Literal["work", "assessment", "review"]
    skills: list[str]
    qualifications: list[str]
    test_size: int
    pass_score: float
    retry_after_seconds: int
    agreement_min: float
    assignments_max: int
    crowd_review: CrowdReviewSettingsView | None
    review_project_id: str | None
    parent_project_id: str | None
    status: Literal["active", "paused"]
    created_at: Time
    counts: dict[str, int]


class TaskView(Answer):
    id: str
    object: Literal["task"]
    project_id: str
    external_id: str
    input: dict[str, Any]
    gold: dict[str, Any] | None
    status: str
    created_at: Time


class TaskBatchView(Answer):
    project_id: str
    created: int
    tasks: list[TaskView]


class CrowdReviewView(Answer):
    status: str
    votes: dict[str, int]
    verdict: str | None
    reasons: list[str]
    review_task_id: str | None


class AssignmentView(Answer):
    id: str
    object: Literal["assignment"]
    project_id: str
    task_id: str
    external_id: str
    worker_id: str
    status: Literal["accepted", "submitted", "approved", "rejected", "returned", "expired"]
    accepted_at: Time
    deadline: Time
    submitted_at: Time | None
    result: dict[str, Any] | None
    reviewed_at: Time | None
    reject_reason: str | None
    signals: list[str]


class AssignmentWithReview(AssignmentView):
    crowd_review: CrowdReviewView | None


class BulkRefusal(Answer):
    id: str
    error: dict[str, str]


class BulkReviewView(Answer):
    data: list[AssignmentView]
    refused: list[BulkRefusal]


class BonusView(Answer):
    object: Literal["bonus"]
    assignment_id: str
    worker_id: str
    amount_cents: int
    currency: str
    reason: str
    created_at: Time


class VerifiedToken(Answer):
    valid: Literal[True]
    claims: dict[str, Any]


class EndpointView(Answer):
    id: str
    object: Literal["webhook_endpoint"]
    url: str
    event_types: list[str] | None
    status: str
    created_at: Time
    disabled_reason: str | None
    failing_since: Time | None
    old_secrets_expire_at: Time | None
    secret: str | None = None  # only when created or rotated


class WebhookMessageView(Answer):
    id: str
    object: Literal["webhook_message"]
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: Time | None
    created_at: Time
    payload: dict[str, Any]


class AttemptView(Answer):
    object: Literal["webhook_attempt"]
    message_id: str
    at: Time
    status_code: int | None
    latency_ms: float
    response: str
    error: str | None


class Accepted(Answer):
    """A test event on its way: its message."""

    message_id: str


class Replayed(Answer):
    replayed: int


class ApiKeyView(Answer):
    id: str
    object: Literal["api_key"]
    name: str
    prefix: str
    created_at: Time
    revoked_at: Time | None
    key: str | None = None  # only when created


class SigningSecretView(Answer):
    object: Literal["signing_secret"]
    kid: str
    signing: bool
    secret: str | None = None  # only when created


class DisputeView(Answer):
    id: str
    object: Literal["dispute"]
    assignment_id: str
    task_id: str
    project_id: str
    worker_id: str
    message: str
    reject_reason: str
    status: Literal["open", "overturned", "upheld"]
    opened_at: Time
    due_at: Time
    answered_at: Time | None
    reply: str | None


class OverturnView(DisputeView):
    assignment: AssignmentView


class ThreadView(Answer):
    id: str
    object: Literal["thread"]
    worker_id: str
    project_id: str | None
    subject: str
    created_at: Time


class ThreadMessageView(Answer):
    id: str
    object: Literal["message"]
    thread_id: str
    author: Literal["client", "worker"]
    body: str
    created_at: Time


class ThreadWithMessages(ThreadView):
    messages: list[ThreadMessageView]


MessageView = ThreadMessageView


class BlockView(Answer):
    object: Literal["block"]
    worker_id: str
    project_id: str | None
    reason: str
    created_at: Time


class Unblocked(Answer):
    unblocked: Literal[True]


class GoldView(Answer):
    worker_id: str
    gold_answered: int
    gold_correct: int
    accuracy: float | None
    stopped: bool


class QualificationAttemptView(Answer):
    object: Literal["qualification_attempt"]
    project_id: str
    qualification_id: str
    worker_id: str
    attempt: int
    answered: int
    correct: int
    score: float
    passed: bool | None
    started_at: Time
    finished_at: Time | None
    test_size: int


class Revoked(Answer):
    revoked: Literal[True]


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """A refusal: ``field`` names the bad input."""

    error: ErrorDetail
