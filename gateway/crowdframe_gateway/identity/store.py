"""The store's part of the identity context:
clients, workers, the keyring, client users with their invitations, and shared rate-limit
counters.
"""

from __future__ import annotations

from typing import Protocol

from ..core.records import (
    ApiKey,
    Client,
    ClientUser,
    Invitation,
    Worker,
)
from .records import AccountLink, LinkPurpose

__all__ = ["IdentityStore"]


class IdentityStore(Protocol):
    async def create_client(self, client: Client, api_key_hash: str) -> None: ...
    async def client_by_key_hash(self, key_hash: str) -> Client | None:
        """The client owning a live (not revoked) API key with this hash (see create_api_key)."""
        ...

    async def get_client(self, client_id: str) -> Client | None: ...
    async def create_worker(self, worker: Worker) -> None: ...
    async def worker_by_email(self, email: str) -> Worker | None: ...
    async def get_worker(self, worker_id: str) -> Worker | None: ...
    async def update_worker_profile(
        self, worker_id: str, *, languages: tuple[str, ...], skills: tuple[str, ...]
    ) -> Worker:
        """Replace the worker's languages and skills; ``NotFound`` for an unknown worker."""
        ...

    async def set_worker_locale(self, worker_id: str, locale: str) -> Worker:
        """The language of the worker's pages from now on; ``NotFound`` for an unknown worker."""
        ...

    async def set_worker_password(self, worker_id: str, password_hash: str) -> Worker:
        """The worker's new password hash; ``NotFound`` for an unknown worker."""
        ...

    async def set_worker_email_verified(self, worker_id: str, *, at: float) -> Worker:
        """Mark the worker's address verified at ``at`` (kept if it was already);
        ``NotFound`` for an unknown worker."""
        ...

    # -- workers' account links (verification, password reset) --------------------------------

    async def create_account_link(self, link: AccountLink, token_hash: str) -> None:
        """Store a link, found by ``account_link_by_token_hash``."""
        ...

    async def account_link_by_token_hash(self, token_hash: str) -> AccountLink | None: ...

    async def use_account_link(
        self, token_hash: str, *, purpose: LinkPurpose, now: float
    ) -> AccountLink:
        """Mark the link used at ``now`` if ``rules.check_link_open`` lets it be used, and
        raise what it raises otherwise; atomic: of two uses at once, one fails ``link_used``."""
        ...

    async def close_account_links(self, worker_id: str, *, purpose: LinkPurpose, now: float) -> int:
        """Mark every link of the worker's of ``purpose`` not used yet as used at ``now`` (a
        password just reset: the other reset links in their mailbox no longer work); how many."""
        ...

    async def create_api_key(self, key: ApiKey, key_hash: str) -> None:
        """Store a new live API key of ``key.client_id``, found by ``client_by_key_hash``."""
        ...

    async def list_api_keys(self, client_id: str) -> list[ApiKey]:
        """The client's API keys, live and revoked, newest first."""
        ...

    async def revoke_api_key(self, client_id: str, key_id: str, *, now: float) -> ApiKey:
        """Revoke one of the client's keys at once; ``NotFound`` if it is not the client's,
        ``Conflict`` (``last_api_key``) if it is the client's last live key. Idempotent."""
        ...

    async def add_signing_secret(self, client_id: str, secret: str) -> Client:
        """Append a token signing secret: it becomes the newest, the one that signs."""
        ...

    async def remove_signing_secret(self, client_id: str, kid: str) -> Client:
        """Drop the secret with this key id; ``NotFound`` if there is none, ``Conflict``
        (``last_signing_secret``) if it is the only one. Atomic: a client always keeps one."""
        ...

    async def count_attempt(self, key: str, *, window: float, now: float) -> tuple[int, float]:
        """Count one attempt under ``key`` in a fixed window that opens at the first attempt and
        lasts ``window`` seconds; the attempts in the window so far (this one included) and the
        time the window closes. Atomic across processes."""
        ...

    # -- client users (the console) and their invitations -------------------------------------

    async def create_invitation(self, invitation: Invitation, token_hash: str) -> None:
        """Store an invitation, found by ``invitation_by_token_hash``."""
        ...

    async def invitation_by_token_hash(self, token_hash: str) -> Invitation | None: ...

    async def accept_invitation(self, token_hash: str, user: ClientUser, *, now: float) -> None:
        """Mark the invitation accepted at ``now`` and create ``user``, once: ``Conflict``
        (``invitation_used``) if it was accepted already, ``Conflict`` on the field ``email``
        if a client user with this email exists (the invitation then stays unused),
        ``NotFound`` if there is no such invitation."""
        ...

    async def get_client_user(self, user_id: str) -> ClientUser | None: ...
    async def client_user_by_email(self, email: str) -> ClientUser | None: ...
    async def list_client_users(self, client_id: str) -> list[ClientUser]:
        """The client's users, oldest first."""
        ...

    async def remove_client_user(self, client_id: str, user_id: str) -> None:
        """Delete one of the client's users (their email is free again); ``NotFound`` if it is
        not the client's."""
        ...
