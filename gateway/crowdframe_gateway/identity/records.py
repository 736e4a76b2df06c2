"""Identity's records beside those in ``core.records``: a worker's one-time account links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["LINK_PURPOSES", "AccountLink", "LinkPurpose"]

LinkPurpose = Literal["verify", "reset"]
LINK_PURPOSES: tuple[LinkPurpose, ...] = ("verify", "reset")


@dataclass(frozen=True, slots=True)
class AccountLink:
    """A link emailed to a worker: ``verify`` confirms their address, ``reset`` lets them
    choose a new password. Its token is in the email only; the store keeps its hash. It works
    once (``used_at``), until ``expires_at`` (identity/rules.py)."""

    id: str
    worker_id: str
    purpose: LinkPurpose
    email: str  # the address it was sent to: a link for an address since changed is void
    created_at: float
    expires_at: float
    used_at: float | None = None
