"""Webhook endpoints as clients register them, and the test event."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from crowdframe import EVENT_TYPES
from crowdframe.signing import new_webhook_secret

from ..core.errors import InvalidInput, NotFound
from ..core.records import Client, Endpoint, new_id, now
from ..core.validation import LIST, Body, OneOf, Text, choices, is_loopback_host, read
from .egress import always_refused, refused_name
from .rules import endpoint_disabled
from .store import EndpointChange

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "EndpointUpdate",
    "NewEndpoint",
    "check_webhook_url",
    "create_endpoint",
    "owned_endpoint",
    "rotate_secret",
    "send_test_event",
    "update_endpoint",
]


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """https only, unless private addresses are allowed (development), then http too; never a
    link-local address or a cloud metadata service's name (egress.py), in any mode.

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
    if refused_name(host):
        raise InvalidInput("url must not point at a cloud metadata service", field="url")
    private = is_loopback_host(host)
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        if always_refused(str(address)):
            raise InvalidInput("url must not point at a link-local address", field="url")
        private = private or not address.is_global
    if private and not allow_private:
        raise InvalidInput("url must not point at a private or loopback address", field="url")
    return url


ENDPOINT_STATES = ("enabled", "disabled")  # what a client may set
Url = Annotated[str, Text(1, 2000)]
EventTypes = Annotated[tuple[str, ...], LIST, choices(EVENT_TYPES, "event types")]


class NewEndpoint(Body):
    """``POST /webhook-endpoints``: where to deliver, and which events (absent or null: all)."""

    url: Url
    event_types: EventTypes | None = None


class EndpointUpdate(Body):
    """``PATCH /webhook-endpoints/{id}``: what to change (absent: unchanged)."""

    url: Url | None = None
    event_types: EventTypes | None = None
    status: Annotated[str, OneOf(ENDPOINT_STATES)] | None = None


async def create_endpoint(rt: Runtime, client: Client, body: dict[str, Any]) -> Endpoint:
    asked = read(NewEndpoint, body)
    url = check_webhook_url(asked.url, allow_private=rt.settings.allow_private_webhooks)
    types = asked.event_types
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
    if endpoint.status != "enabled":
        raise endpoint_disabled()
    _event, message_ids = await rt.store.record_event(
        client.id,
        "endpoint.test",
        {"endpoint_id": endpoint.id, "message": "a test event from Crowdframe"},
        endpoint_id=endpoint.id,
    )
    return message_ids[0]


async def update_endpoint(
    rt: Runtime, client: Client, endpoint_id: str, body: dict[str, Any]
) -> Endpoint:
    """Change the URL, the event types, or enable/disable; enabling clears the failure run."""
    endpoint = await owned_endpoint(rt, client, endpoint_id)
    asked = read(EndpointUpdate, body)
    url = endpoint.url
    if asked.url is not None:
        url = check_webhook_url(asked.url, allow_private=rt.settings.allow_private_webhooks)
    types = asked.event_types if "event_types" in asked.model_fields_set else endpoint.event_types
    status = asked.status or endpoint.status
    return await rt.store.update_endpoint(
        endpoint.id, EndpointChange(url, types, enabled=status == "enabled")
    )


async def rotate_secret(rt: Runtime, client: Client, endpoint_id: str) -> Endpoint:
    """A new secret signs from now on; the old ones keep signing for ``secret_grace``."""
    endpoint = await owned_endpoint(rt, client, endpoint_id)
    at = now()
    return await rt.store.rotate_endpoint_secret(
        endpoint.id, new_webhook_secret(), now=at, old_valid_until=at + rt.settings.secret_grace
    )
