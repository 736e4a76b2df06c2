"""Reading client input once, at the edge: every failure names its field."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from crowdframe._token import origin_of

from .errors import InvalidInput

__all__ = [
    "LEVELS",
    "Fields",
    "is_loopback_host",
    "language_rule",
    "parse_since",
    "skill_slug",
    "task_url",
]

_MISSING = object()


class Fields:
    """Typed access to a JSON object's members; ``prefix`` makes field names like ``tasks[3].``."""

    def __init__(self, body: Mapping[str, Any], prefix: str = "") -> None:
        self.body = body
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        known = set(allowed)
        for key in self.body:
            if key not in known:
                raise InvalidInput(f"unknown field {key!r}", field=self.name(key))

    def _get(self, key: str, default: Any) -> Any:
        value = self.body.get(key, default)
        if value is _MISSING:
            raise InvalidInput(f"{self.name(key)} is required", field=self.name(key))
        return value

    def text(
        self, key: str, default: Any = _MISSING, *, min_len: int = 0, max_len: int = 10_000
    ) -> Any:
        value = self._get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, str):
            raise InvalidInput(f"{self.name(key)} must be a string", field=self.name(key))
        value = value.strip()
        if not min_len <= len(value) <= max_len:
            raise InvalidInput(
                f"{self.name(key)} must be {min_len} to {max_len} characters", field=self.name(key)
            )
        return value

    def integer(self, key: str, default: Any = _MISSING, *, low: int = 0, high: int = 2**53) -> Any:
        value = self._get(key, default)
        if value is None and default is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidInput(f"{self.name(key)} must be an integer", field=self.name(key))
        if not low <= value <= high:
            raise InvalidInput(
                f"{self.name(key)} must be between {low} and {high}", field=self.name(key)
            )
        return value

    def choices(self, key: str, allowed: Iterable[str], default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if value is None and default is None:
            return None
        options = tuple(allowed)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidInput(f"{self.name(key)} must be a list of strings", field=self.name(key))
        for item in value:
            if item not in options:
                raise InvalidInput(
                    f"{item!r} is not one of {', '.join(options)}", field=self.name(key)
                )
        return tuple(dict.fromkeys(value))

    def one_of(self, key: str, allowed: Iterable[str], default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        options = tuple(allowed)
        if value not in options:
            raise InvalidInput(
                f"{self.name(key)} must be one of {', '.join(options)}", field=self.name(key)
            )
        return value

    def strings(self, key: str, valid: Callable[[str], object], what: str) -> tuple[str, ...]:
        """A list of strings each ``valid`` accepts (``what`` names them), duplicates dropped."""
        value = self.body.get(key, [])
        if not isinstance(value, list | tuple) or not all(
            isinstance(v, str) and valid(v) for v in value
        ):
            raise InvalidInput(f"{self.name(key)} must be a list of {what}", field=self.name(key))
        return tuple(dict.fromkeys(value))

    def share(self, key: str, default: float, *, high: float) -> float:
        """A number from 0 to ``high``."""
        value = self.body.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= high:
            raise InvalidInput(
                f"{self.name(key)} must be a number from 0 to {high}", field=self.name(key)
            )
        return float(value)

    def obj(self, key: str, default: Any = _MISSING) -> Any:
        value = self._get(key, default)
        if not isinstance(value, dict):
            raise InvalidInput(f"{self.name(key)} must be a JSON object", field=self.name(key))
        return value


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def task_url(value: str, *, field: str, gateway_origin: str) -> str:
    """A project's task page: https (http only on loopback), never the gateway's own origin."""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput("must be an http(s) URL", field=field)
    if parts.scheme == "http" and not is_loopback_host(host):
        raise InvalidInput("must be https (http is allowed on localhost only)", field=field)
    if parts.username or parts.password:
        raise InvalidInput("must not carry credentials", field=field)
    if parts.fragment:
        raise InvalidInput("must not have a #fragment", field=field)
    try:
        origin = origin_of(value)
    except ValueError:
        raise InvalidInput("must be an http(s) URL", field=field) from None
    if origin == gateway_origin:
        # scripts + same-origin in the sandbox would let the page lift its own sandbox
        raise InvalidInput("must not be on the gateway's own origin", field=field)
    return value


# The vocabulary of worker profiles and project rules: languages ("de", "de:native") and skills.
LEVELS = ("fluent", "native")
_RULE = re.compile(r"^([a-z]{2})(?::(fluent|native))?$")
_SKILL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SKILL = 50


def skill_slug(text: str) -> bool:
    """A skill is a lowercase slug: ``"transcription"``, ``"translation-de-en"``."""
    return len(text) <= MAX_SKILL and _SKILL.match(text) is not None


def language_rule(text: str) -> tuple[str, str] | None:
    """``"de:native"`` → ``("de", "native")``; ``"de"`` → ``("de", "fluent")``; else None."""
    match = _RULE.match(text)
    if match is None:
        return None
    return match.group(1), match.group(2) or "fluent"


def parse_since(value: Any) -> float:
    """``since``: Unix seconds, or an ISO 8601 time with a zone (``2026-11-23T18:00:00Z``)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed.timestamp()
    raise InvalidInput(
        "since must be Unix seconds or an ISO 8601 time with a zone, e.g. 2026-11-23T18:00:00Z",
        field="since",
    )
