"""Messages between a client and workers: the client writes to one worker (by the pseudonym it
knows) or to every worker who worked on one of its projects; each worker gets a thread of
their own and may reply in it; a reply reaches the client as ``message.received``.

``write_to_workers`` is the one way a client writes: the API calls it, and so can MTurk's
``NotifyWorkers``. A worker's email never leaves the gateway, and a worker who muted a client
hears nothing from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..catalog import owned_project
from ..core.errors import Forbidden, InvalidInput, NotFound, TooManyRequests
from ..core.page import Page
from ..core.params import AssignmentQuery
from ..core.records import Client, Worker, iso, new_id, now
from ..core.text import N_
from ..identity import worker_pseudonym
from . import notices
from .records import Author, Thread, ThreadMessage
from .rules import recipients
from .store import ThreadMessageQuery

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = [
    "Letter",
    "client_messages",
    "client_reply",
    "client_thread",
    "client_threads",
    "message_data",
    "mute",
    "worker_reply",
    "worker_thread",
    "write_to_workers",
]

MAX_BODY = 5000
MAX_SUBJECT = 200
_SCAN_PAGE = 200


@dataclass(frozen=True, slots=True)
class Letter:
    """What a client writes: to the workers it knows by pseudonym, or (``project_id``) to every
    worker who worked on that project."""

    subject: str
    body: str
    worker_ids: tuple[str, ...] = ()
    project_id: str | None = None


def message_data(thread: Thread, message: ThreadMessage) -> dict[str, Any]:
    """What ``message.received`` says."""
    return {
        "message_id": message.id,
        "thread_id": thread.id,
        "project_id": thread.project_id or None,
        "worker_id": thread.worker_pseudonym,
        "subject": thread.subject,
        "author": message.author,
        "body": message.body,
        "created_at": iso(message.created_at),
    }


def _text(value: object, name: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} must be a non-empty string", field=name)
    if len(value) > max_len:
        raise InvalidInput(f"{name} must be at most {max_len} characters", field=name)
    return value.strip()


async def _over_limit(rt: Runtime, key: str, limit: int) -> int:
    """Count one send under ``key``; the seconds to wait when it is over ``limit`` in the
    window, else 0."""
    at = now()
    count, window_end = await rt.store.count_attempt(key, window=rt.settings.message_window, now=at)
    return max(1, math.ceil(window_end - at)) if count > limit else 0


async def _count_send(rt: Runtime, client: Client) -> None:
    settings = rt.settings
    if wait := await _over_limit(rt, f"messages:{client.id}", settings.messages_per_window):
        raise TooManyRequests(
            f"a client sends at most {settings.messages_per_window} messages in"
            f" {round(settings.message_window)} seconds; try again in {wait} seconds",
            retry_after=wait,
        )


async def _count_reply(rt: Runtime, worker: Worker) -> None:
    if wait := await _over_limit(rt, f"replies:{worker.id}", rt.settings.replies_per_window):
        raise TooManyRequests.for_minutes(
            wait,
            one=N_("You have written many replies in a short time. Please wait a minute before"
                   " the next one."),
            many=N_("You have written many replies in a short time. Please wait %(minutes)s"
                    " minutes before the next one."),
        )  # fmt: skip


async def _assignments_workers(
    rt: Runtime, client: Client, project_id: str | None
) -> list[tuple[str, str]]:
    """Every (worker id, pseudonym) among the client's assignments (of one project), in the
    order they first took work; each is remembered as a contact."""
    found: dict[str, str] = {}
    cursor: str | None = None
    while True:
        page = await rt.store.list_assignments(
            client.id, AssignmentQuery(_SCAN_PAGE, project_id=project_id, cursor=cursor)
        )
        for assignment in page.items:
            if assignment.worker_id not in found:
                found[assignment.worker_id] = assignment.worker_pseudonym
                await rt.store.remember_contact(
                    client.id, assignment.worker_pseudonym, assignment.worker_id
                )
        cursor = page.next_cursor
        if cursor is None:
            return list(found.items())


async def _worker_of(rt: Runtime, client: Client, pseudonym: str) -> str:
    known = await rt.store.contact(client.id, pseudonym)
    if known is None:
        # first time: learn the client's workers from its assignments (once per pseudonym)
        workers = dict((p, w) for w, p in await _assignments_workers(rt, client, None))
        known = workers.get(pseudonym)
    if known is None:
        raise NotFound(f"no worker {pseudonym} has worked for you", field="worker_id")
    return known


async def known_workers(rt: Runtime, client: Client, pseudonyms: list[str]) -> list[str]:
    """Those of the pseudonyms that name a worker who worked for the client, in order."""
    known = []
    for pseudonym in pseudonyms:
        try:
            await _worker_of(rt, client, pseudonym)
        except NotFound:
            continue
        known.append(pseudonym)
    return known


async def write_to_workers(rt: Runtime, client: Client, letter: Letter) -> list[Thread]:
    """Start one thread per worker the letter reaches (not those who muted the client); the
    threads, in the order of the workers. One send counts against the client's rate limit."""
    subject = _text(letter.subject, "subject", MAX_SUBJECT)
    body = _text(letter.body, "body", MAX_BODY)
    if bool(letter.worker_ids) == (letter.project_id is not None):
        raise InvalidInput("write to worker_ids or to a project_id (one of them)", field="to")
    if letter.project_id is not None:
        project = await owned_project(rt, client, letter.project_id)
        workers = [w for w, _ in await _assignments_workers(rt, client, project.id)]
        project_id = project.id
    else:
        workers = [await _worker_of(rt, client, p) for p in letter.worker_ids]
        project_id = ""
    await _count_send(rt, client)
    reached = recipients(workers, await rt.store.muting_workers(client.id))
    threads = []
    at = now()
    for worker_id in reached:
        pseudonym = worker_pseudonym(client.pseudonym_key, worker_id)
        thread = Thread(new_id("thr"), client.id, worker_id, pseudonym, project_id, subject, at)
        message = ThreadMessage(new_id("tmg"), thread.id, client.id, "client", body, at)
        await rt.store.post_message(thread, message, None)
        await notices.tell_message(rt, thread, message.id, client.name)
        threads.append(thread)
    return threads


