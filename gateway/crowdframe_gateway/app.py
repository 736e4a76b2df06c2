"""The gateway application: a table of routes, read top to bottom."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .background import running_background
from .core.errors import GatewayError, Unavailable
from .mturk.content import ContentOrigin, content_app
from .mturk.routes import mturk_endpoint, mturk_exception_handlers, mturk_routes
from .runtime import Runtime, Store, open_store
from .settings import Settings
from .web.api import api_exception_handlers, api_mount, api_routes
from .web.api.http import error_response
from .web.api.openapi import openapi
from .web.console import console_app
from .web.middleware import DurableAnswers, SecurityHeaders
from .web.operator import operator_routes, serving_metrics
from .web.telemetry import Telemetry
from .web.workplace import workplace_exception_handlers, workplace_routes
from .work.tokens import TokenIssuer

__all__ = ["create_app", "widgets_dir"]

HERE = Path(__file__).parent
log = logging.getLogger("crowdframe.app")

Handler = Callable[[Request, Exception], Awaitable[Response]]


def widgets_dir() -> Path:
    """The widgets: packaged inside the wheel, or at the repository root in a checkout."""
    for candidate in (HERE / "widgets", HERE.parent.parent / "widgets"):
        if (candidate / "crowdframe-task.js").exists():
            return candidate
    raise RuntimeError("the widgets directory is missing from this installation")


def create_app(
    settings: Settings, *, store: Store | None = None, background: bool = True
) -> Starlette:
    store = (
        store
        if store is not None
        else open_store(
            settings.store,
            sqlite_synchronous=settings.sqlite_synchronous,
            wait=settings.store_wait,
        )
    )
    secret_key = settings.resolved_secret_key()
    rt = Runtime(
        settings=settings,
        store=store,
        tokens=TokenIssuer(settings.public_origin, settings.launch_token_seconds),
        secret_key=secret_key,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await store.open()
        try:
            async with AsyncExitStack() as running:
                if background:
                    app.state.loops = await running.enter_async_context(running_background(rt))
                if settings.metrics_port:
                    await running.enter_async_context(serving_metrics(rt))
                yield
        finally:
            await store.close()

    # each session cookie is signed with a key of its own
    console_key = hmac.new(secret_key.encode(), b"crowdframe.console", hashlib.sha256).hexdigest()

    def answering_outages(handlers: Mapping[Any, Handler]) -> dict[Any, Handler]:
        return {**handlers, **_outage_handlers(store, handlers.get(GatewayError, _json_error))}

    api = Starlette(routes=api_routes, exception_handlers=answering_outages(api_exception_handlers))
    mturk = Starlette(
        routes=mturk_routes, exception_handlers=answering_outages(mturk_exception_handlers)
    )
    routes = [
        # the workers' pages first: most requests are theirs, and each route is tried in turn
        # (no other path overlaps theirs)
        *workplace_routes,
        *operator_routes(with_metrics=not settings.metrics_port),
        api_mount(api),
        Route("/openapi.json", openapi, methods=["GET"]),
        mturk_endpoint,
        Mount("/mturk", app=mturk),
        Mount("/console", app=console_app(rt, session_key=console_key)),
        Mount("/widgets", app=StaticFiles(directory=widgets_dir()), name="widgets"),
        Mount(
            "/static",
            app=StaticFiles(directory=HERE / "web" / "workplace" / "static"),
            name="static",
        ),
    ]
    session_key = hmac.new(secret_key.encode(), b"crowdframe.session", hashlib.sha256).hexdigest()
    app = Starlette(
        routes=routes,
        middleware=[
            # HTMLQuestion pages: their own origin, before anything reads a session
            *(
                [Middleware(ContentOrigin, content_origin=co, content=content_app(rt))]
                if (co := settings.content_origin)
                else []
            ),
            Middleware(Telemetry),
            Middleware(SecurityHeaders, https=settings.https),
            Middleware(DurableAnswers, store=store),
            Middleware(
                SessionMiddleware,
                secret_key=session_key,
                session_cookie="cf_session",
                same_site="lax",
                https_only=settings.https,
            ),
        ],
        exception_handlers=answering_outages(workplace_exception_handlers),
        lifespan=lifespan,
    )
    app.state.runtime = rt
    api.state.runtime = rt
    mturk.state.runtime = rt
    return app


async def _json_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return error_response(exc)


def _outage_handlers(store: Store, answer: Handler) -> dict[Any, Handler]:
    """The store's errors while it is unreachable (after waiting ``CROWDFRAME_STORE_WAIT`` for
    it), answered by the app's own error handler as 503 ``unavailable`` with ``Retry-After``:
    never a traceback."""

    async def unavailable(request: Request, exc: Exception) -> Response:
        log.warning("the store is unreachable (%s: %s): answered 503", type(exc).__name__, exc)
        retry_after = max(1, math.ceil(request.app.state.runtime.settings.store_wait))
        refused = Unavailable(
            "the store is unreachable; try again shortly", retry_after=retry_after
        )
        return await answer(request, refused)

    return dict.fromkeys(store.outage_errors, unavailable)
