"""The gateway's one exception hierarchy; each error knows its HTTP status and JSON code.

GatewayError
├── InvalidInput        422 validation_error (``field`` names the input)
│   └── InvalidJSON     400 invalid_json
├── Unauthorized        401 unauthorized
├── Forbidden           403 forbidden
├── NotFound            404 not_found
├── Conflict            409 conflict / already_submitted / idempotency_mismatch ...
├── TooLarge            413 too_large (``field`` names what: the body, the result)
├── TokenRejected       422 token_* (a task token failed a check)
├── TooManyRequests     429 rate_limited (``retry_after`` seconds)
└── Unavailable         503 unavailable (the store is unreachable; ``retry_after`` seconds)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Protocol, TypeVar

__all__ = [
    "Conflict",
    "Forbidden",
    "GatewayError",
    "InvalidInput",
    "InvalidJSON",
    "NotFound",
    "TokenRejected",
    "TooLarge",
    "TooManyRequests",
    "Unauthorized",
    "Unavailable",
    "owned",
]


class GatewayError(Exception):
    status = 500
    code = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> None:
        """``message`` in English; with ``params``, a text with ``%(name)s`` places for them,
        which a page shows translated (``template``) before they are put in."""
        self.template, self.params = message, dict(params or {})
        self.message = message % self.params if params else message
        super().__init__(self.message)
        self.field = field
        if code is not None:
            self.code = code

    def to_json(self) -> dict[str, dict[str, str]]:
        body = {"code": self.code, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return {"error": body}

    @property
    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides its body (``Retry-After``)."""
        return {}


class InvalidInput(GatewayError):
    status = 422
    code = "validation_error"


class InvalidJSON(InvalidInput):
    status = 400
    code = "invalid_json"


class Unauthorized(GatewayError):
    status = 401
    code = "unauthorized"


class Forbidden(GatewayError):
    status = 403
    code = "forbidden"


class NotFound(GatewayError):
    status = 404
    code = "not_found"


class Conflict(GatewayError):
    status = 409
    code = "conflict"


class TooLarge(GatewayError):
    status = 413
    code = "too_large"


class TokenRejected(GatewayError):
    status = 422
    code = "token_invalid"

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, field="token", code=code)


class _TryLater(GatewayError):
    """Refused for now: ``retry_after`` seconds later it may pass (``Retry-After``)."""

    def __init__(
        self, message: str, *, retry_after: int, params: Mapping[str, str | int] | None = None
    ) -> None:
        super().__init__(message, params=params)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"retry-after": str(self.retry_after)}


class TooManyRequests(_TryLater):
    status = 429
    code = "rate_limited"

    @classmethod
    def for_minutes(cls, retry_after: int, *, one: str, many: str) -> TooManyRequests:
        """Told in minutes, rounded up: ``one`` (a minute) or ``many`` (``%(minutes)s``)."""
        minutes = math.ceil(retry_after / 60)
        return cls(one if minutes == 1 else many, retry_after=retry_after,
                   params={"minutes": minutes})  # fmt: skip


class Unavailable(_TryLater):
    status = 503
    code = "unavailable"


class _Owned(Protocol):
    @property
    def client_id(self) -> str: ...


_R = TypeVar("_R", bound=_Owned)


def owned(record: _R | None, client_id: str, *, what: str) -> _R:
    """``record`` if the client ``client_id`` owns it; another client's record is
    indistinguishable from none: ``no such <what>``, on the field ``<what>_id``."""
    if record is None or record.client_id != client_id:
        raise NotFound(f"no such {what}", field=f"{what}_id")
    return record
