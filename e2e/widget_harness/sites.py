"""Tiny web servers on loopback: one origin each, a route table, a log of what they received."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["Request", "Response", "Route", "Site", "html", "json_answer"]


@dataclass(frozen=True)
class Request:
    """A request as a route sees it: header names lower-cased."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Response = tuple[int, dict[str, str], bytes]
Route = Callable[[Request], Response]


def html(body: str, headers: dict[str, str] | None = None) -> Route:
    """A route answering with a fixed HTML page."""
    content_type = {"Content-Type": "text/html; charset=utf-8"}
    return lambda _request: (200, {**content_type, **(headers or {})}, body.encode())


def json_answer(status: int, payload: Any, delay: float = 0.0) -> Route:
    """A route answering with fixed JSON, after `delay` seconds."""

    def answer(_request: Request) -> Response:
        time.sleep(delay)
        return status, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request a connection: nothing lingers at teardown
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        site = self.server.site
        site.requests.append(request)
        route = site.routes.get((request.method, request.path))
        if route is None:
            status, headers, payload = 404, {"Content-Type": "text/plain"}, b"not found"
        else:
            status, headers, payload = route(request)
        self.send_response(status)
        for name, value in {"Cache-Control": "no-store", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser hanging up mid-answer is not the test's business


@dataclass
class Site:
    """One origin, `http://{host}:{free port}`, served from a thread until `close()`."""

    host: str
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self
        self.origin = f"http://{self.host}:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def get(self, path: str, route: Route) -> None:
        self.routes["GET", path] = route

    def post(self, path: str, route: Route) -> None:
        self.routes["POST", path] = route

    def received(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
