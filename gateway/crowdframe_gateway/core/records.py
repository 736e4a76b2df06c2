"""The domain records the store keeps; plain frozen dataclasses, no behaviour beyond views."""

from __future__ import annotations

import functools
import math
import secrets
import time
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "ANSWERED",
    "ASSIGNMENT_STATUSES",
    "HOUR",
    "PROJECT_COUNTS",
    "SIGNALS",
    "ApiKey",
    "AssessmentAttempt",
    "Assignment",
    "AssignmentStatus",
    "Attempt",
    "Block",
    "Client",
    "ClientRole",
    "ClientUser",
    "Credit",
    "CrowdReview",
    "Endpoint",
    "Event",
    "GoldStats",
    "Invitation",
    "Message",
    "Project",
    "ProjectSpec",
    "Qualification",
    "Task",
    "TaskStatus",
    "Worker",
    "approval_due_at",
    "hour_of",
    "iso",
    "new_id",
    "now",
]

AssignmentStatus = Literal["accepted", "submitted", "approved", "rejected", "returned", "expired"]
ASSIGNMENT_STATUSES: tuple[AssignmentStatus, ...] = (
    "accepted",
    "submitted",
    "approved",
    "rejected",
    "returned",
    "expired",
)
# an assignment with an answer: what the results export and the console's results list
ANSWERED: tuple[AssignmentStatus, ...] = ("submitted", "approved", "rejected")
# what the quality process flags a submission with (quality/process.py computes them)
SIGNALS = ("too_fast", "same_answer", "shared_address")
TaskStatus = Literal["open", "completed", "expired", "cancelled"]
# a project's task counts, as both stores read them: all its tasks, and those in each status
PROJECT_COUNTS = ("tasks", "open", "completed", "expired")


def new_id(prefix: str) -> str:
    """A random, URL-safe id with a type prefix (``asg_…``); unguessable, so ids leak nothing."""
    return f"{prefix}_{secrets.token_urlsafe(12)}"


def now() -> float:
    return time.time()


HOUR = 3600


def hour_of(at: float) -> int:
    """The hour ``at`` falls in, counted in hours since the Unix epoch (UTC): the key of the
    per-hour counters (a project's submissions per hour)."""
    return math.floor(at / HOUR)


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return _iso_second(math.floor(ts))


@functools.lru_cache(maxsize=4096)  # one submit formats the same few seconds a dozen times
def _iso_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str
    signing_secrets: tuple[str, ...]  # oldest first; the last one signs
    pseudonym_key: str
    created_at: float
    # a platform client's assessments may be required by any client's project (assessments.py)
    platform: bool = False


