"""The store's part of the identity context:
clients, workers, the keyring and shared rate-limit counters.
"""

from __future__ import annotations

from typing import Protocol

from ..core.records import (
    ApiKey,
    Client,
    Worker,
)

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
