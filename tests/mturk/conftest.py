"""The gateway process the boto3 scripts talk to, once per test module on each store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mturk_world import MTurkWorld, Requester, start_mturk_world
from redis_server import RedisServer


@pytest.fixture(scope="module", params=["sqlite", "redis"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MTurkWorld]:
    """The gateway, once on each store (a Redis of its own: other tests flush theirs)."""
    tmp = tmp_path_factory.mktemp("mturk")
    server = RedisServer(tmp / "redis").start() if request.param == "redis" else None
    made = start_mturk_world(tmp, {"CROWDFRAME_STORE": server.url} if server else None)
    try:
        yield made
    finally:
        made.stop()
        if server is not None:
            server.stop()


@pytest.fixture(scope="module")
def lab(world: MTurkWorld) -> Requester:
    return world.requester()


@pytest.fixture(scope="module")
def mturk(lab: Requester) -> Any:
    return lab.mturk()
