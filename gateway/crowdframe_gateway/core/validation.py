"""Reading client input once, at the edge: a body is read into its typed model (pydantic), and
every refusal names its field (``tasks[3].external_id``, ``crowd_review.task_url``).

The models are the API's contract: the same classes validate a request and describe it in
``/openapi.json``. This module holds what every model shares (``Body``, the constrained types
``Text``, ``Count``, ``Share``, ``Object``, ``Strings``) and ``read``, which turns the first
thing a model refuses into ``InvalidInput`` with today's error shape.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import ErrorDetails, PydanticCustomError, core_schema

from crowdframe.signing import origin_of

from .errors import InvalidInput

__all__ = [
    "LANGUAGE_RULE",
    "LEVELS",
    "LIST",
    "SKILL",
    "Body",
    "Check",
    "Count",
    "Object",
    "OneOf",
    "Range",
    "Share",
    "Since",
    "Strings",
    "TaskUrl",
    "Text",
    "choices",
    "field_name",
    "is_loopback_host",
    "language_rule",
    "named",
    "one_of",
    "parse_since",
    "read",
    "refuse",
    "skill_slug",
    "task_url",
    "unique",
]

M = TypeVar("M", bound=BaseModel)


class Body(BaseModel):
    """A JSON object a client sends: its members typed strictly (``"5"`` is no integer, ``true``
    no number), no member the model does not name."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# The constraints of a member: ``Annotated[str, Text(1, 200)]``, ``Annotated[int, Count(1)]``.


class Check:
    """A constraint on a member's value: ``check`` runs after its type is read, and returns
    what is kept (or raises ``named``/``refuse``); a subclass also says it in the JSON Schema
    (``__get_pydantic_json_schema__``)."""

    __slots__ = ()

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))


@dataclass(frozen=True, slots=True)
class Text(Check):
    """On a ``Annotated[str, Text(low, high)]``: a string of at most ``high`` characters, and
    at least ``low`` once stripped of surrounding whitespace (what is kept)."""

    low: int = 0
    high: int = 10_000

    def check(self, value: str) -> str:
        # as sent at most ``high`` (what the schema says), and ``low`` once stripped
        kept = value.strip()
        if len(value) > self.high or len(kept) < self.low:
            raise named(f"must be {self.low} to {self.high} characters")
        return kept

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {**handler(schema), "minLength": self.low, "maxLength": self.high}


@dataclass(frozen=True, slots=True)
class Range(Check):
    """On a number: from ``low`` to ``high``, refused as ``said`` (``between 1 and 100``)."""

    low: float
    high: float
    said: str

    def check(self, value: float) -> float:
        if not self.low <= value <= self.high:
            raise named(f"must be {self.said}")
        return value

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {**handler(schema), "minimum": self.low, "maximum": self.high}


def Count(low: int = 0, high: int = 2**53) -> Range:
    """An integer from ``low`` to ``high``."""
    return Range(low, high, f"between {low} and {high}")


def Share(high: float = 1.0) -> Range:
    """A number (integer or not) from 0 to ``high``."""
    return Range(0, high, f"a number from 0 to {high}")


Object = dict[str, Any]
"""Any JSON object (a task's input, a result)."""


def refuse(message: str) -> PydanticCustomError:
    """The refusal a model's own check raises; ``read`` names the field it was on."""
    return PydanticCustomError("refused", message)


def named(message: str) -> PydanticCustomError:
    """A refusal said after the field's name: ``title`` + ``must be 1 to 200 characters``."""
    return PydanticCustomError("named", message)


LIST: Any = Field(strict=False)
"""A JSON array read into a tuple (its items still strictly typed)."""


@dataclass(frozen=True, slots=True)
class Strings(Check):
    """On a ``Annotated[tuple[str, ...], LIST, Strings(valid, what)]``: each item ``valid``
    (``what`` names them; ``options``, if given, are all there are), duplicates dropped; a
    refusal names the list, not the item."""

    valid: Callable[[str], object]
    what: str
    options: tuple[str, ...] = ()
    pattern: str | None = None  # what ``valid`` checks, as JSON Schema says it, if it can

    def check(self, items: tuple[str, ...]) -> tuple[str, ...]:
        for item in items:
            if not self.valid(item):
                if self.options:
                    raise refuse(f"{item!r} is not one of {', '.join(self.options)}")
                raise refuse(f"must be a list of {self.what}")
        return unique(items)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        described = dict(handler(schema))
        described["description"] = f"a list of {self.what}"
        if self.options:
            described["items"] = {"type": "string", "enum": list(self.options)}
        elif self.pattern is not None:
            described["items"] = {"type": "string", "pattern": self.pattern}
        return described


@dataclass(frozen=True, slots=True)
class OneOf(Check):
    """On a ``Annotated[str, OneOf(options)]``: one of ``options`` (the tuple its context
    states them in, once)."""

    options: tuple[str, ...]

    def check(self, value: str) -> str:
        if value not in self.options:
            raise named(f"must be one of {', '.join(self.options)}")
        return value

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {**handler(schema), "enum": list(self.options)}


