"""API handlers of conversations: disputes of rejections and their answers, messages to
workers and the threads they start (docs/api.md, "Disputes" and "Messages")."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...conversations import Dispute, Letter, Thread, ThreadMessage, disputes, messages
from ...core.records import iso
from .bodies import DisputesQuery, MessagesQuery, Reply
from .bodies import Letter as LetterBody
from .http import client_call, page_params, reply
from .views import assignment_view, page_view

__all__ = [
    "get_dispute",
    "get_thread",
    "list_disputes",
    "list_messages",
    "list_threads",
    "overturn_dispute",
    "reply_in_thread",
    "send_message",
    "uphold_dispute",
]


def dispute_view(dispute: Dispute) -> dict[str, Any]:
    """The dispute as its events tell it (``disputes.dispute_data``), with its answer."""
    told = disputes.dispute_data(dispute)
    return {
        "id": told.pop("dispute_id"),
        "object": "dispute",
        **told,
        "answered_at": iso(dispute.answered_at),
        "reply": dispute.reply,
    }


def thread_view(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "object": "thread",
        "worker_id": thread.worker_pseudonym,
        "project_id": thread.project_id or None,
        "subject": thread.subject,
        "created_at": iso(thread.created_at),
    }


def message_view(message: ThreadMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "object": "message",
        "thread_id": message.thread_id,
        "author": message.author,
        "body": message.body,
        "created_at": iso(message.created_at),
    }


async def list_disputes(request: Request) -> JSONResponse:
    """``GET /disputes``: the client's disputes, oldest first, optionally in one ``status``."""
    call = await client_call(request)
    asked = call.query(DisputesQuery)
    page = await disputes.list_disputes(
        call.rt, call.client, status=asked.status, cursor=asked.cursor, limit=asked.limit
    )
    return reply(page_view(page, dispute_view))


async def get_dispute(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(dispute_view(await disputes.owned_dispute(call.rt, call.client, call.id)))


async def overturn_dispute(request: Request) -> JSONResponse:
    """``POST /disputes/{id}/overturn``: approve the disputed work (credited once)."""
    call = await client_call(request)
    await call.nothing()
    dispute, assignment = await disputes.overturn(call.rt, call.client, call.id)
    return reply({**dispute_view(dispute), "assignment": assignment_view(assignment)})


async def uphold_dispute(request: Request) -> JSONResponse:
    """``POST /disputes/{id}/uphold`` with ``{"reply"}``: keep the rejection, and say why."""
    call = await client_call(request)
    dispute = await disputes.uphold(call.rt, call.client, call.id, await call.body())
    return reply(dispute_view(dispute))


async def send_message(request: Request) -> JSONResponse:
    """``POST /messages`` with ``{"subject", "body"}`` and ``worker_ids`` or ``project_id``."""
    call = await client_call(request)
    asked = await call.read(LetterBody)
    letter = Letter(
        subject=asked.subject,
        body=asked.body,
        worker_ids=tuple(asked.worker_ids),
        project_id=asked.project_id,
    )
    threads = await messages.write_to_workers(call.rt, call.client, letter)
    return reply({"object": "list", "data": [thread_view(t) for t in threads]}, 201)


async def list_threads(request: Request) -> JSONResponse:
    """``GET /threads``: the threads the client's messages started, oldest first."""
    call = await client_call(request)
    cursor, limit = page_params(request)
    page = await messages.client_threads(call.rt, call.client, cursor=cursor, limit=limit)
    return reply(page_view(page, thread_view))


async def get_thread(request: Request) -> JSONResponse:
    """``GET /threads/{id}``: a thread with its messages, oldest first."""
    call = await client_call(request)
    thread, found = await messages.client_thread(call.rt, call.client, call.id)
    return reply({**thread_view(thread), "messages": [message_view(m) for m in found]})


async def reply_in_thread(request: Request) -> JSONResponse:
    """``POST /threads/{id}/messages`` with ``{"body"}``: write again in a thread."""
    call = await client_call(request)
    text = (await call.read(Reply)).body
    message = await messages.client_reply(call.rt, call.client, call.id, text)
    return reply(message_view(message), 201)


async def list_messages(request: Request) -> JSONResponse:
    """``GET /messages``: every message of the client's threads, oldest first; ``author=worker``
    for the workers' replies."""
    call = await client_call(request)
    asked = call.query(MessagesQuery)
    page = await messages.client_messages(
        call.rt, call.client, author=asked.author, cursor=asked.cursor, limit=asked.limit
    )
    return reply(page_view(page, message_view))
