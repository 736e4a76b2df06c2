"""Client accounts, as an operator creates them (``crowdframe create-client``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import InvalidInput
from ..core.records import Client, new_id, now
from .credentials import hash_api_key, new_api_key, new_pseudonym_key, new_signing_secret
from .keyring import first_api_key

if TYPE_CHECKING:
    from ..runtime import Store


__all__ = ["NewClient", "create_client"]


@dataclass(frozen=True, slots=True)
class NewClient:
    """A client just created, with the two secrets that are shown this once."""

    client: Client
    api_key: str
    signing_secret: str


async def create_client(store: Store, name: str, *, platform: bool = False) -> NewClient:
    """A new client; a ``platform`` client's assessments may be required by any client."""
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidInput("a client name is 1 to 200 characters", field="name")
    api_key, signing_secret = new_api_key(), new_signing_secret()
    client = Client(
        id=new_id("cli"),
        name=name,
        signing_secrets=(signing_secret,),
        pseudonym_key=new_pseudonym_key(),
        created_at=now(),
        platform=platform,
    )
    await store.create_client(client, hash_api_key(api_key))
    await store.create_api_key(first_api_key(client, api_key), hash_api_key(api_key))
    return NewClient(client, api_key, signing_secret)
