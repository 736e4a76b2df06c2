"""API handlers of conversations: disputes of rejections and their answers, messages to
workers and the threads they start (docs/api.md, "Disputes" and "Messages")."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...conversations import Dispute, Letter, Thread, ThreadMessage, disputes, messages
from ...core.errors import InvalidInput
from ...core.records import iso
from ...core.validation import Fields
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

MAX_WORKER_IDS = 100


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
    cursor, limit = page_params(request)
    status = request.query_params.get("status") or None
    page = await disputes.list_disputes(
        call.rt, call.client, status=status, cursor=cursor, limit=limit
    )
    return reply(page_view(page, dispute_view))


async def get_dispute(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(dispute_view(await disputes.owned_dispute(call.rt, call.client, call.id)))


async def overturn_dispute(request: Request) -> JSONResponse:
    """``POST /disputes/{id}/overturn``: approve the disputed work (credited once)."""
    call = await client_call(request)
    Fields(await call.body()).reject_unknown(())
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
    body = await call.body()
    f = Fields(body)
    f.reject_unknown(("subject", "body", "worker_ids", "project_id"))
    worker_ids = body.get("worker_ids", [])
    if not isinstance(worker_ids, list) or not all(isinstance(w, str) for w in worker_ids):
        raise InvalidInput("worker_ids must be a list of worker ids", field="worker_ids")
    if len(worker_ids) > MAX_WORKER_IDS:
        raise InvalidInput(
            f"write to at most {MAX_WORKER_IDS} workers at once (or to a project_id)",
            field="worker_ids",
        )
    letter = Letter(
        subject=body.get("subject"),  # type: ignore[arg-type]  # the service checks it
        body=body.get("body"),  # type: ignore[arg-type]
        worker_ids=tuple(worker_ids),
        project_id=f.text("project_id", None, min_len=1, max_len=100),
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
    body = await call.body()
    Fields(body).reject_unknown(("body",))
    message = await messages.client_reply(call.rt, call.client, call.id, body.get("body"))
    return reply(message_view(message), 201)


async def list_messages(request: Request) -> JSONResponse:
    """``GET /messages``: every message of the client's threads, oldest first; ``author=worker``
    for the workers' replies."""
    call = await client_call(request)
    cursor, limit = page_params(request)
    author = request.query_params.get("author") or None
    if author is not None:
        Fields({"author": author}).one_of("author", ("client", "worker"))
    page = await messages.client_messages(
        call.rt,
        call.client,
        author=author,  # type: ignore[arg-type]
        cursor=cursor,
        limit=limit,
    )
    return reply(page_view(page, message_view))
