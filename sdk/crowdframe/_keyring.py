"""The client's keyring: API keys and task-token signing secrets (``docs/api.md``).

``Client`` and ``AsyncClient`` get these methods from the two mixins below, so the keyring
lives in one module: the models, the calls as data, and the blocking and async methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from ._call import _AsyncRunner, _Call, _segment, _SyncRunner
from ._decode import _mapping, _Model

__all__ = ["ApiKey", "SigningSecret"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ApiKey(_Model):
    """One of the client's API keys. ``key`` (``cfk_…``) is only set in the answer that created
    it: keep it then. ``prefix`` tells keys apart in a listing; ``revoked_at`` is set once the
    key is revoked, after which the gateway refuses it."""

    id: str
    name: str
    prefix: str
    created_at: str
    revoked_at: str | None = None
    key: str | None = None

    _object = "api_key"


@dataclass(frozen=True, slots=True)
class SigningSecret(_Model):
    """A task-token signing secret, known by its key id (``kid``, in every token's claims).

    ``signing`` marks the newest secret, the one new tokens are signed with. ``secret``
    (``cfts_<kid>_…``) is only set in the answer that created it."""

    kid: str
    signing: bool
    secret: str | None = None

    _object = "signing_secret"


def _list_of(parse: Any) -> Any:
    def parse_list(body: Any) -> list[Any]:
        data = _mapping(body, None).get("data")
        if not isinstance(data, list):
            raise ValueError("missing list 'data'")
        return [parse(item) for item in data]

    return parse_list


def _call(method: str, path: str, parse: Any, body: Any = None) -> _Call[Any]:
    return _Call(method, path, parse, body=body)


def _path(prefix: str, value: str) -> str:
    return f"{prefix}/{_segment(value)}"


class _KeyringCalls:
    def _create_api_key(self, name: str | None) -> _Call[ApiKey]:
        body = {} if name is None else {"name": name}
        return _call("POST", "/api-keys", ApiKey.from_json, body)

    def _list_api_keys(self) -> _Call[list[ApiKey]]:
        return _call("GET", "/api-keys", _list_of(ApiKey.from_json))

    def _revoke_api_key(self, key_id: str) -> _Call[ApiKey]:
        return _call("DELETE", _path("/api-keys", key_id), ApiKey.from_json)

    def _create_signing_secret(self) -> _Call[SigningSecret]:
        return _call("POST", "/signing-secrets", SigningSecret.from_json, {})

    def _list_signing_secrets(self) -> _Call[list[SigningSecret]]:
        return _call("GET", "/signing-secrets", _list_of(SigningSecret.from_json))

    def _delete_signing_secret(self, kid: str) -> _Call[list[SigningSecret]]:
        return _call("DELETE", _path("/signing-secrets", kid), _list_of(SigningSecret.from_json))


class SyncKeyring(_KeyringCalls, _SyncRunner):
    """The keyring methods of ``Client``."""

    def create_api_key(self, name: str | None = None) -> ApiKey:
        """A new API key beside the current ones; its ``key`` is shown this once."""
        return self._run(self._create_api_key(name))

    def list_api_keys(self) -> list[ApiKey]:
        """The client's API keys, live and revoked, newest first (without the keys)."""
        return self._run(self._list_api_keys())

    def revoke_api_key(self, key_id: str) -> ApiKey:
        """Revoke a key at once (``ConflictError`` ``last_api_key`` for the last live one)."""
        return self._run(self._revoke_api_key(key_id))

    def create_signing_secret(self) -> SigningSecret:
        """Start a rotation: a new secret that signs every token from now on.

        Verify with both the old and the new secret until the tokens signed with the old one
        have expired (minutes), then ``delete_signing_secret(old_kid)``.
        """
        return self._run(self._create_signing_secret())

    def list_signing_secrets(self) -> list[SigningSecret]:
        """The current signing secrets by key id, newest (the signing one) first."""
        return self._run(self._list_signing_secrets())

    def delete_signing_secret(self, kid: str) -> list[SigningSecret]:
        """End a rotation: tokens signed with this secret stop verifying. Returns the rest;
        the only secret cannot be deleted (``ConflictError`` ``last_signing_secret``)."""
        return self._run(self._delete_signing_secret(kid))


class AsyncKeyring(_KeyringCalls, _AsyncRunner):
    """The keyring methods of ``AsyncClient``."""

    async def create_api_key(self, name: str | None = None) -> ApiKey:
        """A new API key; see ``Client.create_api_key``."""
        return await self._run(self._create_api_key(name))

    async def list_api_keys(self) -> list[ApiKey]:
        """The client's API keys; see ``Client.list_api_keys``."""
        return await self._run(self._list_api_keys())

    async def revoke_api_key(self, key_id: str) -> ApiKey:
        """Revoke a key at once; see ``Client.revoke_api_key``."""
        return await self._run(self._revoke_api_key(key_id))

    async def create_signing_secret(self) -> SigningSecret:
        """Start a rotation; see ``Client.create_signing_secret``."""
        return await self._run(self._create_signing_secret())

    async def list_signing_secrets(self) -> list[SigningSecret]:
        """The current signing secrets; see ``Client.list_signing_secrets``."""
        return await self._run(self._list_signing_secrets())

    async def delete_signing_secret(self, kid: str) -> list[SigningSecret]:
        """End a rotation; see ``Client.delete_signing_secret``."""
        return await self._run(self._delete_signing_secret(kid))
