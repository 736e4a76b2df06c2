"""Shared fixtures (the harness itself is tests/harness.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from crowdframe_gateway.app import create_app
from harness import GATEWAY, ApiClient, Gateway, settings_for
from redis_server import RedisServer


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    """Settings the ``gateway`` fixture uses beyond the defaults; override it in a module."""
    return {}


@pytest.fixture
def gateway_store() -> str:
    """Which store the ``gateway`` fixture runs on; a module that should run on both overrides
    it with ``params=["sqlite", "redis"]``."""
    return "sqlite"


@pytest.fixture
async def gateway(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    gateway_settings: dict[str, object],
    gateway_store: str,
) -> AsyncIterator[Gateway]:
    settings = dict(gateway_settings)
    if gateway_store == "redis":
        settings["store_url"] = request.getfixturevalue("redis_url")
    app = create_app(settings_for(tmp_path, **settings), background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
            harness = Gateway(app, app.state.runtime, http, [])
            try:
                yield harness
            finally:
                for browser in harness.browsers:
                    await browser.aclose()


@pytest.fixture
async def api(gateway: Gateway) -> ApiClient:
    """A client account on the gateway."""
    return await gateway.client()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session (no persistence); tests flush it (``redis_url``)."""
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    redis_server.flush()
    return redis_server.url
