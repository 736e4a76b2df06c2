"""Rate limits kept in the store, so that every gateway process counts the same attempts.

Sign-in: every attempt counts, per email and per client IP, in a fixed window; past the limit
the password is not even checked (no scrypt work for an attacker to spend). Counting before
checking makes the limit exact under concurrency: N parallel guesses are N attempts.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING

from ..core.errors import TooManyRequests
from ..core.records import now
from ..core.text import N_

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["check_signin"]


def _email_key(email: str, realm: str) -> str:
    # The table keeps no email addresses, only a digest (attempts also come for unknown ones).
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"{realm}:email:{digest}"


async def check_signin(rt: Runtime, *, email: str, ip: str, realm: str = "signin") -> None:
    """Count a sign-in attempt; ``TooManyRequests`` when the email or the IP is over its limit.
    ``realm`` keeps the email counts of two kinds of accounts apart (workers' ``signin``, the
    console's ``console-signin``: the same email may be both); an address's attempts count
    together, whatever they sign in to."""
    settings = rt.settings
    current = now()
    limits = (
        (_email_key(email, realm), settings.signin_attempts_per_email),
        (f"signin:ip:{ip}", settings.signin_attempts_per_ip),
    )
    retry_after = 0
    for key, limit in limits:
        count, window_end = await rt.store.count_attempt(
            key, window=settings.signin_window, now=current
        )
        if count > limit:
            retry_after = max(retry_after, math.ceil(window_end - current))
    if retry_after:
        raise TooManyRequests.for_minutes(
            retry_after,
            one=N_("Too many sign-in attempts. For your account's safety, please wait a minute"
                   " and try again."),
            many=N_("Too many sign-in attempts. For your account's safety, please wait"
                    " %(minutes)s minutes and try again."),
        )  # fmt: skip
