"""Compat credentials: per-client SigV4 key pairs, the secret kept encrypted at rest.

SigV4 is a shared-secret scheme: to check a signature the gateway must hold the secret itself, so
it cannot keep only a hash as it does for API keys. The secret is encrypted with Fernet
(AES-128-CBC + HMAC-SHA256) under a key derived by HKDF from the gateway's secret key: a copy of
the database alone does not reveal it.
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ..core.errors import NotFound
from ..core.records import now
from .records import MTurkCredential

if TYPE_CHECKING:
    from ..runtime import Store


__all__ = [
    "NewCredential",
    "create_credential",
    "kept_credential",
    "open_secret",
    "revoke_credential",
]

_INFO = b"crowdframe.mturk.credentials.v1"


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A key pair just created; the secret is shown this once."""

    client_id: str
    access_key_id: str
    secret_access_key: str


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def open_secret(secret_key: str, credential: MTurkCredential) -> str | None:
    """The plain secret, or None if it was sealed under another gateway secret key."""
    try:
        return _fernet(secret_key).decrypt(credential.secret_encrypted.encode()).decode()
    except InvalidToken:
        return None


async def create_credential(store: Store, secret_key: str, client_id: str) -> NewCredential:
    if await store.get_client(client_id) is None:
        raise NotFound(f"no client {client_id!r}", field="client_id")
    # AWS-shaped: a 20-character key id, a 40-character secret.
    access_key_id = "AKCF" + base64.b32encode(secrets.token_bytes(10)).decode()
    secret = secrets.token_urlsafe(30)
    await store.create_mturk_credential(
        MTurkCredential(
            access_key_id=access_key_id,
            client_id=client_id,
            secret_encrypted=_fernet(secret_key).encrypt(secret.encode()).decode(),
            status="active",
            created_at=now(),
        )
    )
    return NewCredential(client_id, access_key_id, secret)


async def kept_credential(
    store: Store, secret_key: str, client_id: str, saved: NewCredential | None
) -> NewCredential:
    """``saved`` while it still signs for ``client_id`` (active, sealed under this secret key,
    the same secret), else a new key pair: ``crowdframe demo`` shows the same keys each start."""
    if saved is not None and saved.client_id == client_id:
        found = await store.get_mturk_credential(saved.access_key_id)
        if (
            found is not None
            and found.status == "active"
            and found.client_id == client_id
            and open_secret(secret_key, found) == saved.secret_access_key
        ):
            return saved
    return await create_credential(store, secret_key, client_id)


async def revoke_credential(store: Store, access_key_id: str) -> None:
    if not await store.revoke_mturk_credential(access_key_id):
        raise NotFound(f"no active credentials {access_key_id!r}", field="access_key_id")
