"""Reading an operation's JSON parameters once, at the edge; every refusal names the parameter."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from .faults import MTurkFault, request_error

__all__ = ["Params"]

_MONEY = re.compile(r"^[0-9]+(\.[0-9]{0,2})?$")
_MISSING: Any = object()


class Params:
    def __init__(self, body: Mapping[str, Any]) -> None:
        self.body = body

    def _get(self, name: str, default: Any) -> Any:
        value = self.body.get(name)
        if value is None:
            if default is _MISSING:
                raise request_error(f"Value null at '{name}' failed: {name} is required")
            return default
        return value

    def text(self, name: str, default: Any = _MISSING, *, max_len: int = 2000) -> Any:
        value = self._get(name, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str):
            raise request_error(f"{name} must be a string")
        if len(value) > max_len:
            raise request_error(f"{name} must be at most {max_len} characters")
        return value

    def integer(self, name: str, default: Any = _MISSING, *, low: int, high: int) -> Any:
        value = self._get(name, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            raise request_error(f"{name} must be an integer")
        if not low <= value <= high:
            raise request_error(f"{name} must be between {low} and {high}, not {value}")
        return value

    def timestamp(self, name: str) -> float:
        """A time; JSON 1.1 sends it as epoch seconds."""
        value = self._get(name, _MISSING)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise request_error(f"{name} must be a time")
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, default)
        if not isinstance(value, bool):
            raise request_error(f"{name} must be true or false")
        return value

    def money(self, name: str) -> int:
        """A CurrencyAmount ("0.05") in cents."""
        value = self.text(name, max_len=20)
        if not _MONEY.match(value):
            raise request_error(f"{name} must be an amount in US dollars like 0.05, not {value!r}")
        try:
            return int(Decimal(value) * 100)
        except InvalidOperation:
            raise request_error(f"{name} must be an amount like 0.05") from None

    def items(self, name: str) -> list[Any]:
        value = self._get(name, [])
        if not isinstance(value, list):
            raise request_error(f"{name} must be a list")
        return value

    def unsupported(self, name: str, why: str) -> None:
        """Refuse a parameter Crowdframe cannot honour, rather than ignore it silently."""
        if self.body.get(name) not in (None, [], {}, ""):
            raise MTurkFault(
                f"{name} is not supported by Crowdframe: {why}",
                turk_code="AWS.MechanicalTurk.UnsupportedParameter",
            )
