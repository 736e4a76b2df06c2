"""Standard Webhooks signing and verification (https://www.standardwebhooks.com/).

Headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``; the signature is
``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``, several space-separated during a secret
rotation; secrets are ``whsec_<base64>``. Unlike the reference library, every parsing failure here
becomes a ``WebhookVerificationError``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _secrets
import time
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from ._events import WebhookEvent, parse_event
from ._exceptions import WebhookVerificationError

__all__ = ["SECRET_PREFIX", "TOLERANCE", "Webhook", "new_webhook_secret"]

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
TOLERANCE = 5 * 60


class _AsgiRequest(Protocol):
    """What ``Webhook.verify_starlette`` reads: a Starlette (or FastAPI) ``Request``."""

    @property
    def headers(self) -> Mapping[str, str]: ...

    async def body(self) -> bytes: ...


def new_webhook_secret() -> str:
    """A fresh random endpoint secret ``whsec_<base64 of 24 bytes>``."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    raw = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("a webhook secret is whsec_ followed by base64") from exc
    if not key:
        # An empty HMAC key would accept signatures anyone can compute.
        raise ValueError("a webhook secret may not be empty")
    return key


class Webhook:
    """Sign and verify webhooks with one endpoint secret, or several during a rotation.

    >>> hook = Webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    >>> event = hook.verify(request.headers, request.body)  # doctest: +SKIP
    """

    def __init__(self, secret: str | Iterable[str], *, tolerance: int = TOLERANCE) -> None:
        secrets = [secret] if isinstance(secret, str) else list(secret)
        if not secrets:
            raise ValueError("no webhook secret")
        self._keys = [_key(s) for s in secrets]
        self._tolerance = tolerance

    def _signatures(self, message_id: str, timestamp: int, body: bytes) -> list[bytes]:
        content = f"{message_id}.{timestamp}.".encode() + body
        return [hmac.new(key, content, hashlib.sha256).digest() for key in self._keys]

    def sign(self, message_id: str, timestamp: int, body: bytes | str) -> str:
        """The ``webhook-signature`` header value: one ``v1,`` signature per secret."""
        raw = body.encode() if isinstance(body, str) else body
        return " ".join(
            "v1," + base64.b64encode(sig).decode()
            for sig in self._signatures(message_id, timestamp, raw)
        )

    def headers(self, message_id: str, timestamp: int, body: bytes | str) -> dict[str, str]:
        """All three Standard Webhooks headers for a message."""
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": self.sign(message_id, timestamp, body),
        }

    def verify(
        self, headers: Mapping[str, str], body: bytes | str, *, now: float | None = None
    ) -> WebhookEvent:
        """Check a received webhook and return its event.

        ``headers`` may be any mapping (a Starlette, Flask or plain ``dict``); names are matched
        case-insensitively. The timestamp must lie within 5 minutes of now, and at least one
        ``v1,`` signature must match one of the secrets (constant-time comparison).
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        message_id = lowered.get("webhook-id")
        stamp = lowered.get("webhook-timestamp")
        header = lowered.get("webhook-signature")
        if not message_id or not stamp or not header:
            raise WebhookVerificationError("missing webhook-id, -timestamp or -signature header")
        try:
            timestamp = int(stamp)
        except ValueError:
            raise WebhookVerificationError("webhook-timestamp is not an integer") from None
        current = time.time() if now is None else now
        if timestamp < current - self._tolerance:
            raise WebhookVerificationError("webhook timestamp too old")
        if timestamp > current + self._tolerance:
            raise WebhookVerificationError("webhook timestamp too new")
        raw = body.encode() if isinstance(body, str) else bytes(body)
        expected = self._signatures(message_id, timestamp, raw)
        for candidate in header.split():
            version, _, encoded = candidate.partition(",")
            if version != "v1":
                continue
            try:
                given = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                continue
            if any(hmac.compare_digest(given, sig) for sig in expected):
                return parse_event(message_id, raw)
        raise WebhookVerificationError("no matching webhook signature")

    async def verify_starlette(self, request: _AsgiRequest) -> WebhookEvent:
        """``verify`` for a Starlette or FastAPI ``Request``: reads the raw body and headers.

        >>> async def receive(request):  # doctest: +SKIP
        ...     event = await hook.verify_starlette(request)
        """
        return self.verify(request.headers, await request.body())

    def verify_flask(self, request: Any) -> WebhookEvent:
        """``verify`` for a Flask (or Werkzeug) ``request``: reads the raw body and headers.

        >>> @app.post("/webhooks")  # doctest: +SKIP
        ... def receive():
        ...     event = hook.verify_flask(flask.request)
        """
        body = request.get_data(cache=True, as_text=False)
        return self.verify(dict(request.headers.items()), body)
