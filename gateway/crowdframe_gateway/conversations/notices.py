"""Telling a worker what happened to their work: a notice in their inbox, and an email when
the gateway sends email and their address is confirmed, unless they opted out of its kind (the
profile page). Both are written in the worker's language (their profile's; English if unset)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import InvalidInput
from ..core.records import Assignment, Credit, Worker, new_id, now
from ..core.text import N_, Text
from ..core.translation import money, say, use
from .email import email_notice
from .records import NOTICE_KINDS, Notice, NoticeKind, Thread
from .rules import NO_REASON, reason_text, wants

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = [
    "NOTICE_LABELS",
    "Told",
    "Wording",
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


# what a notice says: an English text (with its values), or what makes one in the current
# language (for values written per language, as money)
Wording = Text | str | Callable[[], Text | str]


def _in_language(wording: Wording, locale: str | None) -> str:
    with use(locale):
        said = wording() if callable(wording) else wording
        return say(said)


async def tell(
    rt: Runtime, worker_id: str, kind: NoticeKind, text: Wording, *, link: str, key: str
) -> Told:
    """Tell the worker once (``key``): the inbox, then email (the outbox) when it is sent."""
    worker = await rt.store.get_worker(worker_id)
    if worker is None or not wants(kind, await rt.store.notice_optouts(worker_id)):
        return Told(None, False)
    said = _in_language(text, worker.locale)
    notice = Notice(new_id("ntc"), worker_id, kind, said, link, key, now())
    if not await rt.store.add_notice(notice):
        return Told(None, False)
    emailed = await email_notice(rt, worker, NOTICE_LABELS[kind], said, link)
    return Told(notice, emailed)


def _reason(reason: str | None) -> str:
    """The reason as the worker reads it: the client's words as written, or "no reason given"
    in the current language."""
    said = reason_text(reason)
    return say(said) if said == NO_REASON else said


async def _title(rt: Runtime, project_id: str) -> str:
    project = await rt.store.get_project(project_id)
    return project.spec.title if project is not None else "a project"


async def tell_rejected(rt: Runtime, assignment: Assignment) -> None:
    """A rejection, whoever made it: on the worker's /earnings, and a notice with its reason."""
    await rt.store.note_rejection(assignment.worker_id, assignment.client_id, assignment.id)
    title = await _title(rt, assignment.project_id)
    reason = assignment.reject_reason

    def text() -> Text:
        return Text(
            N_("Your work on “%(title)s” was rejected: %(reason)s"),
            {"title": title, "reason": _reason(reason)},
        )

    key = f"rejected:{assignment.id}"
    await tell(rt, assignment.worker_id, "rejected", text, link="/earnings", key=key)


async def tell_bonus(rt: Runtime, credit: Credit) -> None:
    def text() -> Text:
        return Text(
            N_("You were paid a bonus of %(amount)s: %(reason)s"),
            {
                "amount": money(credit.amount_cents, credit.currency),
                "reason": _reason(credit.reason),
            },
        )

    await tell(rt, credit.worker_id, "bonus", text, link="/earnings", key=f"bonus:{credit.key}")


async def tell_qualified(rt: Runtime, project_id: str, worker_id: str) -> None:
    title = await _title(rt, project_id)
    text = Text(N_("You passed “%(title)s”: its qualification is yours"), {"title": title})
    key = f"qualification:{project_id}:{worker_id}"
    await tell(rt, worker_id, "qualification", text, link="/work", key=key)


async def tell_message(rt: Runtime, thread: Thread, message_id: str, sender: str) -> None:
    text = Text(
        N_("%(sender)s wrote to you: %(subject)s"), {"sender": sender, "subject": thread.subject}
    )
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
