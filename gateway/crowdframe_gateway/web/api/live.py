"""``/api/v1/events/live``: a client's events over a websocket, as they happen (``crowdframe
listen``).

The client authenticates the handshake with ``Authorization: Bearer <api key>`` and may pass
``?after=<cursor>`` to resume; without it the feed starts at the newest event. The gateway sends
``{"type": "hello", "cursor"}`` and then ``{"type": "event", "cursor", "event": {"id", "type",
"timestamp", "data"}}`` for each event in the order recorded. Events come from the store, so
they reach a listener whichever gateway process recorded them.

A listener that can receive messages of at most N bytes says so with ``?max_bytes=N``: an event
whose message would be larger comes as ``{"type": "skipped", "cursor", "event": {"id", "type"},
"bytes"}`` instead, so that the listener can report it and go on past it (a ``task.completed``
carries the task's input and every answer: many 1 MB answers make one larger than any limit).
"""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from ...core.errors import GatewayError, InvalidInput, Unauthorized
from ...core.events import event_body
from ...core.records import Client
from ...identity.credentials import hash_api_key
from ...metrics import LIVE_CONNECTIONS
from ...runtime import Runtime

__all__ = ["live_events"]

BATCH = 100
WAIT_SECONDS = 10.0
MIN_MAX_BYTES = 1024  # a smaller limit could not carry even a notice of a skipped event


async def _client(websocket: WebSocket, rt: Runtime) -> Client:
    scheme, _, key = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send the API key as 'Authorization: Bearer <key>'")
    client = await rt.store.client_by_key_hash(hash_api_key(key.strip()))
    if client is None:
        raise Unauthorized("unknown or revoked API key")
    return client


async def _deny(websocket: WebSocket, error: GatewayError) -> None:
    """Refuse the handshake with the API's JSON error where the server can, else close."""
    try:
        await websocket.send_denial_response(JSONResponse(error.to_json(), error.status))
    except RuntimeError:
        await websocket.close(code=1008, reason=error.message[:120])


def _max_bytes(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or int(text) < MIN_MAX_BYTES:
        raise InvalidInput(
            f"max_bytes must be an integer of at least {MIN_MAX_BYTES}", field="max_bytes"
        )
    return int(text)


def _text(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


async def live_events(websocket: WebSocket) -> None:
    rt: Runtime = websocket.app.state.runtime
    try:
        client = await _client(websocket, rt)
        max_bytes = _max_bytes(websocket.query_params.get("max_bytes"))
        after = websocket.query_params.get("after") or await rt.store.event_cursor(client.id)
        await rt.store.read_events(client.id, after=after, limit=1)  # checks the cursor
    except (Unauthorized, InvalidInput) as error:
        await _deny(websocket, error)
        return
    await websocket.accept()
    await websocket.send_json({"type": "hello", "cursor": after})

    async def pump(cursor: str) -> None:
        while True:
            batch = await rt.store.read_events(
                client.id, after=cursor, limit=BATCH, wait=WAIT_SECONDS
            )
            for cursor, event in batch:
                body = event_body(event.type, event.created_at, event.data)
                text = _text({"type": "event", "cursor": cursor, "event": {"id": event.id, **body}})
                size = len(text.encode())
                if max_bytes is not None and size > max_bytes:
                    notice = {"id": event.id, "type": event.type}
                    text = _text(
                        {"type": "skipped", "cursor": cursor, "event": notice, "bytes": size}
                    )
                await websocket.send_text(text)

    async def until_closed() -> None:
        with suppress(WebSocketDisconnect):
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    return

    tasks = [asyncio.create_task(pump(after)), asyncio.create_task(until_closed())]
    LIVE_CONNECTIONS.inc()
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if not task.cancelled() and isinstance(task.exception(), Exception):
                # a send to a peer that went away: nothing to tell it
                with suppress(Exception):
                    await websocket.close(code=1011)
    finally:
        LIVE_CONNECTIONS.dec()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
