"""The HTTP/1.1 client webhooks are POSTed with: keep-alive connections on asyncio streams.

A webhook is one small POST whose answer matters only for its status and first bytes, so a
general client's work per request (URL models, header classes, cookie jars, a pool walked on
every request, cancel scopes) is most of what a delivery costs. This one writes the request in
one piece, reads the status line and headers, keeps at most ``keep_bytes`` of the body and
reads no further than ``DRAIN_BYTES`` to reuse the connection: an endless answer is cut off and
its connection closed. Redirects are never followed (a 3xx is just a status). How connections
are opened (the SSRF guard, TLS) is the ``connect`` function's business (``egress.py``); time
limits are the caller's (a cancelled request closes its connection).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import quote, urlsplit

__all__ = ["MAX_HEAD_BYTES", "RequestFailed", "Streams", "WebhookTransport"]

Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]
# scheme, host, port -> streams to that origin
Connect = Callable[[str, str, int], Awaitable[Streams]]

MAX_HEAD_BYTES = 64 * 1024  # an answer's status line and headers, at most
DRAIN_BYTES = 64 * 1024  # the most of an answer's body read (and dropped) to reuse its connection
KEEPALIVE_SECONDS = 5.0  # an idle connection older than this is closed, not reused
USER_AGENT = "Crowdframe-Webhooks/1"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


class RequestFailed(Exception):
    """A webhook request got no complete answer. Never shown over HTTP: its text is what the
    delivery log records for the attempt."""


class _Connection:
    __slots__ = ("idle_since", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = 0.0

    def usable(self, now: float) -> bool:
        return (
            now - self.idle_since < KEEPALIVE_SECONDS
            and not self.reader.at_eof()
            and not self.writer.is_closing()
        )

    def close(self) -> None:
        self.writer.close()


class _Target:
    """What a URL says about where a request goes, worked out once per URL."""

    __slots__ = ("authority", "host", "origin", "path", "port", "scheme")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.scheme = parts.scheme.lower()
        if self.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise RequestFailed(f"not an http(s) URL: {url!r}")
        self.host = parts.hostname
        try:
            port = parts.port
        except ValueError:
            raise RequestFailed(f"not a valid port in {url!r}") from None
        self.port = port or _DEFAULT_PORTS[self.scheme]
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.authority = host if port in (None, _DEFAULT_PORTS[self.scheme]) else f"{host}:{port}"
        path = quote(parts.path or "/", safe=_PATH_SAFE)
        query = quote(parts.query, safe=_PATH_SAFE + "?") if parts.query else ""
        self.path = f"{path}?{query}" if query else path
        self.origin = (self.scheme, self.host, self.port)


class WebhookTransport:
    """POSTs over keep-alive HTTP/1.1 connections, up to ``keep_per_origin`` idle per origin."""

    def __init__(self, connect: Connect, *, keep_per_origin: int = 16) -> None:
        self._connect = connect
        self._keep = keep_per_origin
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._targets: dict[str, _Target] = {}
        self._swept = time.monotonic()

    def _target(self, url: str) -> _Target:
        target = self._targets.get(url)
        if target is None:
            if len(self._targets) > 10_000:
                self._targets.clear()
            target = self._targets[url] = _Target(url)
        return target

    async def post(
        self, url: str, headers: Mapping[str, str], body: bytes, *, keep_bytes: int = 1000
    ) -> tuple[int, bytes]:
        """POST ``body`` to ``url``: the answer's status and its first ``keep_bytes`` bytes."""
        target = self._target(url)
        head = [f"POST {target.path} HTTP/1.1", f"host: {target.authority}"]
        head.append(f"user-agent: {USER_AGENT}")
        head.append(f"content-length: {len(body)}")
        for name, value in headers.items():
            if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
                raise RequestFailed(f"header {name!r} has a line break")
            head.append(f"{name}: {value}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        connection = self._take(target)
        if connection is not None:
            try:
                return await self._exchange(target, connection, request, keep_bytes)
            except _StaleConnection:
                pass  # the receiver closed it while idle: once more on a new connection
        try:
            reader, writer = await self._connect(target.scheme, target.host, target.port)
        except OSError as exc:
            raise RequestFailed(f"cannot connect to {target.authority}: {exc}") from exc
        try:
            return await self._exchange(target, _Connection(reader, writer), request, keep_bytes)
        except _StaleConnection as exc:
            raise RequestFailed("the connection closed before an answer came") from exc

    async def _exchange(
        self, target: _Target, connection: _Connection, request: bytes, keep_bytes: int
    ) -> tuple[int, bytes]:
        answered = False
        try:
            connection.writer.write(request)
            await connection.writer.drain()
            status, reusable, length, chunked = await _read_head(connection.reader)
            answered = True
            kept, complete = await _read_body(connection.reader, length, chunked, keep_bytes)
        except BaseException as exc:
            connection.close()
            if not answered and isinstance(exc, ConnectionError | asyncio.IncompleteReadError):
                raise _StaleConnection from exc
            if isinstance(exc, OSError | EOFError | asyncio.LimitOverrunError | ValueError):
                raise RequestFailed(_describe(exc)) from exc
            raise
        if reusable and complete:
            self._give(target, connection)
        else:
            connection.close()
        return status, kept

    def _take(self, target: _Target) -> _Connection | None:
        idle = self._idle.get(target.origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if connection.usable(now):
                return connection
            connection.close()
        return None

    def _give(self, target: _Target, connection: _Connection) -> None:
        now = time.monotonic()
        connection.idle_since = now
        idle = self._idle.setdefault(target.origin, [])
        if len(idle) < self._keep:
            idle.append(connection)
        else:
            connection.close()
        if now - self._swept > KEEPALIVE_SECONDS:  # origins not called again keep no sockets
            self._swept = now
            for origin, connections in list(self._idle.items()):
                for stale in [c for c in connections if not c.usable(now)]:
                    stale.close()
                    connections.remove(stale)
                if not connections:
                    del self._idle[origin]

    async def aclose(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()


class _StaleConnection(Exception):
    """The connection ended before any answer: on a reused one, the request is tried again."""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.IncompleteReadError | EOFError):
        return "the connection closed in the middle of the answer"
    if isinstance(exc, asyncio.LimitOverrunError):
        return f"the answer's headers are larger than {MAX_HEAD_BYTES} bytes"
    return f"{type(exc).__name__}: {exc}"


async def _read_head(reader: asyncio.StreamReader) -> tuple[int, bool, int | None, bool]:
    """Status, whether the connection may be reused, content-length, chunked; 1xx skipped."""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head[:-4].split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        code = rest[:3]
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
            raise ValueError(f"not an HTTP/1 answer: {status_line[:80]!r}")
        status = int(code)
        if status >= 200:
            break
        if status == 101:
            raise ValueError("the receiver switched protocols")
    reusable = version == b"HTTP/1.1"
    length: int | None = None
    chunked = False
    for line in lines:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            if length is not None or not value.strip().isdigit():
                raise ValueError("the answer's content-length is not one number")
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = value.strip().lower().endswith(b"chunked")
        elif name == b"connection":
            tokens = {t.strip() for t in value.lower().split(b",")}
            reusable = b"keep-alive" in tokens if version == b"HTTP/1.0" else b"close" not in tokens
    if status in (204, 304):
        length, chunked = 0, False
    if chunked:
        length = None
    elif length is None:
        reusable = False  # the body runs to the end of the connection
    return status, reusable, length, chunked


async def _read_body(
    reader: asyncio.StreamReader, length: int | None, chunked: bool, keep_bytes: int
) -> tuple[bytes, bool]:
    """The body's first ``keep_bytes`` bytes, and whether it was read to its end."""
    if chunked:
        return await _read_chunks(reader, keep_bytes)
    if length is None:  # until the connection closes: only what is kept
        kept = b""
        while len(kept) < keep_bytes:
            chunk = await reader.read(keep_bytes - len(kept))
            if not chunk:
                break
            kept += chunk
        return kept, False
    kept = await reader.readexactly(min(length, keep_bytes))
    rest = length - len(kept)
    if rest > DRAIN_BYTES:
        return kept, False
    if rest:
        await reader.readexactly(rest)
    return kept, True


async def _read_chunks(reader: asyncio.StreamReader, keep_bytes: int) -> tuple[bytes, bool]:
    kept = b""
    read = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers
                pass
            return kept, True
        if read + size > DRAIN_BYTES:  # too long to read to its end: only what is kept
            kept += await reader.readexactly(min(size, max(keep_bytes - len(kept), 0)))
            break
        chunk = await reader.readexactly(size)
        await reader.readexactly(2)
        read += size
        if len(kept) < keep_bytes:
            kept += chunk[: keep_bytes - len(kept)]
    return kept, False