@dataclass(frozen=True, slots=True)
class CrowdReview:
    """A work project's crowd review stage (crowd_review.py): other workers check each answer
    on the client's review page; their majority verdict approves or rejects it."""

    task_url: str
    reward_cents: int
    estimated_seconds: int = 60
    reviewers: int = 2
    instructions: str = ""
    # who may review: ISO countries and language rules (empty: the work project's rules), and
    # the gold accuracy a reviewer needs in the work project (None: no gold record needed)
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_gold_accuracy: float | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> CrowdReview:
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known
        }
        return cls(**values)


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    """What a client configures on a project (validated by ``projects.parse_spec``)."""

    title: str
    task_url: str
    reward_cents: int
    instructions: str = ""
    currency: str = "USD"
    estimated_seconds: int = 60
    assignments_per_task: int = 1
    assignment_duration: int = 600
    task_lifetime: int = 7 * 24 * 3600
    # leases (work/rules.py heartbeat_deadline): each heartbeat of the task page moves a live
    # assignment's deadline to this many seconds later (0: heartbeats move nothing), never past
    # ``lease_max_seconds`` after the claim
    lease_extension_seconds: int = 0
    lease_max_seconds: int = 24 * 3600
    auto_approve_delay: int = 3 * 24 * 3600
    frame_height: int | None = None
    allow: tuple[str, ...] = ()
    # "mturk": the frame URL carries MTurk's ExternalQuestion parameters (migrate-from-mturk.md)
    protocol: str = "crowdframe"
    # who may work on it (qualification.py): ISO countries, and languages as "de" or "de:native"
    countries: tuple[str, ...] = ()
    excluded_countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    # gold questions (quality.py): the share of claims that get a gold task, how many gold
    # answers a worker gives before being judged, and the accuracy below which they are stopped
    gold_ratio: float = 0.0
    gold_min_answers: int = 3
    gold_min_accuracy: float = 0.7
    kind: Literal["work", "assessment", "review"] = "work"
    # skills the worker must list, and assessments (project ids) whose qualification they must
    # hold (assessments.py)
    skills: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    # an assessment (kind "assessment"): questions per attempt, the share right to pass, and the
    # wait after a failed attempt before the next
    test_size: int = 10
    pass_score: float = 0.8
    retry_after_seconds: int = 24 * 3600
    # redundancy: when the answers of a task agree less than ``agreement_min`` (share of
    # workers on the majority answer, per field), one more worker is asked, up to
    # ``assignments_max`` in all (0: never more than ``assignments_per_task``)
    agreement_min: float = 0.0
    assignments_max: int = 0
    # crowd review (crowd_review.py): on a work project, the stage's settings (None: off) and
    # the review project it runs in (kept when the stage is switched off, to switch it on
    # again); on a review project (kind "review"), the work project it reviews
    crowd_review: CrowdReview | None = None
    review_project_id: str | None = None
    parent_project_id: str | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ProjectSpec:
        """From its stored JSON form: lists become tuples, keys this version lacks are dropped."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in known
        }
        if isinstance(values.get("crowd_review"), dict):
            values["crowd_review"] = CrowdReview.from_dict(values["crowd_review"])
        return cls(**values)

    def approval_due_at(self, submitted_at: float) -> float:
        """When an unreviewed submission to this project is approved by the gateway."""
        return approval_due_at(submitted_at, self.auto_approve_delay)


def approval_due_at(submitted_at: float, delay: float) -> float:
    """When an unreviewed submission is approved by the gateway: once its project's
    auto-approve delay (as the project says now) has passed since it was submitted. The one
    statement of the rule: ``quality.rules.approval_due`` and every due-time hint use it."""
    return submitted_at + delay


@dataclass(frozen=True, slots=True)
class Project:
    id: str
    client_id: str
    spec: ProjectSpec
    status: Literal["active", "paused"]
    created_at: float
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    project_id: str
    external_id: str
    input: dict[str, Any]
    status: TaskStatus
    created_at: float
    expires_at: float
    gold: dict[str, Any] | None = None  # the known answer of a gold task; never sent to workers


@dataclass(frozen=True, slots=True)
class Assignment:
    id: str
    task_id: str
    project_id: str
    client_id: str
    worker_id: str
    worker_pseudonym: str  # what the client sees as worker_id (credentials.worker_pseudonym)
    external_id: str  # the task's, copied so a listing needs no join
    status: AssignmentStatus
    accepted_at: float
    deadline: float
    submitted_at: float | None = None
    result: dict[str, Any] | None = None
    reviewed_at: float | None = None
    reject_reason: str | None = None
    signals: tuple[str, ...] = ()  # fraud signals seen at submission (quality.py)

    @property
    def live(self) -> bool:
        return self.status == "accepted"


@dataclass(frozen=True, slots=True)
class Worker:
    id: str
    email: str
    password_hash: str
    country: str
    languages: tuple[str, ...]
    created_at: float
    skills: tuple[str, ...] = ()  # lowercase slugs such as "transcription" (accounts.py)
    locale: str | None = None  # their pages' language, chosen on one (web/i18n.py); None: unset
    # when they opened the link emailed to their address (identity/links.py); None: not yet
    email_verified_at: float | None = None


ClientRole = Literal["owner", "member"]


@dataclass(frozen=True, slots=True)
class ClientUser:
    """A person of a client who signs in to the console (identity/members.py)."""

    id: str
    client_id: str
    email: str
    password_hash: str
    role: ClientRole
    created_at: float


@dataclass(frozen=True, slots=True)
class Invitation:
    """A one-time link to become a client user; the token is shown once, stored as its hash."""

    id: str
    client_id: str
    email: str
    role: ClientRole
    created_at: float
    expires_at: float
    invited_by: str | None = None  # the client user who invited; None: the operator's command
    accepted_at: float | None = None


@dataclass(frozen=True, slots=True)
class Endpoint:
    id: str
    client_id: str
    url: str
    secrets: tuple[str, ...]  # oldest first; every one signs during a rotation
    event_types: tuple[str, ...] | None  # None: every type
    status: Literal["enabled", "disabled"]
    created_at: float
    # when the secrets before the last stop signing (set by a rotation; None: only one secret;
    # webhooks.rules.signing_secrets)
    old_secrets_expire_at: float | None = None
    failing_since: float | None = None  # first failed attempt of the current run of failures
    disabled_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    client_id: str
    type: str
    created_at: float
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    """One event on its way to one endpoint (a row of the outbox)."""

    id: str
    event: Event
    endpoint: Endpoint
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: float
    created_at: float = 0.0


@dataclass(frozen=True, slots=True)
class GoldStats:
    """A worker's record on one project's gold tasks."""

    project_id: str
    worker_id: str
    worker_pseudonym: str
    answered: int
    correct: int
    stopped: bool

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class Block:
    """A client's block of a worker (by pseudonym), from one project or (project_id "") all."""

    client_id: str
    worker_pseudonym: str
    project_id: str
    reason: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Attempt:
    message_id: str
    at: float
    status_code: int | None
    latency_ms: float
    response: str
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ApiKey:
    """One of a client's API keys; the key itself is shown once and stored only as its hash."""

    id: str
    client_id: str
    name: str
    prefix: str  # the key's first characters, so its owner can tell keys apart
    created_at: float
    revoked_at: float | None = None


@dataclass(frozen=True, slots=True)
class Credit:
    """One line of a worker's earnings ledger: an approved assignment's reward, or a bonus."""

    id: str
    worker_id: str
    client_id: str
    assignment_id: str
    kind: Literal["reward", "bonus"]
    amount_cents: int
    currency: str
    reason: str
    key: str  # unique: a reward is credited once per assignment, a bonus once per request token
    created_at: float


@dataclass(frozen=True, slots=True)
class AssessmentAttempt:
    """One sitting of a worker at an assessment: ``test_size`` questions they had not seen."""

    project_id: str
    worker_id: str
    worker_pseudonym: str
    number: int  # 1 for the first attempt
    test_size: int
    started_at: float
    answered: int = 0
    correct: int = 0
    finished_at: float | None = None
    passed: bool | None = None  # None while answers are still to come
    # its questions (task ids) in the order it asks them, chosen when it started
    # (quality.rules.attempt_questions); () for an attempt from before they were chosen
    questions: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        return self.correct / self.test_size if self.test_size else 0.0


@dataclass(frozen=True, slots=True)
class Qualification:
    """What passing an assessment grants: its id is the assessment project's id."""

    assessment_id: str
    worker_id: str
    worker_pseudonym: str
    score: float
    granted_at: float
