"""The client's keyring over the API: API keys and token signing secrets (docs/api.md)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from crowdframe.signing import secret_kid

from ...core.records import ApiKey, Client, iso
from ...identity import keyring
from .http import client_call, reply
from .views import page_view

__all__ = [
    "create_api_key",
    "create_signing_secret",
    "delete_signing_secret",
    "list_api_keys",
    "list_signing_secrets",
    "revoke_api_key",
]


def api_key_view(key: ApiKey, *, secret: str | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": key.id,
        "object": "api_key",
        "name": key.name,
        "prefix": key.prefix,
        "created_at": iso(key.created_at),
        "revoked_at": iso(key.revoked_at),
    }
    if secret is not None:
        view["key"] = secret
    return view


def signing_secrets_view(client: Client) -> list[dict[str, Any]]:
    """Newest first; only the key ids, never the secrets."""
    newest = client.signing_secrets[-1]
    return [
        {"object": "signing_secret", "kid": secret_kid(secret), "signing": secret == newest}
        for secret in reversed(client.signing_secrets)
    ]


async def create_api_key(request: Request) -> JSONResponse:
    call = await client_call(request)
    made = await keyring.create_api_key(call.rt, call.client, await call.body())
    return reply(api_key_view(made.key, secret=made.secret), 201)


async def list_api_keys(request: Request) -> JSONResponse:
    call = await client_call(request)
    keys = await call.rt.store.list_api_keys(call.client.id)
    return reply(page_view(keys, api_key_view))


async def revoke_api_key(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(api_key_view(await keyring.revoke_api_key(call.rt, call.client, call.id)))


async def create_signing_secret(request: Request) -> JSONResponse:
    call = await client_call(request)
    await call.nothing()
    _client, secret = await keyring.add_signing_secret(call.rt, call.client)
    view = {"object": "signing_secret", "kid": secret_kid(secret), "signing": True}
    return reply({**view, "secret": secret}, 201)


async def list_signing_secrets(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply({"data": signing_secrets_view(call.client), "next_cursor": None})


async def delete_signing_secret(request: Request) -> JSONResponse:
    call = await client_call(request)
    kid = request.path_params["kid"]
    remaining = await keyring.remove_signing_secret(call.rt, call.client, kid)
    return reply({"data": signing_secrets_view(remaining), "next_cursor": None})
