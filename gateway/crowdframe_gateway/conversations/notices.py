"""Telling a worker what happened to their work: a notice in their inbox, and an email when
SMTP is configured, unless they opted out of its kind (the profile page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import InvalidInput
from ..core.records import Assignment, Credit, Worker, new_id, now
from ..core.text import N_
from .email import send_notice_email
from .records import NOTICE_KINDS, Notice, NoticeKind, Thread
from .rules import reason_text, wants

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = [
    "NOTICE_LABELS",
    "Told",
    "set_optouts",
    "tell",
    "tell_bonus",
    "tell_message",
    "tell_qualified",
    "tell_rejected",
]

NOTICE_LABELS: dict[NoticeKind, str] = {
    "rejected": N_("Work rejected"),
    "dispute_answered": N_("A dispute answered"),
    "bonus": N_("A bonus paid"),
    "message": N_("A message from a client"),
    "qualification": N_("A qualification granted"),
}


@dataclass(frozen=True, slots=True)
class Told:
    notice: Notice | None  # None: the worker opted out of its kind, or was told before
    emailed: bool


async def tell(
    rt: Runtime, worker_id: str, kind: NoticeKind, text: str, *, link: str, key: str
) -> Told:
    """Tell the worker once (``key``): the inbox, then email when configured."""
    worker = await rt.store.get_worker(worker_id)
    if worker is None or not wants(kind, await rt.store.notice_optouts(worker_id)):
        return Told(None, False)
    notice = Notice(new_id("ntc"), worker_id, kind, text, link, key, now())
    if not await rt.store.add_notice(notice):
        return Told(None, False)
    link_url = rt.settings.public_origin + link
    body = f"{text}\n\n{link_url}\n\nChoose which notices you get on your profile page."
    emailed = await send_notice_email(rt.settings, worker.email, NOTICE_LABELS[kind], body)
    return Told(notice, emailed)


async def _title(rt: Runtime, project_id: str) -> str:
    project = await rt.store.get_project(project_id)
    return project.spec.title if project is not None else "a project"


async def tell_rejected(rt: Runtime, assignment: Assignment) -> None:
    """A rejection, whoever made it: on the worker's /earnings, and a notice with its reason."""
    await rt.store.note_rejection(assignment.worker_id, assignment.client_id, assignment.id)
    title = await _title(rt, assignment.project_id)
    text = f"Your work on “{title}” was rejected: {reason_text(assignment.reject_reason)}"
    key = f"rejected:{assignment.id}"
    await tell(rt, assignment.worker_id, "rejected", text, link="/earnings", key=key)


async def tell_bonus(rt: Runtime, credit: Credit) -> None:
    amount = f"{credit.amount_cents / 100:.2f} {credit.currency}"
    text = f"You were paid a bonus of {amount}: {reason_text(credit.reason)}"
    await tell(rt, credit.worker_id, "bonus", text, link="/earnings", key=f"bonus:{credit.key}")


async def tell_qualified(rt: Runtime, project_id: str, worker_id: str) -> None:
    title = await _title(rt, project_id)
    text = f"You passed “{title}”: its qualification is yours"
    key = f"qualification:{project_id}:{worker_id}"
    await tell(rt, worker_id, "qualification", text, link="/work", key=key)


async def tell_message(rt: Runtime, thread: Thread, message_id: str, sender: str) -> None:
    text = f"{sender} wrote to you: {thread.subject}"
    link = f"/inbox/threads/{thread.id}"
    await tell(rt, thread.worker_id, "message", text, link=link, key=f"message:{message_id}")


async def set_optouts(rt: Runtime, worker: Worker, kinds: Iterable[str]) -> tuple[str, ...]:
    """The kinds of notice the worker no longer wants (the others they get)."""
    chosen = tuple(k for k in NOTICE_KINDS if k in set(kinds))
    unknown = set(kinds) - set(NOTICE_KINDS)
    if unknown:
        raise InvalidInput("not a kind of notice", field="optouts")
    await rt.store.set_notice_optouts(worker.id, chosen)
    return chosen
