"""The HTTP/1.1 client webhooks go out with, against real servers on 127.0.0.1 that answer the
way receivers in the wild do: keep-alive, chunked, endless, closing idle connections, slow, or
not speaking HTTP at all."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from crowdframe_gateway.webhooks.egress import guarded_transport
from crowdframe_gateway.webhooks.transport import RequestFailed, WebhookTransport

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter, bytes], Awaitable[bool]]


@dataclass
class Server:
    url: str
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    closed: int = 0  # connections the client closed
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)  # it closed a connection


@asynccontextmanager
async def serving(answer: Answer) -> AsyncIterator[Server]:
    """A raw HTTP/1.1 server: reads each request and lets ``answer`` reply (False: hang up)."""
    server = Server("")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                request = head + await reader.readexactly(length)
                server.requests.append(request)
                if not await answer(reader, writer, request):
                    writer.close()
                    await writer.wait_closed()
                    server.hung_up.set()
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            server.closed += 1
        finally:
            writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}/hooks?x=1"
    async with listening:
        yield server


def transport() -> WebhookTransport:
    return guarded_transport(allow_private=True)


def ok(body: bytes = b"ok", extra: bytes = b"") -> Answer:
    async def answer(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _q: bytes) -> bool:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%s\r\n%s" % (len(body), extra, body)
        )
        await writer.drain()
        return True

    return answer


async def test_requests_reuse_one_keep_alive_connection_and_arrive_whole() -> None:
    http = transport()
    async with serving(ok(b"thanks")) as server:
        answers = [
            await http.post(server.url, {"webhook-id": f"msg_{i}"}, b'{"n":%d}' % i)
            for i in range(3)
        ]
    await http.aclose()
    assert answers == [(200, b"thanks")] * 3
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /hooks?x=1 HTTP/1.1\r\n")
    assert f"host: {server.url.split('/')[2]}\r\n".encode() in first
    assert b"webhook-id: msg_0\r\n" in first
    assert first.endswith(b'\r\n\r\n{"n":0}')


async def test_an_endless_answer_is_cut_after_the_kept_bytes_and_its_connection_dropped() -> None:
    async def endless(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _q: bytes) -> bool:
        writer.write(b"HTTP/1.1 500 Oops\r\ncontent-length: 100000000\r\n\r\n")
        for _ in range(50):
            writer.write(b"x" * 1000)
            await writer.drain()
        await asyncio.sleep(5)
        return False

    http = transport()
    async with serving(endless) as server:
        async with asyncio.timeout(2):
            status, kept = await http.post(server.url, {}, b"{}", keep_bytes=1000)
        async with asyncio.timeout(2):
            await http.post(server.url, {}, b"{}")
    await http.aclose()
    assert (status, kept) == (500, b"x" * 1000)
    assert server.connections == 2, "a connection with an unread answer is not reused"


async def test_a_chunked_answer_is_read_and_its_connection_reused() -> None:
    async def chunked(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _q: bytes) -> bool:
        writer.write(
            b"HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n"
        )
        await writer.drain()
        return True

    http = transport()
    async with serving(chunked) as server:
        first = await http.post(server.url, {}, b"{}")
        second = await http.post(server.url, {}, b"{}", keep_bytes=3)
    await http.aclose()
    assert first == (202, b"hello, world")
    assert second == (202, b"hel")
    assert server.connections == 1


async def test_a_connection_the_receiver_closed_while_idle_is_replaced() -> None:
    async def once(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, q: bytes) -> bool:
        await ok()(_r, writer, q)
        return False  # keep-alive promised, then the connection is closed

    http = transport()
    async with serving(once) as server:
        assert await http.post(server.url, {}, b"{}") == (200, b"ok")
        await server.hung_up.wait()
        assert await http.post(server.url, {}, b"{}") == (200, b"ok")
    await http.aclose()
    assert server.connections == 2
    assert len(server.requests) == 2


async def test_informational_answers_are_skipped_and_connection_close_is_obeyed() -> None:
    async def continued(r: asyncio.StreamReader, writer: asyncio.StreamWriter, q: bytes) -> bool:
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await ok(b"done", b"connection: close\r\n")(r, writer, q)
        return True

    http = transport()
    async with serving(continued) as server:
        assert await http.post(server.url, {}, b"{}") == (200, b"done")
        assert await http.post(server.url, {}, b"{}") == (200, b"done")
    await http.aclose()
    assert server.connections == 2


async def test_an_answer_running_to_the_end_of_the_connection_is_kept_in_part() -> None:
    async def unframed(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _q: bytes) -> bool:
        writer.write(b"HTTP/1.0 200 OK\r\n\r\n" + b"y" * 3000)
        await writer.drain()
        return False

    http = transport()
    async with serving(unframed) as server:
        assert await http.post(server.url, {}, b"{}", keep_bytes=1000) == (200, b"y" * 1000)
    await http.aclose()


@pytest.mark.parametrize(
    "reply", [b"SSH-2.0-OpenSSH_9.6\r\n\r\n", b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nshort"]
)
async def test_a_receiver_not_speaking_http_or_hanging_up_midway_is_a_failed_request(
    reply: bytes,
) -> None:
    async def broken(_r: asyncio.StreamReader, writer: asyncio.StreamWriter, _q: bytes) -> bool:
        writer.write(reply)
        await writer.drain()
        return False

    http = transport()
    async with serving(broken) as server:
        with pytest.raises(RequestFailed):
            await http.post(server.url, {}, b"{}")
    await http.aclose()


async def test_a_request_cut_off_by_its_deadline_closes_its_connection() -> None:
    async def silent(r: asyncio.StreamReader, _w: asyncio.StreamWriter, _q: bytes) -> bool:
        await r.read(1)  # waits until the client hangs up
        raise ConnectionResetError

    http = transport()
    async with serving(silent) as server:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.2):
                await http.post(server.url, {}, b"{}")
        for _ in range(100):
            if server.closed:
                break
            await asyncio.sleep(0.01)
    await http.aclose()
    assert server.closed == 1


async def test_nothing_listening_is_a_failed_request_naming_the_address() -> None:
    async with serving(ok()) as server:
        url = server.url
    http = transport()
    with pytest.raises(RequestFailed, match=r"cannot connect to 127\.0\.0\.1"):
        await http.post(url, {}, b"{}")
    await http.aclose()
