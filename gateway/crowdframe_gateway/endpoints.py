"""Webhook endpoints as clients register them, and the test event."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from crowdframe import EVENT_TYPES
from crowdframe._webhook import new_webhook_secret

from .errors import InvalidInput, NotFound
from .records import Client, Endpoint, new_id, now
from .runtime import Runtime
from .validation import Fields, is_loopback_host

__all__ = ["check_webhook_url", "create_endpoint", "owned_endpoint", "send_test_event"]


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """https only, unless private addresses are allowed (development), then http too.

    Hostnames are resolved again at delivery time; this check refuses what is wrong on its face.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput("url must be an http(s) URL", field="url")
    if parts.username or parts.password:
        raise InvalidInput("url must not carry credentials", field="url")
    if parts.scheme == "http" and not allow_private:
        raise InvalidInput("url must be https", field="url")
    private = is_loopback_host(host)
    try:
        address = ipaddress.ip_address(host.strip("[]"))
        private = private or not address.is_global
    except ValueError:
        pass
    if private and not allow_private:
        raise InvalidInput("url must not point at a private or loopback address", field="url")
    return url


async def create_endpoint(rt: Runtime, client: Client, body: dict[str, Any]) -> Endpoint:
    f = Fields(body)
    f.reject_unknown(("url", "event_types"))
    url = check_webhook_url(
        f.text("url", min_len=1, max_len=2000), allow_private=rt.settings.allow_private_webhooks
    )
    types = f.choices("event_types", EVENT_TYPES, None)
    endpoint = Endpoint(
        id=new_id("whe"),
        client_id=client.id,
        url=url,
        secrets=(new_webhook_secret(),),
        event_types=types,
        status="enabled",
        created_at=now(),
    )
    await rt.store.create_endpoint(endpoint)
    return endpoint


async def owned_endpoint(rt: Runtime, client: Client, endpoint_id: str) -> Endpoint:
    endpoint = await rt.store.get_endpoint(endpoint_id)
    if endpoint is None or endpoint.client_id != client.id:
        raise NotFound("no such webhook endpoint", field="endpoint_id")
    return endpoint


async def send_test_event(rt: Runtime, client: Client, endpoint_id: str) -> str:
    endpoint = await owned_endpoint(rt, client, endpoint_id)
    _event, message_ids = await rt.store.record_event(
        client.id,
        "endpoint.test",
        {"endpoint_id": endpoint.id, "message": "a test event from Crowdframe"},
        endpoint_id=endpoint.id,
    )
    return message_ids[0]
