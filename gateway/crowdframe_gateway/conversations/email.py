"""A notice's email: written in the worker's language and queued in the mail outbox, which
sends it (mail/delivery.py). Only to a confirmed address (identity/links.py): an address nobody
confirmed may be someone else's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.records import Worker
from ..core.text import N_
from ..core.translation import say, use
from ..mail import queue_email

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["email_notice"]

_FOOTER = N_("Choose which notices you get on your profile page.")


async def email_notice(rt: Runtime, worker: Worker, subject: str, text: str, link: str) -> bool:
    """Queue a notice's email (``subject`` English, ``text`` already in the worker's
    language); False when it is not sent (no confirmed address, or no email at all)."""
    if worker.email_verified_at is None:
        return False
    with use(worker.locale):
        body = f"{text}\n\n{rt.settings.public_origin}{link}\n\n{say(_FOOTER)}"
        queued = await queue_email(rt, to=worker.email, subject=say(subject), body=body)
    return queued is not None
