"""Links emailed to a worker: one confirming their address after sign-up, one choosing a new
password when they forgot theirs. Each works once, for ``rules.LINK_SECONDS`` of its purpose;
the token is in the email only, and the store keeps its hash (as API keys are kept).

The emails are written in the worker's language (their profile's, else the page's they asked
from) and queued in the mail outbox, which sends them. Asking for a reset link answers the same
whether an account has the address or not: only the mailbox learns it.

Unverified workers browse and work as verified ones do; the workplace asks them to confirm
their address, and notices are emailed only to a confirmed one (docs/workers.md).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.records import Worker, new_id, now
from ..core.text import N_, Text
from ..core.translation import gettext, say, use
from ..mail import mail_enabled, queue_email
from .accounts import checked_password
from .credentials import hash_link_token, hash_password, new_link_token
from .records import AccountLink, LinkPurpose
from .rules import LINK_SECONDS, check_link_open

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = [
    "RESET_PATH",
    "VERIFY_PATH",
    "Letter",
    "open_reset_link",
    "request_reset",
    "reset_password",
    "send_verification",
    "verify_email",
]

VERIFY_PATH = "/verify/"
RESET_PATH = "/password/reset/"


@dataclass(frozen=True, slots=True)
class Letter:
    """A link's email, in English with its places: rendered in the reader's language."""

    subject: str
    body: str


_LETTERS: dict[LinkPurpose, Letter] = {
    "verify": Letter(
        N_("Confirm your email address"),
        N_(
            "Welcome to Crowdframe!\n\nOpen this link to confirm that %(email)s is your"
            " address:\n\n%(link)s\n\nThe link works once, for 7 days. If you did not create an"
            " account, ignore this email: nobody can use the address without it."
        ),
    ),
    "reset": Letter(
        N_("Choose a new password"),
        N_(
            "Someone (we hope you) asked to choose a new password for the Crowdframe account"
            " of %(email)s.\n\nOpen this link to choose it:\n\n%(link)s\n\nThe link works once,"
            " for one hour. If you did not ask, ignore this email: your password stays as it"
            " is."
        ),
    ),
}
_PATHS: dict[LinkPurpose, str] = {"verify": VERIFY_PATH, "reset": RESET_PATH}


async def _email_link(rt: Runtime, worker: Worker, purpose: LinkPurpose, locale: str | None) -> str:
    """A new link of ``purpose`` for the worker, queued in an email; its token."""
    token, at = new_link_token(), now()
    link = AccountLink(
        id=new_id("lnk"),
        worker_id=worker.id,
        purpose=purpose,
        email=worker.email,
        created_at=at,
        expires_at=at + LINK_SECONDS[purpose],
    )
    await rt.store.create_account_link(link, hash_link_token(token))
    letter = _LETTERS[purpose]
    url = rt.settings.public_origin + _PATHS[purpose] + token
    with use(worker.locale or locale):
        subject = gettext(letter.subject)
        body = say(Text(letter.body, {"email": worker.email, "link": url}))
    await queue_email(rt, to=worker.email, subject=subject, body=body)
    return token


async def send_verification(rt: Runtime, worker: Worker, *, locale: str | None) -> bool:
    """Email the worker a link confirming their address (after sign-up, or asked again);
    False when there is nothing to do (verified already, or this gateway sends no email)."""
    if worker.email_verified_at is not None or not mail_enabled(rt.settings):
        return False
    await _email_link(rt, worker, "verify", locale)
    return True


async def request_reset(rt: Runtime, email: str, *, locale: str | None) -> None:
    """Email a password reset link to the account with this address, if there is one. The
    caller answers the same either way (and throttles: identity/throttle.py)."""
    worker = await rt.store.worker_by_email(email.strip().lower())
    if worker is None or not mail_enabled(rt.settings):
        return
    await _email_link(rt, worker, "reset", locale)


async def _worker_of(rt: Runtime, link: AccountLink) -> Worker:
    worker = await rt.store.get_worker(link.worker_id)
    if worker is None or worker.email != link.email:  # an address since changed: void
        check_link_open(None, purpose=link.purpose, now=now())
    assert worker is not None
    return worker


async def open_reset_link(rt: Runtime, token: str) -> Worker:
    """The worker whose reset link this is, while it may be used (the new password form);
    what ``rules.check_link_open`` raises otherwise. Opening it does not use it."""
    link = await rt.store.account_link_by_token_hash(hash_link_token(token))
    check_link_open(link, purpose="reset", now=now())
    assert link is not None
    return await _worker_of(rt, link)


async def reset_password(rt: Runtime, token: str, *, password: str) -> Worker:
    """Use the reset link: the worker's password becomes ``password``, and their address is
    confirmed (the link reached it); the worker's other reset links stop working. The password
    is checked first, so a refused one leaves the link usable."""
    checked_password(password)
    hashed = await asyncio.to_thread(hash_password, password)
    link = await rt.store.use_account_link(hash_link_token(token), purpose="reset", now=now())
    worker = await _worker_of(rt, link)
    at = link.used_at or now()
    await rt.store.set_worker_password(worker.id, hashed)
    # any other reset link in the mailbox is of no use now, and should be of none to anyone
    await rt.store.close_account_links(worker.id, purpose="reset", now=at)
    return await rt.store.set_worker_email_verified(worker.id, at=at)


async def verify_email(rt: Runtime, token: str) -> Worker:
    """Use the verification link: the worker's address is confirmed."""
    link = await rt.store.use_account_link(hash_link_token(token), purpose="verify", now=now())
    worker = await _worker_of(rt, link)
    return await rt.store.set_worker_email_verified(worker.id, at=link.used_at or now())
