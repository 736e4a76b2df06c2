"""Conversations from the client's side: disputes of rejections and their answers, messages to
workers and the threads they start (docs/api.md, "Disputes" and "Messages").

``Client`` and ``AsyncClient`` get these methods from the two mixins below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._call import _AsyncRunner, _Call, _page_call, _segment, _SyncRunner
from ._decode import _mapping, _Model
from ._models import Assignment, Page

__all__ = ["Dispute", "Message", "Thread"]


@dataclass(frozen=True, slots=True)
class Dispute(_Model):
    """A worker's dispute of a rejection: ``status`` ``open``, then ``overturned`` (the work is
    approved; ``assignment`` is set in the answer of ``overturn_dispute``) or ``upheld`` (with
    the client's ``reply``). ``due_at`` is when an unanswered one is reported to the platform."""

    id: str
    assignment_id: str
    task_id: str
    project_id: str
    worker_id: str
    message: str
    reject_reason: str
    status: str
    opened_at: str
    due_at: str
    answered_at: str | None
    reply: str | None
    assignment: Assignment | None = None

    _object = "dispute"


@dataclass(frozen=True, slots=True)
class Message(_Model):
    """One message in a thread; ``author`` is ``client`` or ``worker``."""

    id: str
    thread_id: str
    author: str
    body: str
    created_at: str

    _object = "message"


@dataclass(frozen=True, slots=True)
class Thread(_Model):
    """A conversation with one worker (``worker_id``, the pseudonym the client knows), started
    by a message to them or to a project's workers (``project_id``). ``messages`` is set by
    ``get_thread`` only, oldest first."""

    id: str
    worker_id: str
    project_id: str | None
    subject: str
    created_at: str
    messages: list[Message] = field(default_factory=list)

    _object = "thread"


def _threads(body: Any) -> list[Thread]:
    data = _mapping(body, "list").get("data")
    if not isinstance(data, list):
        raise ValueError("expected a list of threads in 'data'")
    return [Thread.from_json(item) for item in data]


class _ConversationCalls:
    def _list_disputes(
        self, status: str | None, limit: int | None, cursor: str | None
    ) -> _Call[Page[Dispute]]:
        return _page_call("/disputes", Dispute.from_json, status=status, limit=limit, cursor=cursor)

    def _get_dispute(self, dispute_id: str) -> _Call[Dispute]:
        return _Call("GET", f"/disputes/{_segment(dispute_id)}", Dispute.from_json)

    def _answer(self, dispute_id: str, answer: str, body: Mapping[str, Any]) -> _Call[Dispute]:
        path = f"/disputes/{_segment(dispute_id)}/{answer}"
        return _Call("POST", path, Dispute.from_json, body=dict(body))

    def _send(
        self,
        subject: str,
        body: str,
        worker_ids: Sequence[str] | None,
        project_id: str | None,
    ) -> _Call[list[Thread]]:
        payload: dict[str, Any] = {"subject": subject, "body": body}
        if worker_ids is not None:
            payload["worker_ids"] = list(worker_ids)
        if project_id is not None:
            payload["project_id"] = project_id
        return _Call("POST", "/messages", _threads, body=payload)

    def _list_threads(self, limit: int | None, cursor: str | None) -> _Call[Page[Thread]]:
        return _page_call("/threads", Thread.from_json, limit=limit, cursor=cursor)

    def _get_thread(self, thread_id: str) -> _Call[Thread]:
        return _Call("GET", f"/threads/{_segment(thread_id)}", Thread.from_json)

    def _reply(self, thread_id: str, body: str) -> _Call[Message]:
        path = f"/threads/{_segment(thread_id)}/messages"
        return _Call("POST", path, Message.from_json, body={"body": body})

    def _list_messages(
        self, author: str | None, limit: int | None, cursor: str | None
    ) -> _Call[Page[Message]]:
        return _page_call("/messages", Message.from_json, author=author, limit=limit, cursor=cursor)


class SyncConversations(_ConversationCalls, _SyncRunner):
    """The conversation methods of ``Client``."""

    def list_disputes(
        self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Page[Dispute]:
        """One page of the client's disputes, oldest first; ``status="open"`` for those that
        wait for an answer."""
        return self._run(self._list_disputes(status, limit, cursor))

    def iter_disputes(self, *, status: str | None = None) -> Iterator[Dispute]:
        """Every dispute (in one ``status``), page after page."""
        return self._iterate(lambda cursor: self._list_disputes(status, None, cursor))

    def get_dispute(self, dispute_id: str) -> Dispute:
        """The dispute with this id."""
        return self._run(self._get_dispute(dispute_id))

    def overturn_dispute(self, dispute_id: str) -> Dispute:
        """Overturn the rejection: the assignment is approved and its reward credited once
        (``assignment.approved`` with ``overturned: true``); repeating it is harmless."""
        return self._run(self._answer(dispute_id, "overturn", {}))

    def uphold_dispute(self, dispute_id: str, reply: str) -> Dispute:
        """Keep the rejection; the worker reads ``reply`` (1 to 2000 characters)."""
        return self._run(self._answer(dispute_id, "uphold", {"reply": reply}))

    def send_message(
        self,
        subject: str,
        body: str,
        *,
        worker_ids: Sequence[str] | None = None,
        project_id: str | None = None,
    ) -> list[Thread]:
        """Write to workers by their ids, or to every worker who worked on ``project_id``;
        one thread per worker reached (workers who muted the client are not). Raises
        ``RateLimitError`` past the client's limit (``docs/api.md``)."""
        return self._run(self._send(subject, body, worker_ids, project_id))

    def list_threads(self, *, limit: int | None = None, cursor: str | None = None) -> Page[Thread]:
        """One page of the client's threads, oldest first."""
        return self._run(self._list_threads(limit, cursor))

    def get_thread(self, thread_id: str) -> Thread:
        """A thread with its messages."""
        return self._run(self._get_thread(thread_id))

    def reply(self, thread_id: str, body: str) -> Message:
        """Write again in a thread."""
        return self._run(self._reply(thread_id, body))

    def list_messages(
        self, *, author: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Page[Message]:
        """One page of the messages of every thread, oldest first; ``author="worker"`` for
        the workers' replies."""
        return self._run(self._list_messages(author, limit, cursor))

    def iter_messages(self, *, author: str | None = None) -> Iterator[Message]:
        """Every message (by one ``author``), page after page."""
        return self._iterate(lambda cursor: self._list_messages(author, None, cursor))


class AsyncConversations(_ConversationCalls, _AsyncRunner):
    """The conversation methods of ``AsyncClient``."""

    async def list_disputes(
        self, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Page[Dispute]:
        """One page of disputes; see ``Client.list_disputes``."""
        return await self._run(self._list_disputes(status, limit, cursor))

    def iter_disputes(self, *, status: str | None = None) -> AsyncIterator[Dispute]:
        """Every dispute (``async for``); see ``Client.iter_disputes``."""
        return self._iterate(lambda cursor: self._list_disputes(status, None, cursor))

    async def get_dispute(self, dispute_id: str) -> Dispute:
        """The dispute with this id."""
        return await self._run(self._get_dispute(dispute_id))

    async def overturn_dispute(self, dispute_id: str) -> Dispute:
        """Overturn the rejection; see ``Client.overturn_dispute``."""
        return await self._run(self._answer(dispute_id, "overturn", {}))

    async def uphold_dispute(self, dispute_id: str, reply: str) -> Dispute:
        """Keep the rejection with a reply; see ``Client.uphold_dispute``."""
        return await self._run(self._answer(dispute_id, "uphold", {"reply": reply}))

    async def send_message(
        self,
        subject: str,
        body: str,
        *,
        worker_ids: Sequence[str] | None = None,
        project_id: str | None = None,
    ) -> list[Thread]:
        """Write to workers; see ``Client.send_message``."""
        return await self._run(self._send(subject, body, worker_ids, project_id))

    async def list_threads(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[Thread]:
        """One page of threads; see ``Client.list_threads``."""
        return await self._run(self._list_threads(limit, cursor))

    async def get_thread(self, thread_id: str) -> Thread:
        """A thread with its messages."""
        return await self._run(self._get_thread(thread_id))

    async def reply(self, thread_id: str, body: str) -> Message:
        """Write again in a thread."""
        return await self._run(self._reply(thread_id, body))

    async def list_messages(
        self, *, author: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> Page[Message]:
        """One page of messages; see ``Client.list_messages``."""
        return await self._run(self._list_messages(author, limit, cursor))

    def iter_messages(self, *, author: str | None = None) -> AsyncIterator[Message]:
        """Every message (``async for``); see ``Client.iter_messages``."""
        return self._iterate(lambda cursor: self._list_messages(author, None, cursor))
