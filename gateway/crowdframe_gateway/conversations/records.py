"""What the conversations context keeps: disputes, threads and their messages, notices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "NOTICE_KINDS",
    "Author",
    "Dispute",
    "DisputeStatus",
    "Notice",
    "NoticeKind",
    "Thread",
    "ThreadMessage",
]

DisputeStatus = Literal["open", "overturned", "upheld"]
Author = Literal["client", "worker"]
NoticeKind = Literal["rejected", "dispute_answered", "bonus", "message", "qualification"]
NOTICE_KINDS: tuple[NoticeKind, ...] = (
    "rejected",
    "dispute_answered",
    "bonus",
    "message",
    "qualification",
)


@dataclass(frozen=True, slots=True)
class Dispute:
    """A worker's objection to a rejection, once per assignment; the client answers it by
    overturning the rejection or upholding it with a reply."""

    id: str
    assignment_id: str
    client_id: str
    project_id: str
    task_id: str
    worker_id: str
    worker_pseudonym: str
    message: str
    reject_reason: str
    status: DisputeStatus
    opened_at: float
    due_at: float  # answered by then, or reported to the operator
    answered_at: float | None = None
    reply: str | None = None
    reported_at: float | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """A conversation between one client and one worker (who the client knows by pseudonym)."""

    id: str
    client_id: str
    worker_id: str
    worker_pseudonym: str
    project_id: str  # "" when the client wrote to the worker, not to a project's workers
    subject: str
    created_at: float


@dataclass(frozen=True, slots=True)
class ThreadMessage:
    id: str
    thread_id: str
    client_id: str
    author: Author
    body: str
    created_at: float


@dataclass(frozen=True, slots=True)
class Notice:
    """A line in the worker's inbox telling them something happened; written once (``key``)."""

    id: str
    worker_id: str
    kind: NoticeKind
    text: str
    link: str
    key: str
    created_at: float
