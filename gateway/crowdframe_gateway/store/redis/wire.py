"""One lean connection for the batches ``CoalescingRedis`` sends.

redis-py spends about 50 µs of the gateway's CPU on each command of a pipeline (packing each
argument in Python, reading each reply through its own coroutine, its bookkeeping around them);
Redis itself spends 2 to 5. ``Wire`` sends a batch as one write packed by hiredis and reads the
replies with the same hiredis reader redis-py uses, configured as redis-py configures it (its
error classes, its decoding), from a plain protocol: about a fifth of the cost. Batches go one
after another on the one connection, each read in the order sent (Redis answers a connection in
order), so many can be on the way at once.

Only what this does the same as redis-py comes here: TCP or a unix socket, with the URL's
password, database and protocol (RESP3 unless the URL asks for 2, as redis-py speaks), so that
redis-py's response callbacks make of each reply what they make of it on their own
connections. A TLS URL, or one with a credential provider, gets no wire (``Wire.for_pool`` is
None) and every batch goes through redis-py as before. A lost connection fails the batches on
it with ``ConnectionError``, the replies that arrived before kept (``WireLost.answered``): the
caller sends the rest through redis-py, whose retries wait for the server (store/redis/base.py).
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import hiredis
from redis._parsers.base import BaseParser
from redis.asyncio.connection import (
    Connection,
    ConnectionPool,
    SSLConnection,
    UnixDomainSocketConnection,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse

__all__ = ["Wire", "WireLost"]

_MORE = object()  # hiredis: not enough data for a whole reply yet


class WireLost(RedisConnectionError):
    """The wire's connection ended before every reply of a batch came: ``answered`` holds the
    replies that did, in order."""

    def __init__(self, message: str, answered: list[Any]) -> None:
        super().__init__(message)
        self.answered = answered


@dataclass(slots=True)
class _Batch:
    expected: int
    done: asyncio.Future[list[Any]]
    replies: list[Any] = field(default_factory=list)


class _Protocol(asyncio.Protocol):
    def __init__(self, reader: hiredis.Reader) -> None:
        self.reader = reader
        self.waiting: deque[_Batch] = deque()
        self.transport: asyncio.Transport | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)  # finds a silent server

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        try:
            while self.waiting:
                batch = self.waiting[0]
                while len(batch.replies) < batch.expected:
                    reply = self.reader.gets()
                    if reply is _MORE:
                        return
                    batch.replies.append(reply)
                self.waiting.popleft()
                if not batch.done.done():
                    batch.done.set_result(batch.replies)
        except InvalidResponse as exc:  # the stream cannot be read on: nothing more on it
            self._end(f"Redis sent what is not RESP: {exc}")
            return
        if self.reader.has_data():  # a reply nobody asked for: the stream is out of step
            self._end("Redis sent a reply to no command")

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(f"Connection to Redis lost: {exc or 'closed'}")

    def _end(self, why: str) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        while self.waiting:
            batch = self.waiting.popleft()
            if not batch.done.done():
                batch.done.set_exception(WireLost(why, batch.replies))

    def send(self, payload: list[bytes]) -> _Batch:
        if self.closed or self.transport is None:
            raise WireLost("Connection to Redis closed", [])
        batch = _Batch(len(payload), asyncio.get_running_loop().create_future())
        self.waiting.append(batch)
        self.transport.writelines(payload)
        return batch


class Wire:
    """A plain connection to the pool's server, opened on first use and again after it
    was lost (at most once a second)."""

    RECONNECT_AFTER = 1.0  # seconds after a failed connect before the next is tried

    def __init__(self, pool: ConnectionPool, *, unix: bool) -> None:
        options = pool.connection_kwargs
        self._unix = unix
        self._path: str = options.get("path", "")
        self._host: str = options.get("host", "localhost")
        self._port: int = int(options.get("port", 6379))
        self._username: str | None = options.get("username")
        self._password: str | None = options.get("password")
        self._db = int(options.get("db", 0) or 0)
        self._resp3 = options.get("protocol") not in (2, "2")
        self._connect_timeout: float = options.get("socket_connect_timeout") or 5.0
        self._decode = bool(options.get("decode_responses"))
        self._encoding: str = options.get("encoding", "utf-8")
        self._errors: str = options.get("encoding_errors", "strict")
        self._protocol: _Protocol | None = None
        self._opening: asyncio.Task[_Protocol] | None = None
        self._retry_at = 0.0

    @classmethod
    def for_pool(cls, pool: ConnectionPool) -> Wire | None:
        """A wire to the pool's server, or None where it would not behave as redis-py does."""
        options = pool.connection_kwargs
        kind = pool.connection_class
        protocol = options.get("protocol")
        if protocol not in (None, 2, "2", 3, "3") or options.get("credential_provider"):
            return None
        if issubclass(kind, UnixDomainSocketConnection):
            return cls(pool, unix=True)
        if issubclass(kind, Connection) and not issubclass(kind, SSLConnection):
            return cls(pool, unix=False)
        return None

    def ready(self) -> bool:
        """Whether a batch may be tried on the wire now (not while a connect is failing)."""
        return asyncio.get_running_loop().time() >= self._retry_at

    async def send(self, commands: Sequence[Sequence[Any]]) -> list[Any]:
        """The raw replies (errors as redis-py's exception objects, not raised) of ``commands``,
        sent as one write; ``WireLost`` (with what was answered) if the connection fails."""
        payload = [hiredis.pack_command(tuple(args)) for args in commands]
        protocol = await self._open()
        return await protocol.send(payload).done

    async def _open(self) -> _Protocol:
        protocol = self._protocol
        if protocol is not None and not protocol.closed:
            return protocol
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._connect())
        opening = self._opening
        try:
            return await asyncio.shield(opening)
        finally:
            if opening.done():
                self._opening = None

    async def _connect(self) -> _Protocol:
        loop = asyncio.get_running_loop()
        try:
            reader = hiredis.Reader(
                protocolError=InvalidResponse,
                replyError=BaseParser.parse_error,  # redis-py's classes: NoScriptError…
                notEnoughData=_MORE,
                **({"encoding": self._encoding, "errors": self._errors} if self._decode else {}),
            )
            async with asyncio.timeout(self._connect_timeout):
                if self._unix:
                    _, protocol = await loop.create_unix_connection(
                        lambda: _Protocol(reader), self._path
                    )
                else:
                    _, protocol = await loop.create_connection(
                        lambda: _Protocol(reader), self._host, self._port
                    )
                hello: list[list[Any]] = []
                user = self._username or "default"
                if self._resp3:  # as redis-py opens a connection: HELLO 3, with the password
                    auth = [] if self._password is None else ["AUTH", user, self._password]
                    hello.append(["HELLO", 3, *auth])
                elif self._password is not None:
                    who = [] if self._username is None else [self._username]
                    hello.append(["AUTH", *who, self._password])
                if self._db:
                    hello.append(["SELECT", self._db])
                if hello:
                    payload = [hiredis.pack_command(tuple(c)) for c in hello]
                    for reply in await protocol.send(payload).done:
                        if isinstance(reply, Exception):
                            protocol._end("refused")
                            raise reply
        except BaseException:
            self._retry_at = loop.time() + self.RECONNECT_AFTER
            raise
        self._protocol = protocol
        return protocol

    def close(self) -> None:
        if self._protocol is not None:
            self._protocol._end("Connection to Redis closed")
            self._protocol = None
