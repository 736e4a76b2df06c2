"""What an operator's tools call: ``/healthz`` (the process answers), ``/readyz`` (it can do
its work: the store answers and the background loops run) and ``/metrics`` (Prometheus).

``/metrics`` asks for ``Authorization: Bearer <CROWDFRAME_METRICS_TOKEN>`` when a token is
set; with ``CROWDFRAME_METRICS_PORT`` it is served on that port only (``metrics_app``), for a
network that only the scraper reaches. docs/deployment.md.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TYPE_CHECKING

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..core.records import now
from ..metrics import (
    CONTENT_TYPE,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PENDING,
    STORE_REACHABLE,
    exposition,
)

if TYPE_CHECKING:
    from ..background import Loops
    from ..runtime import Runtime

__all__ = ["READY_TIMEOUT", "metrics", "metrics_app", "operator_routes", "serving_metrics"]

READY_TIMEOUT = 2.0  # seconds the store has to answer a readiness check or a scrape
log = logging.getLogger("crowdframe.operator")


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def healthz(request: Request) -> Response:
    """The process is up and answering."""
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


async def readyz(request: Request) -> Response:
    """Ready for traffic: the store answers within ``READY_TIMEOUT`` and every background loop
    this process runs is alive; else 503, naming what is not."""
    rt = _rt(request)
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            await rt.store.ping()
        checks["store"] = "ok"
    except Exception as exc:  # whatever the backend raises while it is down
        checks["store"] = f"unreachable: {type(exc).__name__}"
    loops: Loops | None = getattr(request.app.state, "loops", None)
    for name, alive in (loops.alive() if loops is not None else {}).items():
        checks[name] = "ok" if alive else "stopped"
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
        headers={"cache-control": "no-store"},
    )


async def metrics(request: Request) -> Response:
    """This process's metrics in Prometheus' text format; the outbox's figures are read from
    the store now (platform-wide, the same in every process), and left out while it is down
    (``crowdframe_store_reachable`` 0)."""
    rt = _rt(request)
    token = rt.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return PlainTextResponse(
                "send the metrics token as 'Authorization: Bearer <token>'",
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
    OUTBOX_PENDING.clear()
    OUTBOX_OLDEST_AGE.clear()
    try:  # a store that is down still lets the process's own figures be scraped
        async with asyncio.timeout(READY_TIMEOUT):
            backlog = await rt.store.outbox_backlog()
    except Exception as exc:
        log.warning("the outbox could not be read for /metrics: %s", exc)
        STORE_REACHABLE.set(0)
        backlog = []
    else:
        STORE_REACHABLE.set(1)
    at = now()
    for endpoint in backlog:
        OUTBOX_PENDING.labels(endpoint.endpoint_id).set(endpoint.pending)
        OUTBOX_OLDEST_AGE.labels(endpoint.endpoint_id).set(
            max(0.0, at - endpoint.oldest_created_at)
        )
    return Response(exposition(), media_type=CONTENT_TYPE)


def operator_routes(*, with_metrics: bool) -> list[Route]:
    """The probes, and ``/metrics`` unless it has a port of its own."""
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    if with_metrics:
        routes.append(Route("/metrics", metrics, methods=["GET"]))
    return routes


def metrics_app(rt: Runtime) -> Starlette:
    """``/metrics`` alone, for ``CROWDFRAME_METRICS_PORT``."""
    app = Starlette(routes=[Route("/metrics", metrics, methods=["GET"])])
    app.state.runtime = rt
    return app


class _MetricsServer(uvicorn.Server):
    """A second server in the gateway's event loop; the gateway's own server handles the
    signals, and stops this one from its lifespan."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serving_metrics(rt: Runtime) -> AsyncIterator[None]:
    """``/metrics`` on ``CROWDFRAME_METRICS_HOST:CROWDFRAME_METRICS_PORT`` while inside."""
    settings = rt.settings
    config = uvicorn.Config(
        metrics_app(rt),
        host=settings.metrics_host,
        port=settings.metrics_port,
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    server = _MetricsServer(config)
    task = asyncio.create_task(server.serve(), name="crowdframe-metrics")
    try:
        yield
    finally:
        server.should_exit = True
        await task
