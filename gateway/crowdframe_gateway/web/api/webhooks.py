"""Handlers for managing webhooks: endpoints, the delivery log, replays (docs/api.md)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...core.events import event_body
from ...core.records import Attempt, Message, iso
from ...webhooks import endpoints
from ...webhooks import log as webhook_log
from .bodies import WebhookMessagesQuery
from .http import client_call, reply
from .views import endpoint_view, page_view

__all__ = [
    "attempt_view",
    "get_endpoint",
    "get_message",
    "list_attempts",
    "list_messages",
    "message_view",
    "replay_failed",
    "replay_message",
    "rotate_secret",
    "update_endpoint",
]


def message_view(message: Message) -> dict[str, Any]:
    event = message.event
    return {
        "id": message.id,
        "object": "webhook_message",
        "endpoint_id": message.endpoint.id,
        "event_id": event.id,
        "event_type": event.type,
        "status": message.status,
        "attempts": message.attempts,
        "next_attempt_at": iso(message.next_attempt_at) if message.status == "pending" else None,
        "created_at": iso(message.created_at),
        "payload": event_body(event.type, event.created_at, event.data),
    }


def attempt_view(attempt: Attempt) -> dict[str, Any]:
    return {
        "object": "webhook_attempt",
        "message_id": attempt.message_id,
        "at": iso(attempt.at),
        "status_code": attempt.status_code,
        "latency_ms": round(attempt.latency_ms, 3),
        "response": attempt.response,
        "error": attempt.error,
    }


async def get_endpoint(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(endpoint_view(await endpoints.owned_endpoint(call.rt, call.client, call.id)))


async def update_endpoint(request: Request) -> JSONResponse:
    call = await client_call(request)
    endpoint = await endpoints.update_endpoint(call.rt, call.client, call.id, await call.body())
    return reply(endpoint_view(endpoint))


async def rotate_secret(request: Request) -> JSONResponse:
    call = await client_call(request)
    await call.nothing()
    endpoint = await endpoints.rotate_secret(call.rt, call.client, call.id)
    return reply(endpoint_view(endpoint, with_secret=True))


async def list_messages(request: Request) -> JSONResponse:
    call = await client_call(request)
    asked = call.query(WebhookMessagesQuery)
    page = await webhook_log.list_messages(
        call.rt, call.client, call.id, status=asked.status, cursor=asked.cursor, limit=asked.limit
    )
    return reply(page_view(page, message_view))


async def replay_failed(request: Request) -> JSONResponse:
    call = await client_call(request)
    count = await webhook_log.replay_failed(call.rt, call.client, call.id, await call.body())
    return reply({"replayed": count}, 202)


async def get_message(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(message_view(await webhook_log.owned_message(call.rt, call.client, call.id)))


async def list_attempts(request: Request) -> JSONResponse:
    call = await client_call(request)
    found = await webhook_log.attempts(call.rt, call.client, call.id)
    return reply(page_view(found, attempt_view))


async def replay_message(request: Request) -> JSONResponse:
    call = await client_call(request)
    await call.nothing()
    return reply(message_view(await webhook_log.replay(call.rt, call.client, call.id)), 202)
