"""The documented limits on what a request may carry (docs/api.md, "Limits"), and the one JSON
reader that enforces them before anything recurses into the input.

- a body: at most ``MAX_BODY_BYTES`` (413 ``too_large``);
- JSON nested at most ``MAX_JSON_DEPTH`` arrays and objects deep (400 ``too_deep``): Python's
  parser recurses once a level, so a 2 kB body a thousand levels deep would otherwise end in a
  ``RecursionError``; the depth is found by a scan that does not recurse;
- a submission's result: at most ``MAX_RESULT_BYTES`` as UTF-8 JSON (413 ``too_large`` on
  ``result``), on every path a result comes in by (``quality.record_submission``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .errors import InvalidJSON, TooLarge

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_RESULT_BYTES",
    "MAX_SUBMIT_BODY_BYTES",
    "check_result_size",
    "read_json",
    "too_large",
]

MAX_BODY_BYTES = 5_000_000
MAX_JSON_DEPTH = 64
MAX_RESULT_BYTES = 1_000_000
# the worker's submit carries ``{"result": …}``: the result and its envelope
MAX_SUBMIT_BODY_BYTES = MAX_RESULT_BYTES + 4096

# every byte but the brackets deleted, and objects' braces made brackets (the nesting is the same)
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'[]{}"')


def _too_deep(raw: bytes) -> bool:
    """Whether the arrays and objects of a JSON text nest deeper than ``MAX_JSON_DEPTH``,
    found without recursing and at C speed (``bytes`` methods only): the strings' contents are
    dropped (an escaped quote or backslash first), then every byte but the brackets, then each
    pass removes the innermost pairs; past ``MAX_JSON_DEPTH`` passes a pair left is deeper.
    For text that is not JSON the answer may be wrong either way, and the parser refuses it."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False  # the common case, at the speed of two counts
    if b"\\" in raw:
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    structure = raw.translate(None, _NOT_STRUCTURE)  # brackets and the strings' quotes
    brackets = b"".join(structure.split(b'"')[::2]).translate(_BRACKETS)
    for _ in range(MAX_JSON_DEPTH):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            return False  # nothing nested is left (or it was never balanced)
        brackets = shorter
    return b"[]" in brackets


def too_large(what: str, max_bytes: int) -> TooLarge:
    """The refusal of a ``what`` (body, result) over ``max_bytes``, naming it."""
    return TooLarge(f"the {what} is larger than {max_bytes} bytes", field=what)


def read_json(raw: bytes, *, max_bytes: int = MAX_BODY_BYTES, what: str = "body") -> Any:
    """The JSON value of a request body within the limits; ``TooLarge`` past ``max_bytes``,
    ``InvalidJSON`` (400) if it nests deeper than ``MAX_JSON_DEPTH`` or is not JSON."""
    if len(raw) > max_bytes:
        raise too_large(what, max_bytes)
    if _too_deep(raw):
        raise InvalidJSON(
            f"the {what} nests deeper than {MAX_JSON_DEPTH} levels", field=what, code="too_deep"
        )
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidJSON(f"the {what} is not valid JSON", field=what) from None


def check_result_size(result: Mapping[str, Any]) -> None:
    """A submission's result must be at most ``MAX_RESULT_BYTES`` as compact UTF-8 JSON (what
    the store keeps and the webhook carries); ``TooLarge`` naming ``result`` otherwise."""
    size = len(json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode())
    if size > MAX_RESULT_BYTES:
        raise TooLarge(
            f"the result is {size} bytes as JSON, more than {MAX_RESULT_BYTES}", field="result"
        )
