"""The SDK against a real gateway app: ``sdk`` is the client's ``AsyncClient``, talking to the
in-process gateway of the ``gateway`` fixture with the ``api`` client's key."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

import crowdframe
from harness import GATEWAY, ApiClient, Gateway


@pytest.fixture
async def sdk(gateway: Gateway, api: ApiClient) -> AsyncIterator[crowdframe.AsyncClient]:
    transport = httpx.ASGITransport(app=gateway.app)
    async with crowdframe.AsyncClient(api.made.api_key, GATEWAY, transport=transport) as client:
        yield client
