"""The worker's inbox: notices of what happened to their work, and the threads clients started
(read, reply, mute the client); disputing a rejection from /earnings; which notices they get."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from ...conversations import NOTICE_KINDS, disputes, messages, notices
from ...core.errors import GatewayError
from ...core.records import iso
from ...runtime import Runtime
from ..i18n import gettext
from .pages import _worker, page
from .session import check_csrf

__all__ = ["dispute", "inbox_page", "mute_thread", "reply_in_thread", "save_notices", "thread_page"]

INBOX_SIZE = 50


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def _sender(name: str) -> str:
    """A client's name as the worker reads it (a client that is gone: "a client")."""
    return name or gettext("a client")


def _day(at: float) -> str:
    return (iso(at) or "")[:16].replace("T", " ")


async def inbox_page(request: Request) -> Response:
    worker = await _worker(request)
    rt = _runtime(request)
    found = await rt.store.notices(worker.id, limit=INBOX_SIZE)
    threads = await rt.store.worker_threads(worker.id, limit=INBOX_SIZE)
    senders = {}
    for thread in threads:
        if thread.client_id not in senders:
            client = await rt.store.get_client(thread.client_id)
            senders[thread.client_id] = _sender(client.name if client else "")
    return page(
        request,
        "inbox.html",
        {
            "worker": worker,
            "notices": [(n, _day(n.created_at)) for n in found],
            "threads": [(t, senders[t.client_id], _day(t.created_at)) for t in threads],
            "labels": notices.NOTICE_LABELS,
        },
    )


async def thread_page(request: Request) -> Response:
    worker = await _worker(request)
    seen = await messages.worker_thread(_runtime(request), worker, request.path_params["thread_id"])
    return page(
        request,
        "thread.html",
        {
            "worker": worker,
            "seen": seen,
            "sender": _sender(seen.sender),
            "lines": [(m, _day(m.created_at)) for m in seen.messages],
            "sent": request.query_params.get("sent") == "1",
        },
    )


async def reply_in_thread(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    form = await request.form()
    thread_id = request.path_params["thread_id"]
    await messages.worker_reply(_runtime(request), worker, thread_id, form.get("body", ""))
    return RedirectResponse(f"/inbox/threads/{thread_id}?sent=1", status_code=303)


async def mute_thread(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    form = await request.form()
    thread_id = request.path_params["thread_id"]
    muted = form.get("muted") == "1"
    await messages.mute(_runtime(request), worker, thread_id, muted=muted)
    return RedirectResponse(f"/inbox/threads/{thread_id}", status_code=303)


async def dispute(request: Request) -> Response:
    """A dispute of a rejection, from /earnings (or as JSON with the CSRF header)."""
    worker = await _worker(request)
    await check_csrf(request)
    assignment_id = request.path_params["assignment_id"]
    if "application/json" in request.headers.get("content-type", ""):
        body = await request.json()
        message = body.get("message", "") if isinstance(body, dict) else ""
    else:
        message = (await request.form()).get("message", "")
    opened = await disputes.open_dispute(
        _runtime(request), worker, assignment_id, str(message or "")
    )
    if "application/json" in request.headers.get("content-type", ""):
        return JSONResponse({"id": opened.id, "object": "dispute", "status": opened.status}, 201)
    return RedirectResponse("/earnings?disputed=1", status_code=303)


async def save_notices(request: Request) -> Response:
    """Which kinds of notice the worker gets: every kind not ticked is opted out of."""
    worker = await _worker(request)
    await check_csrf(request)
    form = await request.form()
    wanted = {str(v) for v in form.getlist("notices")}
    try:
        await notices.set_optouts(
            _runtime(request), worker, [k for k in NOTICE_KINDS if k not in wanted]
        )
    except GatewayError as exc:
        return page(request, "error.html", {"message": exc}, status=exc.status)
    return RedirectResponse("/profile?saved=1", status_code=303)
