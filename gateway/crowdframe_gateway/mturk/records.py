"""The records MTurk compatibility keeps beside the native ones."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..core.records import Task

__all__ = [
    "Hit",
    "HitType",
    "MTurkCredential",
    "QualificationScore",
    "QualificationType",
    "hit_from",
    "hit_type_from",
    "qualification_type_from",
    "with_auto_grants",
]


@dataclass(frozen=True, slots=True)
class MTurkCredential:
    """A client's SigV4 key pair; the secret is kept encrypted (``mturk.credentials``)."""

    access_key_id: str
    client_id: str
    secret_encrypted: str
    status: Literal["active", "revoked"]
    created_at: float


@dataclass(frozen=True, slots=True)
class HitType:
    """What CreateHITType registers. Identical parameters give the same HIT type, as on MTurk."""

    id: str
    client_id: str
    fingerprint: str  # hash of the parameters below
    title: str
    description: str
    keywords: str
    reward_cents: int
    assignment_duration: int
    auto_approve_delay: int
    countries: tuple[str, ...]
    excluded_countries: tuple[str, ...]
    requirements: list[dict[str, Any]]  # as the requester sent them, echoed by GetHIT
    created_at: float


@dataclass(frozen=True, slots=True)
class Hit:
    """A HIT: one task, plus what the ExternalQuestion said and the task's assignment counts."""

    task: Task
    client_id: str
    hit_type_id: str
    question: str
    external_url: str
    frame_height: int  # pixels; 0: fill the window
    annotation: str
    max_assignments: int
    created_at: float
    disposed: bool = False
    reviewing: bool = False  # UpdateHITReviewStatus: the requester is reviewing it
    pending: int = 0  # accepted, not yet submitted
    submitted: int = 0  # submitted, not yet reviewed
    reviewed: int = 0  # approved or rejected


QualificationTypeStatus = Literal["Active", "Inactive", "Disposing"]


@dataclass(frozen=True, slots=True)
class QualificationType:
    """A requester's own qualification type (CreateQualificationType): scores they grant to
    workers by the pseudonym they know, which their HITs' requirements compare."""

    id: str  # shaped like MTurk's: [A-Z0-9], 30 characters
    client_id: str
    name: str
    description: str
    keywords: str
    status: QualificationTypeStatus  # Disposing: deleted, its scores gone
    retry_delay: int | None
    auto_granted: bool  # every worker holds it with auto_granted_value unless granted another
    auto_granted_value: int
    created_at: float


@dataclass(frozen=True, slots=True)
class QualificationScore:
    """A worker's score on a qualification type (AssociateQualificationWithWorker)."""

    type_id: str
    worker_pseudonym: str
    value: int
    granted_at: float


def hit_type_from(stored: Mapping[str, Any]) -> HitType:
    """A HIT type from its stored fields (its countries as JSON lists)."""
    countries, excluded = tuple(stored["countries"]), tuple(stored["excluded_countries"])
    return HitType(**{**stored, "countries": countries, "excluded_countries": excluded})


def hit_from(
    task: Task, hit: Mapping[str, Any], seats: Any, counts: Sequence[Any] = (0, 0, 0)
) -> Hit:
    """A HIT from its task, its stored HIT fields (SQLite's values or Redis's text), its task's
    seats and its assignment counts (pending, submitted, reviewed)."""
    pending, submitted, reviewed = counts
    return Hit(
        task=task,
        client_id=hit["client_id"],
        hit_type_id=hit["hit_type_id"],
        question=hit["question"],
        external_url=hit["external_url"],
        frame_height=int(hit["frame_height"]),
        annotation=hit["annotation"],
        max_assignments=int(seats),
        created_at=float(hit["created_at"]),
        disposed=hit.get("disposed_at") not in (None, ""),
        reviewing=hit.get("reviewing") not in (None, "", 0, "0"),
        pending=int(pending),
        submitted=int(submitted),
        reviewed=int(reviewed),
    )


def qualification_type_from(text: str) -> QualificationType:
    """A qualification type from its stored JSON."""
    return QualificationType(**json.loads(text))


def with_auto_grants(
    held: Mapping[str, int], types: Sequence[QualificationType | None]
) -> dict[str, int]:
    """A worker's scores with each Active auto-granted type's value where they hold none: on
    MTurk they would have asked for it and got it at once (Crowdframe has no requests)."""
    scores = dict(held)
    for found in types:
        if found is not None and found.auto_granted and found.status == "Active":
            scores.setdefault(found.id, found.auto_granted_value)
    return scores
