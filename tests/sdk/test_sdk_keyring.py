"""The SDK's keyring methods against the real gateway app, in-process over ASGI.

(``Client``, the blocking twin, drives a real gateway process in e2e/test_gateway_logs.py.)
"""

from __future__ import annotations

import httpx
import pytest

import crowdframe
from harness import GATEWAY, ApiClient, Gateway


def as_client(gateway: Gateway, key: str) -> crowdframe.AsyncClient:
    return crowdframe.AsyncClient(key, GATEWAY, transport=httpx.ASGITransport(app=gateway.app))


async def test_a_key_made_with_the_sdk_works_until_it_is_revoked(
    gateway: Gateway, sdk: crowdframe.AsyncClient
) -> None:
    made = await sdk.create_api_key("deploy bot")
    assert made.key is not None and made.prefix == made.key[:8] and made.revoked_at is None

    async with as_client(gateway, made.key) as bot:
        assert (await bot.list_projects()).data == []
        listed = await sdk.list_api_keys()
        assert [(k.name, k.key) for k in listed] == [("deploy bot", None), ("default", None)]

        revoked = await sdk.revoke_api_key(made.id)

        assert revoked.revoked_at is not None
        with pytest.raises(crowdframe.AuthenticationError):
            await bot.list_projects()


async def test_the_last_key_is_kept(sdk: crowdframe.AsyncClient) -> None:
    [only] = await sdk.list_api_keys()

    with pytest.raises(crowdframe.ConflictError) as refused:
        await sdk.revoke_api_key(only.id)

    assert refused.value.code == "last_api_key"


async def test_a_rotation_with_the_sdk(api: ApiClient, sdk: crowdframe.AsyncClient) -> None:
    [old] = await sdk.list_signing_secrets()
    assert old.signing and old.secret is None

    new = await sdk.create_signing_secret()

    assert new.signing and new.secret is not None and new.secret.startswith(f"cfts_{new.kid}_")
    assert [(s.kid, s.signing) for s in await sdk.list_signing_secrets()] == [
        (new.kid, True),
        (old.kid, False),
    ]
    remaining = await sdk.delete_signing_secret(old.kid)
    assert [s.kid for s in remaining] == [new.kid]
    with pytest.raises(crowdframe.ConflictError) as refused:
        await sdk.delete_signing_secret(new.kid)
    assert refused.value.code == "last_signing_secret"
    with pytest.raises(crowdframe.NotFoundError):
        await sdk.delete_signing_secret(old.kid)
