"""The one seam between the gateway and its storage.

Every state change that clients hear about writes its event, and one outbox message per
subscribed endpoint, in the same transaction as the change itself: nothing is announced that
did not happen, and nothing happens unannounced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from ..core.records import (
    ApiKey,
    AssessmentAttempt,
    Assignment,
    AssignmentStatus,
    Attempt,
    Block,
    Client,
    Credit,
    Endpoint,
    Event,
    GoldGrade,
    GoldStats,
    Message,
    Project,
    ProjectSpec,
    Qualification,
    Task,
    Worker,
)
from ..mturk.records import Hit, HitType, MTurkCredential
from ..quality.rules import AttemptState

__all__ = [
    "AttemptResult",
    "AttemptStart",
    "DeliveryOutcome",
    "Page",
    "Store",
    "TaskBatchResult",
]

T = TypeVar("T")
DeliveryOutcome = Literal["delivered", "retry", "failed"]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """A finished delivery attempt and what follows: ``next_attempt_at`` for a retry."""

    attempt: Attempt
    outcome: DeliveryOutcome
    next_attempt_at: float | None


@dataclass(frozen=True, slots=True)
class TaskBatchResult:
    tasks: list[Task]
    replayed: bool  # True when an earlier request with the same idempotency key answered


@dataclass(frozen=True, slots=True)
class AttemptStart:
    """The answer of ``start_attempt``: ``open`` with the attempt to go on with (perhaps just
    started), or why none (``qualified``, ``cooling`` with the failed attempt, ``exhausted``)."""

    state: AttemptState
    attempt: AssessmentAttempt | None


class Store(Protocol):
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def sync(self) -> None:
        """Make every acknowledged write durable before its answer is sent (the gateway calls
        this before each response); a store whose writes are durable on commit does nothing."""
        ...

    # clients and workers
    async def create_client(self, client: Client, api_key_hash: str) -> None: ...
    async def client_by_key_hash(self, key_hash: str) -> Client | None:
        """The client owning a live (not revoked) API key with this hash (see create_api_key)."""
        ...

    async def get_client(self, client_id: str) -> Client | None: ...
    async def create_worker(self, worker: Worker) -> None: ...
    async def worker_by_email(self, email: str) -> Worker | None: ...
    async def get_worker(self, worker_id: str) -> Worker | None: ...
    async def update_worker_profile(
        self, worker_id: str, *, languages: tuple[str, ...], skills: tuple[str, ...]
    ) -> Worker:
        """Replace the worker's languages and skills; ``NotFound`` for an unknown worker."""
        ...

    # projects and tasks
    async def create_project(self, project: Project) -> None: ...
    async def get_project(self, project_id: str) -> Project | None: ...
    async def list_projects(
        self, client_id: str, *, cursor: str | None, limit: int
    ) -> Page[Project]: ...
    async def update_project(self, project_id: str, spec: ProjectSpec, status: str) -> Project: ...
    async def add_tasks(
        self,
        client_id: str,
        project_id: str,
        tasks: Sequence[Task],
        *,
        idempotency_key: str | None,
        request_hash: str,
    ) -> TaskBatchResult: ...
    async def get_task(self, task_id: str) -> Task | None: ...

    # work: the worker's side
    async def open_projects(self, worker_id: str, *, now: float) -> list[tuple[Project, int]]: ...
    async def peek_task(self, project_id: str, worker_id: str, *, now: float) -> Task | None: ...
    async def claim(
        self,
        project_id: str,
        worker_id: str,
        worker_pseudonym: str,
        *,
        now: float,
        gold: bool = False,
    ) -> Assignment | None:
        """Atomically give the worker a task: a gold one first when ``gold`` and one is left.
        In an assessment a worker holding a live question (accepted, before its deadline)
        gets none: one question at a time, however many tabs accept at once."""
        ...

    async def live_assignment(self, project_id: str, worker_id: str) -> Assignment | None: ...
    async def get_assignment(self, assignment_id: str) -> Assignment | None: ...
    async def submit(
        self,
        assignment_id: str,
        result: dict[str, Any],
        *,
        now: float,
        signals: tuple[str, ...] = (),
        ip_hash: str | None = None,
        gold: GoldGrade | None = None,
    ) -> Assignment:
        """Keep a submission, in one step with all it causes: its signals, its place on the
        crowd review queue, the task's completion (or one more seat), its events, and with
        ``gold`` the answer counted on the worker's gold record (stopping them, once, with a
        ``worker.stopped`` event, if ``gold.stop``). A gold record that no longer has
        ``gold.seen`` answers refuses it all: ``Conflict`` ``gold_record_changed``."""
        ...

    async def return_assignment(self, assignment_id: str, *, now: float) -> Assignment: ...
    async def expire_assignments(self, *, now: float) -> int: ...

    # review: the client's side
    async def list_assignments(
        self,
        client_id: str,
        *,
        project_id: str | None,
        status: AssignmentStatus | None,
        cursor: str | None,
        limit: int,
        signal: str | None = None,
    ) -> Page[Assignment]: ...
    async def review(
        self,
        assignment_id: str,
        *,
        approve: bool,
        reason: str | None,
        now: float,
        event_extra: dict[str, Any] | None = None,
    ) -> Assignment:
        """Approve or reject a submitted assignment (repeating the same review is harmless);
        ``event_extra`` is added to its event's data (who reviewed it)."""
        ...

    # crowd review (crowd_review.py)
    async def add_review_task(self, task: Task, *, excluded_worker: str) -> Task:
        """Add one task that ``excluded_worker`` is never offered, previewed or given (the
        review of that worker's own answer). Idempotent on ``task.id``: when a task with that
        id is stored already, it is returned as it is and nothing is written."""
        ...

    async def cancel_task(
        self, task_id: str, *, now: float, untaken_only: bool = False
    ) -> Task | None:
        """Cancel an open task: it leaves the pool for good (no claim or preview gets it),
        atomically with claims, and a ``task.cancelled`` event is written with it. Assignments
        already accepted may still be submitted; the task stays ``cancelled``. With
        ``untaken_only`` a task some worker took (accepted, submitted or reviewed) is left as it
        is (crowd review: a review task nobody started). Returns the task as it is then
        (``cancelled``, or unchanged); None if there is none. Idempotent."""
        ...

    async def crowd_reviews_due(self, *, now: float, limit: int) -> list[str]:
        """Ids of assignments on the crowd review queue whose next visit is due at ``now``.
        ``submit`` puts every non-gold submission of a project with ``crowd_review`` on the
        queue, due at once, in the same transaction as the submission."""
        ...

    async def schedule_crowd_review(self, assignment_id: str, *, at: float | None) -> None:
        """When the queued assignment is visited next; ``None`` takes it off the queue."""
        ...

    # webhooks: endpoints, events, the outbox
    async def create_endpoint(self, endpoint: Endpoint) -> None: ...
    async def get_endpoint(self, endpoint_id: str) -> Endpoint | None: ...
    async def list_endpoints(self, client_id: str) -> list[Endpoint]: ...
    async def record_event(
        self, client_id: str, type: str, data: dict[str, Any], *, endpoint_id: str | None = None
    ) -> tuple[Event, list[str]]: ...
    async def lease_messages(
        self, *, now: float, limit: int, lease_seconds: float, per_endpoint: int = 16
    ) -> list[Message]:
        """Due pending messages, oldest first, leased (not due again) for ``lease_seconds``.

        Skips a message while an earlier message about the same task (``data.task_id``) for the
        same endpoint is leased or never tried, and skips an endpoint that already has
        ``per_endpoint`` messages leased, counted across every process."""
        ...

    async def finish_attempt(
        self, attempt: Attempt, outcome: DeliveryOutcome, *, next_attempt_at: float | None
    ) -> None:
        """Log the attempt, end the lease, set the message's status; a success clears the
        endpoint's ``failing_since``, a failure sets it unless set. A ``retry`` for an endpoint
        disabled meanwhile becomes ``failed``."""
        ...

    async def finish_attempts(self, results: Sequence[AttemptResult]) -> None:
        """``finish_attempt`` for several attempts at once (the delivery loop's group commit);
        need not be durable against power loss: a lost finish only repeats a delivery."""
        ...

    async def list_attempts(self, message_id: str) -> list[Attempt]: ...
    async def wait_for_messages(self, seconds: float) -> None: ...

    # webhooks: what clients manage (issue 4)
    async def update_endpoint(
        self,
        endpoint_id: str,
        *,
        url: str,
        event_types: tuple[str, ...] | None,
        enabled: bool,
    ) -> Endpoint:
        """Change an endpoint; enabling clears ``failing_since``, disabling fails its pending
        messages (as ``disable_endpoint`` does, without the event)."""
        ...

    async def rotate_endpoint_secret(
        self, endpoint_id: str, secret: str, *, now: float, old_valid_until: float
    ) -> Endpoint:
        """Append ``secret``; the secrets still signing at ``now`` keep signing until
        ``old_valid_until``, older ones are dropped."""
        ...

    async def disable_endpoint(self, endpoint_id: str, *, reason: str, now: float) -> bool:
        """Disable an enabled endpoint, fail its pending messages and record an
        ``endpoint.disabled`` event, in one transaction. False if it was not enabled."""
        ...

    async def get_message(self, message_id: str) -> Message | None: ...
    async def list_messages(
        self,
        endpoint_id: str,
        *,
        status: Literal["pending", "delivered", "failed"] | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Message]:
        """An endpoint's messages, newest first."""
        ...

    async def replay_message(self, message_id: str, *, now: float) -> Message:
        """Make a delivered or failed message due now with a fresh retry schedule (attempts 0).
        Conflict ``message_pending`` if it is pending, ``endpoint_disabled`` if disabled."""
        ...

    async def replay_failed(self, endpoint_id: str, *, since: float, now: float) -> int:
        """``replay_message`` for every failed message of the endpoint created at or after
        ``since``; the number replayed."""
        ...

    # the live feed of a client's events
    async def event_cursor(self, client_id: str) -> str:
        """The cursor of the client's newest event: reading after it yields only later ones."""
        ...

    async def read_events(
        self, client_id: str, *, after: str | None, limit: int, wait: float = 0.0
    ) -> list[tuple[str, Event]]:
        """The client's events recorded after the cursor (``None``: from the first), oldest
        first, each with its own cursor; if there are none yet, waits up to ``wait`` seconds
        for one (events recorded by any process). A malformed cursor is ``InvalidInput``."""

    # quality: gold records, block lists, auto-approval
    async def gold_stats(self, project_id: str) -> list[GoldStats]: ...
    async def gold_record(self, project_id: str, worker_id: str) -> GoldStats | None:
        """One worker's gold record in a project (who may crowd-review it); None for none."""
        ...

    async def block(self, block: Block) -> None: ...
    async def unblock(self, client_id: str, worker_pseudonym: str, project_id: str) -> bool: ...
    async def list_blocks(self, client_id: str) -> list[Block]: ...
    async def is_blocked(
        self, client_id: str, worker_id: str, worker_pseudonym: str, project_id: str
    ) -> bool: ...
    async def auto_approve(self, *, now: float) -> list[Assignment]: ...
    async def worker_history(
        self, project_id: str, worker_id: str, *, limit: int
    ) -> list[dict[str, Any]]: ...
    async def workers_on_ip(self, project_id: str, ip_hash: str, *, other_than: str) -> int: ...
    async def work_seconds(self, project_id: str, *, limit: int) -> list[float]: ...

    # assessments: attempts and the qualifications they grant (assessments.py, exam_rules.py)
    async def start_attempt(
        self,
        project_id: str,
        worker_id: str,
        worker_pseudonym: str,
        *,
        test_size: int,
        retry_after: float,
        now: float,
    ) -> AttemptStart:
        """The worker's open attempt at the assessment, or a new one when
        ``exam_rules.attempt_state`` says ``start``. Atomic: a worker never has two open
        attempts at one assessment."""
        ...

    async def record_attempt_answer(
        self, project_id: str, worker_id: str, *, correct: bool, needed: int, now: float
    ) -> AssessmentAttempt | None:
        """Count one graded answer in the worker's open attempt. The attempt's last answer
        ends it, in the same transaction: passed with at least ``needed`` right, which grants
        the qualification (once), and a ``qualification.granted`` or ``qualification.failed``
        event. None when no attempt is open (the answer counts for nothing)."""
        ...

    async def latest_attempt(self, project_id: str, worker_id: str) -> AssessmentAttempt | None: ...

    async def unseen_questions(self, project_id: str, worker_id: str, *, now: float) -> int:
        """The open, unexpired gold tasks of the project the worker never had."""
        ...

    async def held_qualifications(self, worker_id: str, assessment_ids: Sequence[str]) -> set[str]:
        """Which of these assessments' qualifications the worker holds."""
        ...

    async def list_assessment_attempts(
        self, project_id: str, *, cursor: str | None, limit: int
    ) -> Page[AssessmentAttempt]:
        """Every attempt at the assessment, in the order they were started."""
        ...

    async def get_qualification(
        self, assessment_id: str, worker_id: str
    ) -> Qualification | None: ...
    async def revoke_qualification(self, assessment_id: str, worker_pseudonym: str) -> bool:
        """Take back a granted qualification (the worker may then take the test again); False
        if the worker did not hold it."""
        ...

    # earnings ledger
    async def credit(self, credit: Credit) -> Credit: ...
    async def earnings(self, worker_id: str) -> list[Credit]: ...
    async def list_bonuses(
        self,
        client_id: str,
        *,
        task_id: str | None,
        assignment_id: str | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Credit]: ...

    # tasks, as MTurk compatibility needs them (HITs)
    async def set_task_expiry(self, task_id: str, expires_at: float) -> Task: ...
    async def list_task_assignments(
        self,
        task_id: str,
        *,
        statuses: Sequence[AssignmentStatus],
        cursor: str | None,
        limit: int,
    ) -> Page[Assignment]: ...

    # MTurk compatibility: credentials, HIT types, HITs
    async def create_mturk_credential(self, credential: MTurkCredential) -> None: ...
    async def get_mturk_credential(self, access_key_id: str) -> MTurkCredential | None: ...
    async def revoke_mturk_credential(self, access_key_id: str) -> bool: ...
    async def hit_type_for(self, hit_type: HitType) -> HitType: ...
    async def get_hit_type(self, hit_type_id: str) -> HitType | None: ...
    async def hit_type_project(
        self, hit_type_id: str, origin: str, project: Project
    ) -> Project: ...
    async def create_hit(self, hit: Hit, unique_request_token: str | None) -> Hit: ...
    async def get_hit(self, task_id: str) -> Hit | None: ...
    async def list_hits(self, client_id: str, *, cursor: str | None, limit: int) -> Page[Hit]: ...
    async def dispose_hit(self, task_id: str, *, now: float) -> Hit: ...

    # a client's keyring: API keys and token signing secrets (keyring.py)
    async def create_api_key(self, key: ApiKey, key_hash: str) -> None:
        """Store a new live API key of ``key.client_id``, found by ``client_by_key_hash``."""
        ...

    async def list_api_keys(self, client_id: str) -> list[ApiKey]:
        """The client's API keys, live and revoked, newest first."""
        ...

    async def revoke_api_key(self, client_id: str, key_id: str, *, now: float) -> ApiKey:
        """Revoke one of the client's keys at once; ``NotFound`` if it is not the client's,
        ``Conflict`` (``last_api_key``) if it is the client's last live key. Idempotent."""
        ...

    async def add_signing_secret(self, client_id: str, secret: str) -> Client:
        """Append a token signing secret: it becomes the newest, the one that signs."""
        ...

    async def remove_signing_secret(self, client_id: str, kid: str) -> Client:
        """Drop the secret with this key id; ``NotFound`` if there is none, ``Conflict``
        (``last_signing_secret``) if it is the only one. Atomic: a client always keeps one."""
        ...

    # rate limits, shared by every gateway process (throttle.py)
    async def count_attempt(self, key: str, *, window: float, now: float) -> tuple[int, float]:
        """Count one attempt under ``key`` in a fixed window that opens at the first attempt and
        lasts ``window`` seconds; the attempts in the window so far (this one included) and the
        time the window closes. Atomic across processes."""
        ...
