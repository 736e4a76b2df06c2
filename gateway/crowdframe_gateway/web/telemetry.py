"""Per request, what operators watch: an id (``X-Request-Id``, and in every log line written
meanwhile) and the request's count and latency by route template, method and status
(``metrics.py``). Pure ASGI and cheap (a few microseconds): a clock read at each end, a
context variable, a few dict updates; no lock, no store call."""

from __future__ import annotations

import itertools
import re
import secrets
import time

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import REQUEST_ID
from ..metrics import REQUESTS

__all__ = ["Telemetry", "route_template"]

# an id a proxy in front already gave the request is kept when it is plain enough to log
_GIVEN_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(scope: Scope) -> str:
    """The route that answered, as the routes table writes it (``/api/v1/projects/{id}``),
    so that a label's values stay few; ``unmatched`` when no route did."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    root, top = str(scope.get("root_path", "")), str(scope.get("app_root_path", ""))
    prefix = root[len(top) :]
    if isinstance(route, Mount):  # a mount nothing inside matched, or static files
        return prefix + "/{path}"
    return prefix + str(route.path)


# unique across processes (a random prefix each) and cheap (a counter)
_PROCESS = secrets.token_hex(4)
_NUMBERS = itertools.count(1)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id" and _GIVEN_ID.fullmatch(value):
            return str(value.decode())
    return f"{_PROCESS}-{next(_NUMBERS):x}"


class Telemetry:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # unless an answer starts: what the server sends for an exception

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                header = (b"x-request-id", request_id.encode())
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        REQUESTS.in_flight += 1
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUESTS.in_flight -= 1
            method = scope["method"] if scope["method"] in _METHODS else "other"
            seconds = time.perf_counter() - started
            REQUESTS.answered(route_template(scope), method, status, seconds)
            REQUEST_ID.reset(token)
