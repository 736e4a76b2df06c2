"""A real webhook receiver process for fault tests and benchmarks: a small keep-alive HTTP/1.1
server on 127.0.0.1 that logs every POST it gets and answers it (after ``--delay``).

    python tests/webhook_sink.py --log received.log [--delay 0.2] [--status 200]

It prints ``PORT <n>`` once listening. Each request appends a line
``<unix time> <webhook-id> <assignment_id or ->`` to the log, flushed before answering.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO


def _line(headers: dict[str, str], body: bytes) -> str:
    try:
        data = json.loads(body).get("data", {})
        assignment = data.get("assignment_id") or "-"
    except (ValueError, AttributeError):
        assignment = "-"
    return f"{time.time():.6f} {headers.get('webhook-id', '-')} {assignment}\n"


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def answering(
    on_post: Callable[[dict[str, str], bytes], None], *, delay: float = 0.0, status: int = 200
) -> Handler:
    """A keep-alive HTTP/1.1 connection handler (for ``asyncio.start_server``): each POST's
    headers and body go to ``on_post``, then it is answered ``status`` (after ``delay``)."""
    answer = (
        f"HTTP/1.1 {status} X\r\ncontent-length: 2\r\ncontent-type: text/plain\r\n\r\nok"
    ).encode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if lines[0].startswith("POST"):
                    on_post(headers, body)
                if delay:
                    await asyncio.sleep(delay)
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


async def serve(port: int, log: TextIO, delay: float, status: int) -> None:
    def record(headers: dict[str, str], body: bytes) -> None:
        log.write(_line(headers, body))
        log.flush()

    handle = answering(record, delay=delay, status=status)
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--status", type=int, default=200)
    args = parser.parse_args()
    with args.log.open("a") as log:
        asyncio.run(serve(args.port, log, args.delay, args.status))


if __name__ == "__main__":
    sys.exit(main())
