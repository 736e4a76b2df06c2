"""Small pure-ASGI middleware."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..runtime import Store

__all__ = ["DurableAnswers", "SecurityHeaders"]

_DEFAULT_CSP = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)


class SecurityHeaders:
    """Headers every answer carries; a handler's own CSP or Permissions-Policy wins.

    Widgets are loaded cross-origin by task pages, so they carry no frame/CSP restrictions
    beyond nosniff.
    """

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        widget = scope["path"].startswith("/widgets/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "no-referrer")
                if not widget:
                    headers.setdefault("content-security-policy", _DEFAULT_CSP)
                    headers.setdefault("x-frame-options", "DENY")
                    headers.setdefault(
                        "permissions-policy", "camera=(), microphone=(), geolocation=()"
                    )
                    headers.setdefault("cross-origin-opener-policy", "same-origin")
                if self.https:
                    headers.setdefault(
                        "strict-transport-security", "max-age=31536000; includeSubDomains"
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


class DurableAnswers:
    """No answer leaves before the writes it reports are on disk.

    The store commits without waiting for the disk; just before a response starts, this waits
    for ``store.sync()``, which flushes once for every request that committed meanwhile.
    """

    def __init__(self, app: ASGIApp, *, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_when_durable(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self.store.sync()
            await send(message)

        await self.app(scope, receive, send_when_durable)
