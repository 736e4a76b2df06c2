"""The SDK's one exception hierarchy.

CrowdframeError
├── TokenError                  a task token failed verification
│   ├── TokenMalformedError     not a token at all, or claims of the wrong shape
│   ├── TokenSignatureError     signed by another key, or tampered with
│   ├── TokenExpiredError       past ``exp`` (plus leeway)
│   ├── TokenAudienceError      issued for another origin
│   └── TokenModeError          a preview token used for work (or the reverse)
├── WebhookVerificationError    a webhook's headers or signature are not valid
├── TransportError              the gateway could not be reached
└── APIError                    the gateway answered with an error
    ├── AuthenticationError     401: missing or wrong API key
    ├── PermissionDeniedError   403
    ├── NotFoundError           404
    ├── ConflictError           409: e.g. a submission that was already made
    ├── ValidationError         400 / 422: bad input; ``field`` names it
    ├── RateLimitError          429
    └── ServerError             5xx
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConflictError",
    "CrowdframeError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TokenAudienceError",
    "TokenError",
    "TokenExpiredError",
    "TokenMalformedError",
    "TokenModeError",
    "TokenSignatureError",
    "TransportError",
    "ValidationError",
    "WebhookVerificationError",
]


class CrowdframeError(Exception):
    """Root of every error the SDK raises."""


class TokenError(CrowdframeError):
    """A task token failed verification; the subclass says which check failed."""


class TokenMalformedError(TokenError):
    """The string is not a task token, or its claims are not of the expected shape."""


class TokenSignatureError(TokenError):
    """The signature does not match any of the given secrets (tampered, or another client's)."""


class TokenExpiredError(TokenError):
    """The token's ``exp`` lies in the past, beyond the allowed leeway."""

    def __init__(self, message: str, *, expired_at: int) -> None:
        super().__init__(message)
        self.expired_at = expired_at


class TokenAudienceError(TokenError):
    """The token was issued for another origin than the one verifying it."""


class TokenModeError(TokenError):
    """The token's mode (``work`` or ``preview``) is not the one required."""


class WebhookVerificationError(CrowdframeError):
    """A webhook's headers, timestamp or signature are not valid."""


class TransportError(CrowdframeError):
    """The gateway could not be reached (connection refused, timeout, ...)."""


class APIError(CrowdframeError):
    """The gateway answered with an error status.

    ``code`` and ``field`` come from the JSON error body ``{"error": {"code", "message",
    "field"}}``; ``status_code`` is the HTTP status.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str = "error",
        field: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.field = field
        self.body = body

    def __str__(self) -> str:
        where = f" (field: {self.field})" if self.field else ""
        return f"{self.status_code} {self.code}: {self.message}{where}"


class AuthenticationError(APIError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIError):
    """403: the key may not do this."""


class NotFoundError(APIError):
    """404: no such object for this client."""


class ConflictError(APIError):
    """409: the request conflicts with the object's state (e.g. already submitted)."""


class ValidationError(APIError):
    """400 or 422: the request body or parameters are invalid; ``field`` names the culprit."""


class RateLimitError(APIError):
    """429: slow down."""


class ServerError(APIError):
    """5xx: the gateway failed; the request may be retried."""


_STATUS_ERRORS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
    429: RateLimitError,
}
_TOKEN_ERRORS: dict[str, type[TokenError]] = {
    "token_malformed": TokenMalformedError,
    "token_signature": TokenSignatureError,
    "token_audience": TokenAudienceError,
    "token_mode": TokenModeError,
    "token_assignment": TokenMalformedError,
}


def _text_field(error: Mapping[str, Any], name: str) -> str | None:
    value = error.get(name)
    return value if isinstance(value, str) and value else None


def _token_error(code: str, message: str, error: Mapping[str, Any]) -> TokenError:
    if code == "token_expired":
        expired_at = error.get("expired_at")
        if not isinstance(expired_at, int) or isinstance(expired_at, bool):
            expired_at = 0  # the gateway did not say
        return TokenExpiredError(message, expired_at=expired_at)
    return _TOKEN_ERRORS.get(code, TokenError)(message)


def _error_from_answer(
    status: int, reason: str, text: str, *, token_errors: bool
) -> CrowdframeError:
    """The exception for the gateway's error answer (``status``, its ``reason`` phrase and its
    body as ``text``); ``token_errors``: a failed token check is a ``TokenError``."""
    body: Any
    try:
        body = json.loads(text)
    except ValueError:
        body = text
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = _text_field(error, "code") or "error"
    message = _text_field(error, "message") or reason or f"HTTP {status}"
    if token_errors and status == 422 and code.startswith("token_"):
        return _token_error(code, message, error)
    kind = _STATUS_ERRORS.get(status) or (ServerError if status >= 500 else APIError)
    return kind(
        message, status_code=status, code=code, field=_text_field(error, "field"), body=body
    )
