"""The webhook methods of ``Client`` and ``AsyncClient``: endpoints, the delivery log, replays.

Each call is described once as a ``_Call`` (``_WebhookCalls``); ``WebhookMethods`` and
``AsyncWebhookMethods`` run them through the client's own ``_run``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ._call import _AsyncRunner, _Call, _page_call, _segment, _SyncRunner
from ._models import Page, WebhookEndpoint
from ._webhook_models import WebhookAttempt, WebhookMessage

__all__ = ["AsyncWebhookMethods", "WebhookMethods"]

T = TypeVar("T")
_KEEP: Any = object()


def _since(value: datetime | float | str) -> float | str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("since needs a timezone-aware datetime")
        return value.timestamp()
    return value


def _attempts(body: Any) -> list[WebhookAttempt]:
    return Page.from_json(body, WebhookAttempt.from_json).data


def _message_id(body: Any) -> str:
    message_id = body.get("message_id") if isinstance(body, Mapping) else None
    if not isinstance(message_id, str):
        raise ValueError("missing field 'message_id'")
    return message_id


def _replayed(body: Any) -> int:
    count = body.get("replayed") if isinstance(body, Mapping) else None
    if not isinstance(count, int) or isinstance(count, bool):
        raise ValueError("missing field 'replayed'")
    return count


class _WebhookCalls:
    def _create_webhook_endpoint(
        self, url: str, event_types: Sequence[str] | None
    ) -> _Call[WebhookEndpoint]:
        types = None if event_types is None else list(event_types)
        body = {"url": url, "event_types": types}
        return _Call("POST", "/webhook-endpoints", WebhookEndpoint.from_json, body=body)

    def _list_webhook_endpoints(
        self, limit: int | None, cursor: str | None
    ) -> _Call[Page[WebhookEndpoint]]:
        return _page_call(
            "/webhook-endpoints", WebhookEndpoint.from_json, limit=limit, cursor=cursor
        )

    def _send_test_event(self, endpoint_id: str) -> _Call[str]:
        path = f"/webhook-endpoints/{_segment(endpoint_id)}/test"
        return _Call("POST", path, _message_id, body={})

    def _get_webhook_endpoint(self, endpoint_id: str) -> _Call[WebhookEndpoint]:
        path = f"/webhook-endpoints/{_segment(endpoint_id)}"
        return _Call("GET", path, WebhookEndpoint.from_json)

    def _update_webhook_endpoint(
        self, endpoint_id: str, url: str | None, event_types: Any, enabled: bool | None
    ) -> _Call[WebhookEndpoint]:
        body: dict[str, Any] = {}
        if url is not None:
            body["url"] = url
        if event_types is not _KEEP:
            body["event_types"] = None if event_types is None else list(event_types)
        if enabled is not None:
            body["status"] = "enabled" if enabled else "disabled"
        path = f"/webhook-endpoints/{_segment(endpoint_id)}"
        return _Call("PATCH", path, WebhookEndpoint.from_json, body=body)

    def _rotate_webhook_secret(self, endpoint_id: str) -> _Call[WebhookEndpoint]:
        path = f"/webhook-endpoints/{_segment(endpoint_id)}/rotate-secret"
        return _Call("POST", path, WebhookEndpoint.from_json, body={})

    def _list_webhook_messages(
        self, endpoint_id: str, status: str | None, limit: int | None, cursor: str | None
    ) -> _Call[Page[WebhookMessage]]:
        return _page_call(
            f"/webhook-endpoints/{_segment(endpoint_id)}/messages",
            WebhookMessage.from_json,
            status=status,
            limit=limit,
            cursor=cursor,
        )

    def _get_webhook_message(self, message_id: str) -> _Call[WebhookMessage]:
        path = f"/webhook-messages/{_segment(message_id)}"
        return _Call("GET", path, WebhookMessage.from_json)

    def _list_webhook_attempts(self, message_id: str) -> _Call[list[WebhookAttempt]]:
        return _Call("GET", f"/webhook-messages/{_segment(message_id)}/attempts", _attempts)

    def _replay_webhook_message(self, message_id: str) -> _Call[WebhookMessage]:
        path = f"/webhook-messages/{_segment(message_id)}/replay"
        return _Call("POST", path, WebhookMessage.from_json, body={})

    def _replay_failed_webhooks(
        self, endpoint_id: str, since: datetime | float | str
    ) -> _Call[int]:
        path = f"/webhook-endpoints/{_segment(endpoint_id)}/replay-failed"
        return _Call("POST", path, _replayed, body={"since": _since(since)})


class WebhookMethods(_WebhookCalls, _SyncRunner):
    """Mixed into ``Client``."""

    def create_webhook_endpoint(
        self, url: str, *, event_types: Sequence[str] | None = None
    ) -> WebhookEndpoint:
        """Register a URL for events (all types when ``event_types`` is ``None``).

        The answer's ``secret`` is shown this once: store it to verify deliveries.
        """
        return self._run(self._create_webhook_endpoint(url, event_types))

    def list_webhook_endpoints(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WebhookEndpoint]:
        """One page of the client's webhook endpoints (without their secrets)."""
        return self._run(self._list_webhook_endpoints(limit, cursor))

    def send_test_event(self, endpoint_id: str) -> str:
        """Have the gateway send an ``endpoint.test`` event; returns its message id."""
        return self._run(self._send_test_event(endpoint_id))

    def get_webhook_endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        """One endpoint, with ``status`` and, when disabled, ``disabled_reason``."""
        return self._run(self._get_webhook_endpoint(endpoint_id))

    def update_webhook_endpoint(
        self,
        endpoint_id: str,
        *,
        url: str | None = None,
        event_types: list[str] | None = _KEEP,
        enabled: bool | None = None,
    ) -> WebhookEndpoint:
        """Change the URL or the event types (``None``: all), or enable/disable the endpoint.

        Enabling a disabled endpoint does not resend what failed meanwhile: see
        ``replay_failed_webhooks``.
        """
        return self._run(self._update_webhook_endpoint(endpoint_id, url, event_types, enabled))

    def rotate_webhook_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """A new secret (in the answer's ``secret``, shown this once) signs from now on; the old
        one keeps signing too for 24 hours, so receivers can switch without missing a beat."""
        return self._run(self._rotate_webhook_secret(endpoint_id))

    def list_webhook_messages(
        self,
        endpoint_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[WebhookMessage]:
        """One page of an endpoint's messages, newest first (``status``: ``pending``,
        ``delivered`` or ``failed``)."""
        return self._run(self._list_webhook_messages(endpoint_id, status, limit, cursor))

    def iter_webhook_messages(
        self, endpoint_id: str, *, status: str | None = None, limit: int | None = None
    ) -> Iterator[WebhookMessage]:
        """Every message of an endpoint, newest first, fetching pages as needed."""
        return self._iterate(
            lambda cursor: self._list_webhook_messages(endpoint_id, status, limit, cursor)
        )

    def get_webhook_message(self, message_id: str) -> WebhookMessage:
        """One message (``message_id`` is the ``webhook-id`` header of its deliveries)."""
        return self._run(self._get_webhook_message(message_id))

    def list_webhook_attempts(self, message_id: str) -> list[WebhookAttempt]:
        """Every attempt to deliver a message, oldest first."""
        return self._run(self._list_webhook_attempts(message_id))

    def replay_webhook_message(self, message_id: str) -> WebhookMessage:
        """Deliver a delivered or failed message again, with a fresh retry schedule."""
        return self._run(self._replay_webhook_message(message_id))

    def replay_failed_webhooks(self, endpoint_id: str, since: datetime | float | str) -> int:
        """Replay every failed message of an endpoint created at or after ``since`` (an aware
        ``datetime``, Unix seconds or an ISO 8601 string); returns how many."""
        return self._run(self._replay_failed_webhooks(endpoint_id, since))


class AsyncWebhookMethods(_WebhookCalls, _AsyncRunner):
    """Mixed into ``AsyncClient``: the same methods as ``WebhookMethods``, as coroutines."""

    async def create_webhook_endpoint(
        self, url: str, *, event_types: Sequence[str] | None = None
    ) -> WebhookEndpoint:
        """Register a URL for events; see ``Client.create_webhook_endpoint``."""
        return await self._run(self._create_webhook_endpoint(url, event_types))

    async def list_webhook_endpoints(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WebhookEndpoint]:
        """One page of webhook endpoints; see ``Client.list_webhook_endpoints``."""
        return await self._run(self._list_webhook_endpoints(limit, cursor))

    async def send_test_event(self, endpoint_id: str) -> str:
        """Send an ``endpoint.test`` event; see ``Client.send_test_event``."""
        return await self._run(self._send_test_event(endpoint_id))

    async def get_webhook_endpoint(self, endpoint_id: str) -> WebhookEndpoint:
        """See ``Client.get_webhook_endpoint``."""
        return await self._run(self._get_webhook_endpoint(endpoint_id))

    async def update_webhook_endpoint(
        self,
        endpoint_id: str,
        *,
        url: str | None = None,
        event_types: list[str] | None = _KEEP,
        enabled: bool | None = None,
    ) -> WebhookEndpoint:
        """See ``Client.update_webhook_endpoint``."""
        return await self._run(
            self._update_webhook_endpoint(endpoint_id, url, event_types, enabled)
        )

    async def rotate_webhook_secret(self, endpoint_id: str) -> WebhookEndpoint:
        """See ``Client.rotate_webhook_secret``."""
        return await self._run(self._rotate_webhook_secret(endpoint_id))

    async def list_webhook_messages(
        self,
        endpoint_id: str,
        *,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[WebhookMessage]:
        """See ``Client.list_webhook_messages``."""
        return await self._run(self._list_webhook_messages(endpoint_id, status, limit, cursor))

    def iter_webhook_messages(
        self, endpoint_id: str, *, status: str | None = None, limit: int | None = None
    ) -> AsyncIterator[WebhookMessage]:
        """See ``Client.iter_webhook_messages``."""
        return self._iterate(
            lambda cursor: self._list_webhook_messages(endpoint_id, status, limit, cursor)
        )

    async def get_webhook_message(self, message_id: str) -> WebhookMessage:
        """See ``Client.get_webhook_message``."""
        return await self._run(self._get_webhook_message(message_id))

    async def list_webhook_attempts(self, message_id: str) -> list[WebhookAttempt]:
        """See ``Client.list_webhook_attempts``."""
        return await self._run(self._list_webhook_attempts(message_id))

    async def replay_webhook_message(self, message_id: str) -> WebhookMessage:
        """See ``Client.replay_webhook_message``."""
        return await self._run(self._replay_webhook_message(message_id))

    async def replay_failed_webhooks(self, endpoint_id: str, since: datetime | float | str) -> int:
        """See ``Client.replay_failed_webhooks``."""
        return await self._run(self._replay_failed_webhooks(endpoint_id, since))
