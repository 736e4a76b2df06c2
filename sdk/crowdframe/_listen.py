"""``crowdframe listen``: a client's events, live from the gateway, forwarded to a local URL.

For development: the local server receives each event as a webhook signed with this session's
secret (printed at start, or given with ``--secret``), without a public URL. The gateway is
read over a websocket from the events' own order (a cursor); after a dropped connection the
command reconnects and resumes after the last event it forwarded, so none is skipped. An event
larger than the websocket's message limit (``--max-event-bytes``) cannot be received: the
gateway, told the limit, sends a notice in its place, which is reported, and listen goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from ._webhook import Webhook, new_webhook_secret

__all__ = ["ListenOptions", "listen", "register"]

RECONNECT_FIRST = 0.25
RECONNECT_MAX = 5.0
MAX_EVENT_BYTES = 2**24  # the largest websocket message received (16 MiB)


@dataclass(frozen=True, slots=True)
class ListenOptions:
    gateway: str
    api_key: str
    forward_to: str
    secret: str
    event_types: frozenset[str] | None = None
    after: str | None = None
    max_event_bytes: int = MAX_EVENT_BYTES


def register(commands: Any) -> None:
    listen_parser = commands.add_parser(
        "listen",
        help="forward your events live to a local URL (development)",
        description=(
            "Receive your events live from the gateway and forward each to a local URL, signed "
            "like a webhook with this session's secret. Reconnects and resumes by itself."
        ),
    )
    listen_parser.add_argument(
        "--forward-to", required=True, metavar="URL", help="e.g. http://localhost:8000/webhooks"
    )
    listen_parser.add_argument(
        "--gateway",
        default=os.environ.get("CROWDFRAME_GATEWAY", "http://127.0.0.1:8000"),
        help="the gateway's origin (CROWDFRAME_GATEWAY; default http://127.0.0.1:8000)",
    )
    listen_parser.add_argument(
        "--api-key",
        default=None,
        help="the client's API key (better: the CROWDFRAME_API_KEY environment variable)",
    )
    listen_parser.add_argument(
        "--secret",
        default=os.environ.get("CROWDFRAME_LISTEN_SECRET"),
        help="sign with this whsec_ secret instead of a new one (CROWDFRAME_LISTEN_SECRET)",
    )
    listen_parser.add_argument(
        "--events", default=None, help="comma-separated event types to forward (default: all)"
    )
    listen_parser.add_argument(
        "--after", default=None, help="resume after this event cursor (default: from now)"
    )
    listen_parser.add_argument(
        "--max-event-bytes",
        type=int,
        default=MAX_EVENT_BYTES,
        help="the largest event message to receive; a larger one is reported and skipped"
        " (default 16 MiB)",
    )
    listen_parser.set_defaults(run=run_listen)


def run_listen(args: argparse.Namespace) -> int:
    api_key = args.api_key or os.environ.get("CROWDFRAME_API_KEY", "")
    if not api_key:
        print("crowdframe: set CROWDFRAME_API_KEY (or pass --api-key)", file=sys.stderr)
        return 2
    if urlsplit(args.forward_to).scheme not in ("http", "https"):
        print("crowdframe: --forward-to must be an http(s) URL", file=sys.stderr)
        return 2
    secret = args.secret or new_webhook_secret()
    try:
        Webhook(secret)
    except ValueError as exc:
        print(f"crowdframe: --secret: {exc}", file=sys.stderr)
        return 2
    types = None
    if args.events:
        types = frozenset(t.strip() for t in args.events.split(",") if t.strip())
    options = ListenOptions(
        gateway=args.gateway.rstrip("/"),
        api_key=api_key,
        forward_to=args.forward_to,
        secret=secret,
        event_types=types,
        after=args.after,
        max_event_bytes=args.max_event_bytes,
    )
    try:
        return asyncio.run(listen(options, sys.stdout))
    except KeyboardInterrupt:
        return 130


def _live_url(gateway: str, after: str | None, max_bytes: int) -> str:
    parts = urlsplit(gateway)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme)
    if scheme is None:
        raise ValueError("the gateway must be an http(s) origin")
    query = urlencode({"max_bytes": max_bytes, **({"after": after} if after else {})})
    return urlunsplit((scheme, parts.netloc, "/api/v1/events/live", query, ""))


def _say(out: TextIO, text: str) -> None:
    print(text, file=out, flush=True)


async def _forward(
    http: httpx.AsyncClient, hook: Webhook, options: ListenOptions, event: dict[str, Any]
) -> str:
    """POST one event to the local URL; the line to show for it."""
    body = json.dumps(
        {"type": event["type"], "timestamp": event["timestamp"], "data": event["data"]},
        separators=(",", ":"),
    ).encode()
    headers = hook.headers(event["id"], int(time.time()), body)
    headers["content-type"] = "application/json"
    started = time.perf_counter()
    try:
        answer = await http.post(options.forward_to, content=body, headers=headers)
        outcome = str(answer.status_code)
    except httpx.HTTPError as exc:
        outcome = f"error ({type(exc).__name__})"
    latency = (time.perf_counter() - started) * 1000
    stamp = time.strftime("%H:%M:%S")
    return f"{stamp}  {event['type']:<25} {event['id']}  -> {outcome}  {latency:.0f} ms"


def _skipped(event: dict[str, Any], size: object, options: ListenOptions) -> str:
    """The line for an event too large to receive, which is not forwarded."""
    stamp = time.strftime("%H:%M:%S")
    return (
        f"{stamp}  {event['type']:<25} {event['id']}  -> skipped: {size} bytes, over the"
        f" {options.max_event_bytes} this listener receives (--max-event-bytes); its webhook"
        " deliveries are not affected"
    )


async def listen(options: ListenOptions, out: TextIO) -> int:
    """Forward events until interrupted; 2 when the gateway refuses the API key."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus, WebSocketException

    hook = Webhook(options.secret)
    cursor = options.after
    delay = RECONNECT_FIRST
    _say(out, f"Webhook signing secret for this session: {options.secret}")
    _say(out, f"Forwarding events from {options.gateway} to {options.forward_to} (Ctrl-C stops)")
    headers = {"Authorization": f"Bearer {options.api_key}"}
    async with httpx.AsyncClient(timeout=10, follow_redirects=False, trust_env=False) as http:
        while True:
            try:
                async with connect(
                    _live_url(options.gateway, cursor, options.max_event_bytes),
                    additional_headers=headers,
                    open_timeout=10,
                    max_size=options.max_event_bytes,
                ) as ws:
                    hello = json.loads(await ws.recv())
                    verb = "Resumed after" if cursor else "Connected at"
                    _say(out, f"{verb} event cursor {hello.get('cursor')}")
                    delay = RECONNECT_FIRST
                    async for raw in ws:
                        message = json.loads(raw)
                        kind = message.get("type")
                        if kind not in ("event", "skipped"):
                            continue
                        event = message["event"]
                        if options.event_types is None or event["type"] in options.event_types:
                            if kind == "skipped":
                                _say(out, _skipped(event, message.get("bytes"), options))
                            else:
                                _say(out, await _forward(http, hook, options, event))
                        cursor = str(message["cursor"])
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status in (401, 403):
                    _say(out, f"The gateway refused the API key ({status}).")
                    return 2
                _say(out, f"The gateway answered {status}; retrying in {delay:g} s")
            except (OSError, TimeoutError, WebSocketException) as exc:
                _say(out, f"Connection lost ({type(exc).__name__}); reconnecting in {delay:g} s")
            else:
                _say(out, f"Connection closed; reconnecting in {delay:g} s")
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)
