"""The gateway application: a table of routes, read top to bottom."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .background import running_background
from .mturk.routes import mturk_endpoint, mturk_exception_handlers, mturk_routes
from .runtime import Runtime, Store, open_store
from .settings import Settings
from .web.api import api_exception_handlers, api_mount, api_routes
from .web.api.openapi import openapi
from .web.middleware import DurableAnswers, SecurityHeaders
from .web.workplace import workplace_exception_handlers, workplace_routes
from .work.tokens import TokenIssuer

__all__ = ["create_app", "widgets_dir"]

HERE = Path(__file__).parent


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
            if background:
                async with running_background(rt):
                    yield
            else:
                yield
        finally:
            await store.close()

    api = Starlette(routes=api_routes, exception_handlers=api_exception_handlers)
    mturk = Starlette(routes=mturk_routes, exception_handlers=mturk_exception_handlers)
    routes = [
        api_mount(api),
        Route("/openapi.json", openapi, methods=["GET"]),
        mturk_endpoint,
        Mount("/mturk", app=mturk),
        Mount("/widgets", app=StaticFiles(directory=widgets_dir()), name="widgets"),
        Mount(
            "/static",
            app=StaticFiles(directory=HERE / "web" / "workplace" / "static"),
            name="static",
        ),
        *workplace_routes,
    ]
    session_key = hmac.new(secret_key.encode(), b"crowdframe.session", hashlib.sha256).hexdigest()
    app = Starlette(
        routes=routes,
        middleware=[
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
        exception_handlers=workplace_exception_handlers,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    api.state.runtime = rt
    mturk.state.runtime = rt
    return app
