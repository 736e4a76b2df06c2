"""MTurk's qualification requirements, decided here once: whether a worker meets each one, from
their scores on the requester's qualification types and their record on this gateway
(docs/migrate-from-mturk.md, "Qualification requirements"). Locale requirements are not here:
they become the project's country rules (``ProjectSpec.countries``, eligibility.py).

Pure: the caller reads the facts (``Standing``) and hands them in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "COMPARATORS",
    "LOCALE",
    "MASTERS",
    "MASTERS_MIN_APPROVED",
    "MASTERS_MIN_PERCENT",
    "NUMBER_APPROVED",
    "PERCENT_APPROVED",
    "PERCENT_REJECTED",
    "SYSTEM",
    "UNTRACKED",
    "Requirement",
    "Standing",
    "requirement_from",
    "unmet",
    "value_held",
]

LOCALE = "00000000000000000071"  # Worker_Locale
PERCENT_APPROVED = "000000000000000000L0"  # Worker_PercentAssignmentsApproved
PERCENT_REJECTED = "000000000000000000S0"  # Worker_PercentAssignmentsRejected
NUMBER_APPROVED = "00000000000000000040"  # Worker_NumberHITsApproved
# Masters (production, sandbox): held by workers with this record here
MASTERS = ("2F1QJWKUDD8XADTFD2Q0G6UTO95ALH", "2ARFPLSP75KLA8M8DH1HTEQVJT3SY6")
MASTERS_MIN_APPROVED = 1000
MASTERS_MIN_PERCENT = 99
SYSTEM = (LOCALE, PERCENT_APPROVED, PERCENT_REJECTED, NUMBER_APPROVED, *MASTERS)
# system types Crowdframe keeps no record for: a requirement on one is refused, with the reason
UNTRACKED = {
    "00000000000000000000": "PercentAssignmentsSubmitted (Crowdframe counts reviews only)",
    "000000000000000000E0": "PercentAssignmentsReturned (Crowdframe counts reviews only)",
    "00000000000000000070": "PercentAssignmentsAbandoned (Crowdframe counts reviews only)",
    "00000000000000000060": "Adult (Crowdframe does not record workers' ages)",
}
COMPARATORS = (
    "LessThan",
    "LessThanOrEqualTo",
    "GreaterThan",
    "GreaterThanOrEqualTo",
    "EqualTo",
    "NotEqualTo",
    "Exists",
    "DoesNotExist",
    "In",
    "NotIn",
)
_ONE_VALUE = COMPARATORS[:6]
_GUARDS = ("Accept", "PreviewAndAccept", "DiscoverPreviewAndAccept")


@dataclass(frozen=True, slots=True)
class Requirement:
    type_id: str
    comparator: str
    values: tuple[int, ...]
    guarded: str  # MTurk's ActionsGuarded (see unmet)


@dataclass(frozen=True, slots=True)
class Standing:
    """What a worker holds with one requester: their scores on the requester's types (an
    auto-granted type's value where they hold no score), and their reviews on this gateway."""

    scores: Mapping[str, int]
    approved: int = 0
    rejected: int = 0


def requirement_from(raw: Mapping[str, Any], index: int = 0) -> Requirement:
    """A requirement from MTurk's JSON (as CreateHITType took it); ValueError says what is
    wrong, naming ``QualificationRequirements[index]``."""
    where = f"QualificationRequirements[{index}]"
    type_id, comparator = raw.get("QualificationTypeId"), raw.get("Comparator")
    if not isinstance(type_id, str) or not type_id:
        raise ValueError(f"{where} needs QualificationTypeId")
    if comparator not in COMPARATORS:
        raise ValueError(f"{where}.Comparator must be one of {', '.join(COMPARATORS)}")
    values = raw.get("IntegerValues") or []
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"{where}.IntegerValues must be a list of integers")
    if comparator in _ONE_VALUE and len(values) != 1 and type_id != LOCALE:
        raise ValueError(f"{where}: {comparator} compares with exactly one IntegerValues item")
    if comparator in ("In", "NotIn") and not values and type_id != LOCALE:
        raise ValueError(f"{where}: {comparator} needs IntegerValues")
    guarded = raw.get("ActionsGuarded") or (
        "DiscoverPreviewAndAccept" if raw.get("RequiredToPreview") else "Accept"
    )
    if guarded not in _GUARDS:
        raise ValueError(f"{where}.ActionsGuarded must be one of {', '.join(_GUARDS)}")
    return Requirement(type_id, str(comparator), tuple(values), str(guarded))


def _percent(part: int, whole: int, empty: int) -> int:
    return empty if whole == 0 else part * 100 // whole


def value_held(type_id: str, standing: Standing) -> int | None:
    """The worker's value for a qualification type, None when they do not hold it. With no
    review yet, a worker's approval rate is 100 and rejection rate 0, as on MTurk."""
    reviewed = standing.approved + standing.rejected
    if type_id == PERCENT_APPROVED:
        return _percent(standing.approved, reviewed, 100)
    if type_id == PERCENT_REJECTED:
        return _percent(standing.rejected, reviewed, 0)
    if type_id == NUMBER_APPROVED:
        return standing.approved
    if type_id in MASTERS:
        master = (
            standing.approved >= MASTERS_MIN_APPROVED
            and _percent(standing.approved, reviewed, 100) >= MASTERS_MIN_PERCENT
        )
        return 1 if master else None
    return standing.scores.get(type_id)


def _meets(requirement: Requirement, value: int | None) -> bool:
    comparator, values = requirement.comparator, requirement.values
    if comparator == "Exists":
        return value is not None
    if comparator == "DoesNotExist":
        return value is None
    if value is None:
        return False  # every comparison needs a value: NotEqualTo and NotIn too, as on MTurk
    if comparator == "In":
        return value in values
    if comparator == "NotIn":
        return value not in values
    other = values[0]
    return {
        "LessThan": value < other,
        "LessThanOrEqualTo": value <= other,
        "GreaterThan": value > other,
        "GreaterThanOrEqualTo": value >= other,
        "EqualTo": value == other,
        "NotEqualTo": value != other,
    }[comparator]


def unmet(requirements: Iterable[Requirement], standing: Standing) -> Requirement | None:
    """The first requirement the worker does not meet, None when they meet all. Every
    ActionsGuarded keeps the worker from accepting; the gateway decides seeing and accepting a
    project together, so each also hides the HIT from the task list and its preview (a
    difference from MTurk's ``Accept``, stated in docs/migrate-from-mturk.md)."""
    for requirement in requirements:
        if requirement.type_id == LOCALE:
            continue  # the project's country rules
        if not _meets(requirement, value_held(requirement.type_id, standing)):
            return requirement
    return None
