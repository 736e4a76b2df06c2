"""Reading the API's JSON into the SDK's dataclasses, driven by each class's field types.

A model declares its fields once, as a frozen dataclass subclassing ``_Model``; ``from_json``
reads each field by its type: ``str``, ``int`` and ``bool`` must be exactly that (a bool is
never an int), ``float`` is any number, ``list[str]`` a list of strings, ``dict[str, int]`` a
map of counts, ``dict[str, Any]`` any object, another model (or a list of them) is read by its
own ``from_json``. ``X | None`` may be null or absent; a field with a default takes it when
the key is null or absent. Keys the class does not know are ignored: a newer gateway may add
fields without breaking an older SDK.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Mapping
from types import NoneType, UnionType
from typing import Any, ClassVar, Self, TypeVar, get_args, get_origin, get_type_hints

__all__: list[str] = []

_V = TypeVar("_V")
_MISSING: Any = object()

# Reads one field (by its name) from a JSON object, or raises ValueError.
_Reader = Callable[[Mapping[str, Any], str], Any]


def _mapping(obj: Any, kind: str | None) -> Mapping[str, Any]:
    """``obj`` as a mapping, refusing one that says (``"object"``) it is not a ``kind``."""
    if not isinstance(obj, Mapping):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    declared = obj.get("object")
    if kind is not None and declared is not None and declared != kind:
        raise ValueError(f"expected an object of type {kind!r}, got {declared!r}")
    return obj


def _required(obj: Mapping[str, Any], name: str, kind: type[_V]) -> _V:
    value = obj.get(name, _MISSING)
    if value is _MISSING:
        raise ValueError(f"missing field {name!r}")
    # bool is an int in Python, never in the API.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {name!r} must be {kind.__name__}, got {type(value).__name__}")
    return value


def _optional(obj: Mapping[str, Any], name: str, kind: type[_V]) -> _V | None:
    return None if obj.get(name) is None else _required(obj, name, kind)


def _strings(obj: Mapping[str, Any], name: str) -> list[str]:
    values = _required(obj, name, list)
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"field {name!r} must be a list of strings")
    return values


def _counts(obj: Mapping[str, Any], name: str) -> dict[str, int]:
    values = _required(obj, name, dict)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in values.values()):
        raise ValueError(f"field {name!r} must map names to integers")
    return values


def _number(obj: Mapping[str, Any], name: str) -> float:
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"field {name!r} must be a number")
    return float(value)


def _exactly(kind: type[Any]) -> _Reader:
    return lambda obj, name: _required(obj, name, kind)


def _model(kind: type[_Model]) -> _Reader:
    return lambda obj, name: kind.from_json(_required(obj, name, dict))


def _models(kind: type[_Model]) -> _Reader:
    return lambda obj, name: [kind.from_json(item) for item in _required(obj, name, list)]


def _reader(hint: Any) -> _Reader:
    """How to read a field declared as ``hint``."""
    args = get_args(hint)
    if isinstance(hint, UnionType) and len(args) == 2 and NoneType in args:
        read = _reader(next(arg for arg in args if arg is not NoneType))
        return lambda obj, name: None if obj.get(name) is None else read(obj, name)
    origin = get_origin(hint)
    if origin is list and args == (str,):
        return _strings
    if origin is list and issubclass(args[0], _Model):
        return _models(args[0])
    if origin is dict:
        return _counts if args == (str, int) else _exactly(dict)
    if hint is float:
        return _number
    if isinstance(hint, type) and issubclass(hint, _Model):
        return _model(hint)
    if hint in (str, int, bool):
        return _exactly(hint)
    raise TypeError(f"no JSON reader for a field of type {hint!r}")


def _with_default(read: _Reader, field: dataclasses.Field[Any]) -> _Reader:
    if field.default is not dataclasses.MISSING:
        default = field.default
        return lambda obj, name: default if obj.get(name) is None else read(obj, name)
    if field.default_factory is not dataclasses.MISSING:
        make = field.default_factory
        return lambda obj, name: make() if obj.get(name) is None else read(obj, name)
    return read


_PLANS: dict[type[Any], list[tuple[str, _Reader]]] = {}


def _plan(cls: type[Any]) -> list[tuple[str, _Reader]]:
    """The field readers of a model class, worked out from its type hints on first use."""
    plan = _PLANS.get(cls)
    if plan is None:
        # In the module that defines the class: the package re-labels exported classes as
        # ``crowdframe``, whose namespace lacks the names the annotations use.
        hints = get_type_hints(cls, localns=vars(sys.modules[cls._home]))
        plan = [
            (field.name, _with_default(_reader(hints[field.name]), field))
            for field in dataclasses.fields(cls)
        ]
        _PLANS[cls] = plan
    return plan


class _Model:
    """A model the API returns; ``_object`` is the ``"object"`` it declares, if any."""

    __slots__ = ()
    _object: ClassVar[str | None] = None
    _home: ClassVar[str]  # the module that defines the class

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._home = cls.__module__

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, cls._object)
        build: Callable[..., Self] = cls
        return build(**{name: read(obj, name) for name, read in _plan(cls)})
