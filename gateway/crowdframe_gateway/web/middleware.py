"""Small pure-ASGI middleware."""

from __future__ import annotations

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
        every = [("x-content-type-options", "nosniff"), ("referrer-policy", "no-referrer")]
        pages = [
            ("content-security-policy", _DEFAULT_CSP),
            ("x-frame-options", "DENY"),
            ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
            ("cross-origin-opener-policy", "same-origin"),
        ]
        if https:
            every.append(("strict-transport-security", "max-age=31536000; includeSubDomains"))
        self._widget = _raw(every)
        self._page = _raw(every[:2] + pages + every[2:])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self._widget if scope["path"].startswith("/widgets/") else self._page

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in defaults if n not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _raw(headers: list[tuple[str, str]]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in headers)


class DurableAnswers:
    """No answer leaves before the writes it made are on disk.

    The store commits without waiting for the disk; just before a response starts, this waits
    for ``store.sync()``, which flushes once for every request that committed meanwhile. An
    answer that wrote nothing does not wait.
    """

    def __init__(self, app: ASGIApp, *, store: Store) -> None:
        self.app = app
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        self.store.track_writes()

        async def send_when_durable(message: Message) -> None:
            if message["type"] == "http.response.start":
                await self.store.sync()
            await send(message)

        await self.app(scope, receive, send_when_durable)
