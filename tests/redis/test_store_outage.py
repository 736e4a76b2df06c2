"""A Redis that restarts under a running gateway (a real redis-server, stopped and started on
the same port): requests wait for it up to CROWDFRAME_STORE_WAIT, then answer 503 with
Retry-After, never a traceback; /readyz fails while it is down; the JSON log line of the outage
carries the request's id."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from crowdframe_gateway.app import create_app
from crowdframe_gateway.logs import JsonLines
from crowdframe_gateway.metrics import REGISTRY
from delivery_harness import wait_until
from harness import GATEWAY, ApiClient, Gateway, settings_for
from redis_server import RedisServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    # an append-only file, so that what was written is there again after the restart
    redis = RedisServer(tmp_path / "redis", aof=True, appendfsync="always").start()
    try:
        yield redis
    finally:
        redis.stop()


@asynccontextmanager
async def gateway_on(server: RedisServer, tmp_path: Path, wait: float) -> AsyncIterator[Gateway]:
    settings = settings_for(tmp_path / "gw", store_url=server.url, store_wait=wait)
    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
            yield Gateway(app, app.state.runtime, http, [])


def in_flight() -> bool:
    return (REGISTRY.get_sample_value("crowdframe_http_requests_in_flight") or 0) >= 1


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The root logger's lines as CROWDFRAME_LOG_FORMAT=json writes them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield out
    finally:
        root.removeHandler(handler)


async def test_past_the_wait_a_request_is_a_503_with_retry_after(
    server: RedisServer, tmp_path: Path, json_log: io.StringIO
) -> None:
    async with gateway_on(server, tmp_path, wait=0.3) as gateway:
        api = await gateway.client()
        worker = await gateway.worker()
        assert (await api.call("GET", "/projects")).status_code == 200
        server.stop()
        answer = await api.call("GET", "/projects")
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["error"]["code"] == "unavailable"
        page = await worker.http.get("/work")
        assert page.status_code == 503 and page.headers["retry-after"] == "1"
        assert "text/html" in page.headers["content-type"], "a worker sees a page, not JSON"
        ready = await gateway.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["store"].startswith("unreachable")
        assert (await gateway.http.get("/healthz")).status_code == 200, "the process is up"
        scraped = await gateway.http.get("/metrics")
        assert scraped.status_code == 200, "the process's own figures are still there"
        assert "crowdframe_store_reachable 0.0" in scraped.text

        lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
        outage = [line for line in lines if "unreachable" in line["message"]]
        assert outage and outage[0]["level"] == "WARNING"
        assert outage[0]["request_id"] == answer.headers["x-request-id"]

        await asyncio.to_thread(server.start)
        assert (await api.call("GET", "/projects")).status_code == 200
        assert (await gateway.http.get("/readyz")).status_code == 200


async def test_a_request_in_flight_waits_through_a_restart(
    server: RedisServer, tmp_path: Path
) -> None:
    async with gateway_on(server, tmp_path, wait=30) as gateway:
        api: ApiClient = await gateway.client()
        project = await api.project(tasks=1)
        server.stop()
        waiting = asyncio.create_task(api.call("GET", f"/projects/{project['id']}"))
        await wait_until(in_flight, "the request in flight")
        assert not waiting.done(), "it waits for the store"
        await asyncio.to_thread(server.start)
        answer = await waiting
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == project["id"]
