"""The store's part of the conversations context: disputes, threads and their messages, who
muted whom, the worker's notices, rejections and notice opt-outs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..core.page import Page
from .records import Author, Dispute, DisputeStatus, Notice, Thread, ThreadMessage

__all__ = ["ConversationsStore", "DisputeAnswer", "DisputeQuery", "ThreadMessageQuery"]


@dataclass(frozen=True, slots=True)
class DisputeQuery:
    """One page of a client's disputes (``list_disputes``), oldest first, in one status or any."""

    limit: int
    status: DisputeStatus | None = None
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class DisputeAnswer:
    """The client's answer to an open dispute: ``overturned`` or ``upheld`` with a reply."""

    status: DisputeStatus
    reply: str | None
    at: float


@dataclass(frozen=True, slots=True)
class ThreadMessageQuery:
    """One page of the messages in a client's threads (``client_messages``), oldest first."""

    limit: int
    author: Author | None = None
    cursor: str | None = None


class ConversationsStore(Protocol):
    async def open_dispute(self, dispute: Dispute, event: dict[str, Any]) -> Dispute:
        """Keep the dispute and its ``assignment.disputed`` event (``event``: its data) in one
        step; Conflict ``already_disputed`` if the assignment has one (naming it)."""
        ...

    async def get_dispute(self, client_id: str, dispute_id: str) -> Dispute | None: ...
    async def dispute_of(self, client_id: str, assignment_id: str) -> Dispute | None: ...
    async def list_disputes(self, client_id: str, query: DisputeQuery) -> Page[Dispute]: ...
    async def answer_dispute(
        self, client_id: str, dispute_id: str, answer: DisputeAnswer
    ) -> Dispute:
        """Move an open dispute to the answer's status (``rules.answer_of`` decided it may);
        a repeat of the same answer returns the dispute as it is. Conflict ``dispute_answered``
        if it was answered the other way meanwhile."""
        ...

    async def overdue_disputes(self, *, now: float) -> list[Dispute]:
        """Every open dispute past its ``due_at``, the oldest due first."""
        ...

    async def report_overdue(self, dispute: Dispute, event: dict[str, Any], *, now: float) -> bool:
        """Mark an open, overdue dispute reported and record its ``dispute.overdue`` event, in
        one step; False if it was reported (or answered) before."""
        ...

    async def post_message(
        self, thread: Thread, message: ThreadMessage, event: dict[str, Any] | None
    ) -> None:
        """Keep a message (and its thread, the first time), with ``message.received`` when
        ``event`` is given (a worker's reply), in one step."""
        ...

    async def get_thread(self, thread_id: str) -> Thread | None: ...
    async def thread_messages(self, thread: Thread) -> list[ThreadMessage]:
        """The thread's messages, oldest first."""
        ...

    async def client_threads(
        self, client_id: str, *, limit: int, cursor: str | None
    ) -> Page[Thread]: ...
    async def worker_threads(self, worker_id: str, *, limit: int) -> list[Thread]:
        """The worker's threads, the latest message first."""
        ...

    async def client_messages(
        self, client_id: str, query: ThreadMessageQuery
    ) -> Page[ThreadMessage]: ...
    async def remember_contact(self, client_id: str, pseudonym: str, worker_id: str) -> None: ...
    async def contact(self, client_id: str, pseudonym: str) -> str | None:
        """The worker a client knows by ``pseudonym``, once remembered."""
        ...

    async def set_mute(self, worker_id: str, client_id: str, *, muted: bool) -> None: ...
    async def muting_workers(self, client_id: str) -> set[str]: ...
    async def add_notice(self, notice: Notice) -> bool:
        """Keep a notice once by its key; False for a repeat."""
        ...

    async def notices(self, worker_id: str, *, limit: int) -> list[Notice]:
        """The worker's notices, newest first."""
        ...

    async def note_rejection(self, worker_id: str, client_id: str, assignment_id: str) -> None:
        """Remember that the worker's assignment was rejected (shown on /earnings); once."""
        ...

    async def rejections(self, worker_id: str) -> list[tuple[str, str]]:
        """The worker's rejected assignments as (client id, assignment id), newest first."""
        ...

    async def set_notice_optouts(self, worker_id: str, kinds: tuple[str, ...]) -> None: ...
    async def notice_optouts(self, worker_id: str) -> tuple[str, ...]: ...
