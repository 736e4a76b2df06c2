"""One page of a listing, and the cursor of the next."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import InvalidInput

__all__ = ["Page", "cursor_seq"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


_SEQ = re.compile(r"^\d{1,18}$")


def cursor_seq(cursor: str | None, *, field: str = "cursor") -> int:
    """The position a sequence cursor names (0 for the first page); a cursor that is not one
    of ours is ``InvalidInput`` naming ``field`` (the parameter it came in)."""
    if cursor is None:
        return 0
    if not _SEQ.match(cursor):
        raise InvalidInput("not a cursor from a previous page", field=field)
    return int(cursor)