async def client_thread(
    rt: Runtime, client: Client, thread_id: str
) -> tuple[Thread, list[ThreadMessage]]:
    thread = await rt.store.get_thread(thread_id)
    if thread is None or thread.client_id != client.id:
        raise NotFound("no such thread", field="thread_id")
    return thread, await rt.store.thread_messages(thread)


async def client_reply(rt: Runtime, client: Client, thread_id: str, body: object) -> ThreadMessage:
    """The client writes again in a thread (counted like any send)."""
    thread, _ = await client_thread(rt, client, thread_id)
    text = _text(body, "body", MAX_BODY)
    if thread.worker_id in await rt.store.muting_workers(client.id):
        raise Forbidden("this worker does not take messages from you", code="muted")
    await _count_send(rt, client)
    message = ThreadMessage(new_id("tmg"), thread.id, client.id, "client", text, now())
    await rt.store.post_message(thread, message, None)
    await notices.tell_message(rt, thread, message.id, client.name)
    return message


async def client_threads(
    rt: Runtime, client: Client, *, cursor: str | None, limit: int
) -> Page[Thread]:
    return await rt.store.client_threads(client.id, limit=limit, cursor=cursor)


async def client_messages(
    rt: Runtime, client: Client, *, author: Author | None, cursor: str | None, limit: int
) -> Page[ThreadMessage]:
    return await rt.store.client_messages(client.id, ThreadMessageQuery(limit, author, cursor))


@dataclass(frozen=True, slots=True)
class WorkerThread:
    thread: Thread
    sender: str  # the client's name ("" if the client is gone)
    messages: Sequence[ThreadMessage]
    muted: bool


async def worker_thread(rt: Runtime, worker: Worker, thread_id: str) -> WorkerThread:
    thread = await rt.store.get_thread(thread_id)
    if thread is None or thread.worker_id != worker.id:
        raise NotFound("no such conversation", field="thread_id")
    client = await rt.store.get_client(thread.client_id)
    muted = worker.id in await rt.store.muting_workers(thread.client_id)
    messages = await rt.store.thread_messages(thread)
    return WorkerThread(thread, client.name if client else "", messages, muted)


async def worker_reply(rt: Runtime, worker: Worker, thread_id: str, body: object) -> ThreadMessage:
    """The worker replies in a thread; the client hears it as ``message.received``."""
    seen = await worker_thread(rt, worker, thread_id)
    text = _text(body, "body", MAX_BODY)
    await _count_reply(rt, worker)
    message = ThreadMessage(new_id("tmg"), thread_id, seen.thread.client_id, "worker", text, now())
    await rt.store.post_message(seen.thread, message, message_data(seen.thread, message))
    return message


async def mute(rt: Runtime, worker: Worker, thread_id: str, *, muted: bool) -> None:
    """The worker stops (or starts again) hearing from the client of a thread."""
    seen = await worker_thread(rt, worker, thread_id)
    await rt.store.set_mute(worker.id, seen.thread.client_id, muted=muted)
