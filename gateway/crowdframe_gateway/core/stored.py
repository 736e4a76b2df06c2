"""Records from their stored fields: one statement per record, read by every backend.

A backend hands the stored fields (SQLite: a row's columns; Redis: a hash's fields, as
text). Each record's ``Layout`` names the
fields that are not kept as they are and how they are decoded; the decoders take both SQLite's
values (numbers, ``NULL``) and Redis's (text, where an empty or absent field is none).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, fields
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .records import (
    ApiKey,
    AssessmentAttempt,
    Assignment,
    Client,
    ClientUser,
    Endpoint,
    GoldStats,
    Invitation,
    ProjectSpec,
    Qualification,
    Task,
    Worker,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "API_KEY",
    "ASSIGNMENT",
    "ATTEMPT",
    "CLIENT",
    "CLIENT_USER",
    "ENDPOINT",
    "GOLD_STATS",
    "INVITATION",
    "QUALIFICATION",
    "TASK",
    "WORKER",
    "Layout",
    "flag",
    "json_tuple",
    "opt_flag",
    "opt_json",
    "opt_real",
    "spec_from_json",
    "spec_to_json",
]

Decode = Callable[[Any], Any]
R = TypeVar("R", bound="DataclassInstance")


def opt_real(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def opt_json(value: Any) -> Any:
    return None if value is None or value == "" else json.loads(value)


def json_tuple(value: Any) -> tuple[Any, ...]:
    """A JSON list kept as text; none (or an empty field) is the empty tuple."""
    return tuple(json.loads(value)) if value else ()


def opt_json_tuple(value: Any) -> tuple[Any, ...] | None:
    return None if value is None else tuple(json.loads(value))


def opt_flag(value: Any) -> bool | None:
    """``1``/``0`` (SQLite) or ``'1'``/``'0'`` (Redis); none stays none."""
    return None if value is None or value == "" else bool(int(value))


def flag(value: Any) -> bool:
    """As ``opt_flag``, none being false."""
    return bool(value) and bool(int(value))


class Layout(Generic[R]):
    """How one record is stored: each of its fields under its own name, kept as it is or
    through the decoder given for it.

    ``from_row`` reads a row holding every field (a SQLite row); ``from_hash`` a mapping that
    may lack some, which are none (a Redis hash). Both build the record positionally, with one
    C-level read of all the fields, since claims and submissions read assignments."""

    __slots__ = ("_decoded", "_get_all", "_record", "names")

    def __init__(self, record: type[R], **decoders: Decode) -> None:
        self._record = record
        self.names = tuple(f.name for f in fields(record))
        self._decoded = tuple(
            (i, decoders.pop(n)) for i, n in enumerate(self.names) if n in decoders
        )
        if decoders:
            raise TypeError(f"{record.__name__} has no fields {sorted(decoders)}")
        self._get_all = itemgetter(*self.names)

    def from_row(self, row: Any) -> R:
        return self._build(list(self._get_all(row)))

    def from_hash(self, h: Mapping[str, Any]) -> R:
        return self._build(list(map(h.get, self.names)))

    def _build(self, values: list[Any]) -> R:
        for i, decode in self._decoded:
            values[i] = decode(values[i])
        return self._record(*values)


# every field not named is kept as it is stored
ASSIGNMENT = Layout(
    Assignment, accepted_at=float, deadline=float, submitted_at=opt_real, result=opt_json,
    reviewed_at=opt_real, signals=json_tuple,
)  # fmt: skip
TASK = Layout(Task, input=json.loads, created_at=float, expires_at=float, gold=opt_json)
ATTEMPT = Layout(
    AssessmentAttempt, number=int, test_size=int, started_at=float, answered=int, correct=int,
    finished_at=opt_real, passed=opt_flag, questions=json_tuple,
)  # fmt: skip
QUALIFICATION = Layout(Qualification, score=float, granted_at=float)
GOLD_STATS = Layout(GoldStats, answered=int, correct=int, stopped=flag)
# kept whole as JSON on Redis: these read SQLite's rows only
API_KEY = Layout(ApiKey)
WORKER = Layout(Worker, languages=json_tuple, skills=json_tuple, email_verified_at=opt_real)
CLIENT = Layout(Client, signing_secrets=json_tuple, platform=flag)
ENDPOINT = Layout(Endpoint, secrets=json_tuple, event_types=opt_json_tuple)
CLIENT_USER = Layout(ClientUser, created_at=float)
INVITATION = Layout(
    Invitation, created_at=float, expires_at=float, invited_by=lambda v: v or None,
    accepted_at=opt_real,
)  # fmt: skip


def spec_to_json(spec: ProjectSpec) -> str:
    """A project's spec as both backends keep it."""
    return json.dumps(asdict(spec))


@functools.lru_cache(maxsize=1024)
def spec_from_json(text: str) -> ProjectSpec:
    """A project's spec from its stored text: parsed once per text (a spec is immutable and
    every claim, frame page and submit reads its project)."""
    return ProjectSpec.from_dict(json.loads(text))
