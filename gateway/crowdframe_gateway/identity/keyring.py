"""A client's keyring: its API keys and its task-token signing secrets, rotated through the API.

API keys: several per client, random, shown once, stored as a hash, revocable at once; the last
live key cannot be revoked (a client would lock itself out). Signing secrets: the newest signs,
every current one verifies, so a rotation is add (new tokens use it), wait for the old tokens to
expire (2 minutes), delete the old one. A client always keeps one. The rules: rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from crowdframe.signing import secret_kid

from ..core.records import ApiKey, Client, new_id, now
from ..core.validation import Body, Text, read
from .credentials import hash_api_key, new_api_key, new_signing_secret
from .rules import (
    MAX_LIVE_API_KEYS,
    MAX_SIGNING_SECRETS,
    check_room_for_api_key,
    check_room_for_signing_secret,
)

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "MAX_LIVE_API_KEYS",
    "MAX_SIGNING_SECRETS",
    "NewApiKey",
    "add_signing_secret",
    "create_api_key",
    "first_api_key",
    "remove_signing_secret",
    "revoke_api_key",
]

_PREFIX_CHARS = 8  # "cfk_" and 4 random characters: enough to tell keys apart, useless to guess


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A key just created, with its secret value, which is shown this once."""

    key: ApiKey
    secret: str


def first_api_key(client: Client, secret: str) -> ApiKey:
    """The record of the key a client is created with."""
    return ApiKey(
        id=new_id("key"),
        client_id=client.id,
        name="default",
        prefix=secret[:_PREFIX_CHARS],
        created_at=client.created_at,
    )


class NewKey(Body):
    """``POST /api-keys``: a name to tell the key by."""

    name: Annotated[str, Text(1, 100)] = "unnamed"


async def create_api_key(rt: Runtime, client: Client, body: dict[str, Any]) -> NewApiKey:
    name = read(NewKey, body).name
    live = [key for key in await rt.store.list_api_keys(client.id) if key.revoked_at is None]
    check_room_for_api_key(len(live))
    secret = new_api_key()
    key = ApiKey(
        id=new_id("key"),
        client_id=client.id,
        name=name,
        prefix=secret[:_PREFIX_CHARS],
        created_at=now(),
    )
    await rt.store.create_api_key(key, hash_api_key(secret))
    return NewApiKey(key, secret)


async def revoke_api_key(rt: Runtime, client: Client, key_id: str) -> ApiKey:
    return await rt.store.revoke_api_key(client.id, key_id, now=now())


async def add_signing_secret(rt: Runtime, client: Client) -> tuple[Client, str]:
    """A new secret, the newest (so the one that signs from now on); shown this once."""
    current = await rt.store.get_client(client.id) or client
    check_room_for_signing_secret(len(current.signing_secrets))
    kids = {secret_kid(secret) for secret in current.signing_secrets}
    secret = new_signing_secret()
    while secret_kid(secret) in kids:  # 32 random bits: a clash is rare, never kept
        secret = new_signing_secret()
    return await rt.store.add_signing_secret(client.id, secret), secret


async def remove_signing_secret(rt: Runtime, client: Client, kid: str) -> Client:
    return await rt.store.remove_signing_secret(client.id, kid)
