"""An API call as data, shared by the clients and their webhook methods."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote

__all__ = ["_Call", "_query", "_segment"]

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