def choices(options: tuple[str, ...], what: str) -> Strings:
    """A list of some of ``options``."""
    return Strings(options.__contains__, what, options)


def _since(value: Any) -> float:
    try:
        return parse_since(value)
    except InvalidInput as exc:
        raise refuse(exc.message) from None


Since = Annotated[float, PlainValidator(_since, json_schema_input_type=float | str)]
"""Unix seconds, or an ISO 8601 time with a zone (``parse_since``)."""


def unique(items: tuple[str, ...]) -> tuple[str, ...]:
    """The items, each once, in their first order."""
    return tuple(dict.fromkeys(items))


def one_of(field: str, value: str, options: tuple[str, ...]) -> str:
    """A filter's value (``status=…`` of a list) that must be one of ``options``."""
    if value not in options:
        raise InvalidInput(f"{field} must be one of {', '.join(options)}", field=field)
    return value


def field_name(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """``("tasks", 3, "external_id")`` → ``tasks[3].external_id``."""
    name = prefix
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name and not name.endswith(".") else part
    return name


# an error on an item of a list of objects names the item; on a scalar item, the whole list
_OBJECT_ERRORS = {"model_type", "model_attributes_type", "dict_type", "missing", "extra_forbidden"}


def _message(error: ErrorDetails, name: str) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "refused":
        return str(error["msg"])
    if kind == "named":
        return f"{name} {error['msg']}"
    return {
        "missing": f"{name} is required",
        "extra_forbidden": f"unknown field {str(error['loc'][-1])!r}",
        "string_type": f"{name} must be a string",
        "string_too_short": f"{name} must be at least {ctx.get('min_length')} characters",
        "string_too_long": f"{name} must be at most {ctx.get('max_length')} characters",
        "string_pattern_mismatch": f"{name} is not in the expected form",
        "int_type": f"{name} must be an integer",
        "float_type": f"{name} must be a number",
        "bool_type": f"{name} must be true or false",
        "greater_than_equal": f"{name} must be at least {ctx.get('ge')}",
        "less_than_equal": f"{name} must be at most {ctx.get('le')}",
        "int_parsing": f"{name} must be an integer",
        "literal_error": f"{name} must be one of {ctx.get('expected')}",
        "dict_type": f"{name} must be a JSON object",
        "model_type": f"{name} must be a JSON object",
        "model_attributes_type": f"{name} must be a JSON object",
        "list_type": f"{name} must be a list",
        "tuple_type": f"{name} must be a list",
        "too_short": f"{name} must have at least {ctx.get('min_length')} item(s)",
        "too_long": f"{name} must have at most {ctx.get('max_length')} items",
    }.get(kind, f"{name}: {error['msg']}")


def _refusal(exc: ValidationError, prefix: str) -> InvalidInput:
    errors = exc.errors(include_url=False)
    # a member the model does not know is said first, as it was before anything else is read
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(error["loc"])
    while loc and isinstance(loc[-1], int) and error["type"] not in _OBJECT_ERRORS:
        loc = loc[:-1]
    name = field_name(loc, prefix)
    return InvalidInput(_message(error, name), field=name or prefix.rstrip("."))


def read(model: type[M], body: Mapping[str, Any], *, prefix: str = "", context: Any = None) -> M:
    """``body`` read into ``model``; ``InvalidInput`` naming the first field it refuses
    (``prefix`` before its name: ``crowd_review.``). ``context`` reaches the model's own checks
    (the gateway's origin, for a task page's URL)."""
    try:
        return model.model_validate(body, context=context)
    except ValidationError as exc:
        raise _refusal(exc, prefix) from None


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


def _task_page(value: str, info: ValidationInfo) -> str:
    origin = (info.context or {}).get("gateway_origin", "")
    try:
        return task_url(value, field="", gateway_origin=origin)
    except InvalidInput as exc:
        raise refuse(exc.message) from None


TaskUrl = Annotated[str, Text(1, 2000), AfterValidator(_task_page)]
"""A task page's URL (``task_url``), read with ``context={"gateway_origin": ...}``."""


# The vocabulary of worker profiles and project rules: languages ("de", "de:native") and skills.
LEVELS = ("fluent", "native")
LANGUAGE_RULE = re.compile(r"^([a-z]{2})(?::(fluent|native))?$")
SKILL = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SKILL = 50


def skill_slug(text: str) -> bool:
    """A skill is a lowercase slug: ``"transcription"``, ``"translation-de-en"``."""
    return len(text) <= MAX_SKILL and SKILL.match(text) is not None


def language_rule(text: str) -> tuple[str, str] | None:
    """``"de:native"`` → ``("de", "native")``; ``"de"`` → ``("de", "fluent")``; else None."""
    match = LANGUAGE_RULE.match(text)
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
