"""Every test in tests/store runs against each store: SQLite and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crowdframe_gateway.runtime import Store, open_store
from store_world import Opener


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
async def open_stores(store_url: str) -> AsyncIterator[Opener]:
    """Opens more stores on the same data: what several gateway processes would hold."""
    opened: list[Store] = []

    async def another() -> Store:
        store = open_store(store_url)
        await store.open()
        opened.append(store)
        return store

    try:
        yield another
    finally:
        for store in opened:
            await store.close()


@pytest.fixture
async def store(open_stores: Opener) -> Store:
    return await open_stores()
