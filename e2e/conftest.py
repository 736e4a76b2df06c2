"""End-to-end fixtures: a gateway, a client's task server, Debian's Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from redis_server import RedisServer
from services import World, running_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """Shadows pytest-playwright's fallback fixture, which pytest 9 deprecates (an error here)."""
    return None


@pytest.fixture
def example_options() -> list[str]:
    """Options of the sentiment example; a module about its reading test overrides this."""
    return ["--no-reading-test"]


@pytest.fixture(params=["sqlite", "redis"])
def gateway_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Every end-to-end flow runs on the embedded SQLite store and on a real redis-server: the
    environment that points the gateway (and ``create-client``) at the store."""
    if request.param == "sqlite":
        yield {}
        return
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield {"CROWDFRAME_STORE": server.url}
    finally:
        server.stop()


@pytest.fixture
def world(
    tmp_path: Path,
    request: pytest.FixtureRequest,
    example_options: list[str],
    gateway_store: dict[str, str],
) -> Iterator[World]:
    with running_world(tmp_path, example_options, gateway_store) as world:
        try:
            yield world
        finally:
            report = getattr(request.node, "rep_call", None)
            if report is not None and report.failed:
                print_logs(world)


def print_logs(world: World) -> None:
    for service in (world.gateway, world.example):
        print(f"----- {service.name} log -----\n{service.output()}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
