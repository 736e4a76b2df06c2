"""The keyring's rules, decided here once; each store reads the keyring, asks, and writes.

A client never locks itself out: its last live API key cannot be revoked and its only signing
secret cannot be removed. It holds at most ``MAX_LIVE_API_KEYS`` live keys and
``MAX_SIGNING_SECRETS`` secrets. Each store applies a removal in one transaction (SQLite) or
one watched transaction (Redis) around the rule, so two removals at once leave one behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from crowdframe.signing import secret_kid

from ..core.errors import Conflict, NotFound
from ..core.records import ApiKey

__all__ = [
    "MAX_LIVE_API_KEYS",
    "MAX_SIGNING_SECRETS",
    "check_room_for_api_key",
    "check_room_for_signing_secret",
    "kept_signing_secrets",
    "revokes_now",
]

MAX_LIVE_API_KEYS = 20
MAX_SIGNING_SECRETS = 5


def revokes_now(key: ApiKey, live_keys: int) -> bool:
    """Whether revoking ``key`` changes it: False for a key revoked already (revoking twice is
    harmless); ``Conflict`` (``last_api_key``) when ``live_keys``, the client's live keys,
    leave none beside it."""
    if key.revoked_at is not None:
        return False
    if live_keys <= 1:
        raise Conflict(
            "this is the client's last API key: create another one first",
            code="last_api_key",
            field="key_id",
        )
    return True


def kept_signing_secrets(secrets: Sequence[str], kid: str) -> tuple[str, ...]:
    """The secrets left once the one with key id ``kid`` is removed; ``NotFound`` when there
    is none with that id, ``Conflict`` (``last_signing_secret``) when it is the only one."""
    kept = tuple(secret for secret in secrets if secret_kid(secret) != kid)
    if len(kept) == len(secrets):
        raise NotFound("no signing secret with this key id", field="kid")
    if not kept:
        raise Conflict(
            "this is the client's only signing secret: create another one first",
            code="last_signing_secret",
            field="kid",
        )
    return kept


def check_room_for_api_key(live_keys: int) -> None:
    """``Conflict`` (``too_many_api_keys``) when the client holds the most live keys already."""
    if live_keys >= MAX_LIVE_API_KEYS:
        raise Conflict(
            f"a client has at most {MAX_LIVE_API_KEYS} live API keys: revoke one first",
            code="too_many_api_keys",
        )


def check_room_for_signing_secret(secrets: int) -> None:
    """``Conflict`` (``too_many_signing_secrets``) when the client holds the most already."""
    if secrets >= MAX_SIGNING_SECRETS:
        raise Conflict(
            f"a client has at most {MAX_SIGNING_SECRETS} signing secrets: delete an old one first",
            code="too_many_signing_secrets",
        )
