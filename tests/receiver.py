"""A real webhook receiver: an HTTP server on 127.0.0.1 that records what it is sent."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # when the request arrived (time.monotonic)
    answered_at: float | None = None  # when the answer was sent


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # statuses to answer, in order; once used up, 200
    script: list[int] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering

    @property
    def answered(self) -> int:
        return sum(r.answered_at is not None for r in self.received)


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output free of its access log."""

    def log_message(self, format: str, *args: object) -> None:
        pass


def on_a_free_port(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    """An HTTP server of ``handler`` on a free port of 127.0.0.1, one thread a request."""
    return ThreadingHTTPServer(("127.0.0.1", 0), handler)


@contextmanager
def serving(server: HTTPServer) -> Iterator[str]:
    """Run ``server`` (bound to 127.0.0.1) in a thread for the block; yields its origin."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def running_receiver(path: str = "/hooks") -> Iterator[Receiver]:
    receiver = Receiver(url="")

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            got = Received({k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
            receiver.received.append(got)
            status = receiver.script.pop(0) if receiver.script else 200
            if receiver.delay:
                time.sleep(receiver.delay)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("location", "http://127.0.0.1:1/elsewhere")
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            self.wfile.flush()
            got.answered_at = time.monotonic()

    with serving(on_a_free_port(Handler)) as origin:
        receiver.url = origin + path
        yield receiver
