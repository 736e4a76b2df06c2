"""The console's session: a signed cookie of its own (``cf_console``, ``Path=/console``), apart
from a worker's (``cf_session``), so one browser can be both and signing out of one leaves
the other. CSRF protection is the workplace's (``check_csrf``), on this session."""

from __future__ import annotations

import secrets

from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ...catalog import owned_project
from ...core.records import Client, ClientUser, Project
from ...runtime import Runtime
from ..workplace.session import check_csrf, csrf_token

__all__ = [
    "COOKIE",
    "ConsoleSession",
    "SignInRequired",
    "check_csrf",
    "csrf_token",
    "current_user",
    "runtime",
    "sign_in",
    "sign_out",
    "signed_in_client",
    "signed_in_project",
    "signed_in_user",
]

COOKIE = "cf_console"
PATH = "/console"


class ConsoleSession:
    """The console's session middleware. The gateway's own session middleware (the worker's)
    runs outside it and writes its cookie from ``scope["session"]`` when the answer starts, so
    the console works on a copy of the scope: its session never ends up in the worker's cookie.
    """

    def __init__(self, app: ASGIApp, *, secret_key: str, https: bool) -> None:
        self.app = SessionMiddleware(
            app,
            secret_key=secret_key,
            session_cookie=COOKIE,
            path=PATH,
            same_site="lax",
            https_only=https,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(dict(scope), receive, send)


class SignInRequired(Exception):
    """Raised by ``signed_in_user`` so the console can send the visitor to its sign-in page."""


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def current_user(request: Request) -> ClientUser | None:
    """The signed-in client user; None when signed out, or removed since signing in."""
    user_id = request.session.get("user_id")
    if not isinstance(user_id, str):
        return None
    return await runtime(request).store.get_client_user(user_id)


async def signed_in_user(request: Request) -> ClientUser:
    user = await current_user(request)
    if user is None:
        raise SignInRequired
    return user


async def signed_in_client(request: Request) -> tuple[ClientUser, Client]:
    """The signed-in user and their client: everything the console shows is that client's."""
    user = await signed_in_user(request)
    client = await runtime(request).store.get_client(user.client_id)
    assert client is not None, "a client user's client is never deleted"
    return user, client


async def signed_in_project(request: Request) -> tuple[ClientUser, Client, Project]:
    """The signed-in user, their client and the client's project of the path's
    ``project_id``: another client's is "no such project" (404), as in the API."""
    user, client = await signed_in_client(request)
    project = await owned_project(runtime(request), client, request.path_params["project_id"])
    return user, client, project


def sign_in(request: Request, user: ClientUser) -> None:
    request.session.clear()  # a new session on sign-in: no fixation
    request.session["user_id"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(24)


def sign_out(request: Request) -> None:
    request.session.clear()
