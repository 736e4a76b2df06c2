"""An API call as data, shared by the clients and the mixins that give them their methods.

A mixin describes each call as a ``_Call`` and hands it to the client's ``_run`` (or
``_iterate``, ``_stream_bytes``), declared once here for the blocking and for the async side.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from ._models import Page

__all__ = ["_AsyncRunner", "_Call", "_SyncRunner", "_page_call", "_query", "_segment"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Call(Generic[T]):
    """One API call as data: what to send, and how to read a successful answer."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, str | int] | None = None
    body: Any = None
    headers: Mapping[str, str] | None = None
    # Only /tokens/verify answers a failed check with a TokenError; elsewhere (submit) a bad
    # token is a ValidationError like any other bad input.
    token_errors: bool = False


def _segment(value: str) -> str:
    """An id made safe to put in a path: ``../tasks`` must not reach another endpoint."""
    if not isinstance(value, str) or value in ("", ".", ".."):
        raise ValueError(f"not an object id: {value!r}")
    return quote(value, safe="")


def _query(**params: str | int | None) -> dict[str, str | int]:
    return {name: value for name, value in params.items() if value is not None}


def _page_call(path: str, item: Callable[[Any], T], **params: str | int | None) -> _Call[Page[T]]:
    """``GET path``: one page of ``item`` results; a ``None`` param is not sent."""
    return _Call("GET", path, lambda body: Page.from_json(body, item), params=_query(**params))


class _SyncRunner:
    """What the mixins of ``Client`` use of it (``Client`` has the real methods)."""

    def _run(self, call: _Call[T]) -> T:
        raise NotImplementedError  # Client's

    def _iterate(self, page: Callable[[str | None], _Call[Page[T]]]) -> Iterator[T]:
        raise NotImplementedError  # Client's

    def _stream_bytes(self, call: _Call[None]) -> Iterator[bytes]:
        raise NotImplementedError  # Client's


class _AsyncRunner:
    """What the mixins of ``AsyncClient`` use of it (``AsyncClient`` has the real methods)."""

    async def _run(self, call: _Call[T]) -> T:
        raise NotImplementedError  # AsyncClient's

    def _iterate(self, page: Callable[[str | None], _Call[Page[T]]]) -> AsyncIterator[T]:
        raise NotImplementedError  # AsyncClient's

    def _stream_bytes(self, call: _Call[None]) -> AsyncIterator[bytes]:
        raise NotImplementedError  # AsyncClient's
