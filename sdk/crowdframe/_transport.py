"""What ``Client`` and ``AsyncClient`` share: building a ``_Call``'s request, reading its answer.

Every API call is first described as data (a ``_Call``: the request, and how to read a
successful answer); ``_BaseClient`` builds the request and turns the answer into a model or an
exception. The two clients (``_client.py``) differ only in how they send the request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import httpx

from . import __version__
from ._call import _Call
from ._exceptions import APIError, CrowdframeError, TransportError, _error_from_answer

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT"]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 10.0
_API_ROOT = "/api/v1"
_REDACTED = "[redacted]"

T = TypeVar("T")
_HTTP = TypeVar("_HTTP", httpx.Client, httpx.AsyncClient)


def _api_root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root if root.endswith(_API_ROOT) else root + _API_ROOT


class _BaseClient(Generic[_HTTP]):
    """Request building and answer reading, shared by ``Client`` and ``AsyncClient``."""

    _http: _HTTP

    def __init__(self, api_key: str, base_url: str) -> None:
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError("api_key must be a non-empty string")
        self._api_key = api_key
        self._base_url = _api_root(base_url)

    def _http_options(self, timeout: float) -> dict[str, Any]:
        return {
            "base_url": self._base_url,
            "timeout": timeout,
            "headers": {
                "Authorization": f"Bearer {self._api_key}",
                "User-Agent": f"crowdframe-python/{__version__}",
                "Accept": "application/json",
            },
        }

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} base_url={self._base_url!r}>"

    def _request(self, call: _Call[Any]) -> httpx.Request:
        return self._http.build_request(
            call.method, call.path, params=call.params, json=call.body, headers=call.headers
        )

    def _redact(self, text: str) -> str:
        # A misbehaving proxy or debug server may echo the request headers back.
        return text.replace(self._api_key, _REDACTED)

    @contextmanager
    def _reaching(self, request: httpx.Request) -> Iterator[None]:
        """Turn httpx's transport failures into the SDK's ``TransportError``."""
        try:
            yield
        except httpx.TimeoutException as exc:
            where = f"{request.method} {request.url}"
            raise TransportError(self._redact(f"{where} timed out: {exc!r}")) from exc
        except httpx.RequestError as exc:
            where = f"{request.method} {request.url}"
            raise TransportError(self._redact(f"{where} failed: {exc!r}")) from exc

    def _result(self, call: _Call[T], response: httpx.Response) -> T:
        if not response.is_success:
            raise self._error(call, response)
        try:
            return call.parse(response.json())
        except ValueError as exc:  # not JSON, or JSON of the wrong shape
            raise APIError(
                self._redact(f"unexpected answer to {call.method} {call.path}: {exc}"),
                status_code=response.status_code,
                code="invalid_response",
            ) from None

    def _error(self, call: _Call[Any], response: httpx.Response) -> CrowdframeError:
        text = self._redact(response.text)
        return _error_from_answer(
            response.status_code, response.reason_phrase, text, token_errors=call.token_errors
        )
