"""HIT types: MTurk's reusable HIT settings, and how their qualification requirements map onto
Crowdframe's rules (docs/migrate-from-mturk.md, "Qualification requirements")."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .. import catalog
from ..catalog import check_fair_pay
from ..core.errors import InvalidInput
from ..core.records import ProjectSpec, new_id, now
from .call import Call
from .faults import request_error
from .params import Params
from .records import HitType

__all__ = [
    "LOCALE",
    "check_requirement_types",
    "create_hit_type",
    "described_hit_type",
    "hit_type_from",
    "owned_hit_type",
    "project_spec",
]

LOCALE = catalog.requirements.LOCALE
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_ASSIGNMENT_DURATION = 86_400  # Crowdframe's limit (MTurk allowed a year)
MAX_AUTO_APPROVAL_DELAY = 30 * 86_400


def _countries(requirement: dict[str, Any], index: int) -> list[str]:
    values = requirement.get("LocaleValues")
    if not isinstance(values, list) or not values:
        raise request_error(f"QualificationRequirements[{index}] needs LocaleValues")
    countries = []
    for value in values:
        country = value.get("Country") if isinstance(value, dict) else None
        if not isinstance(country, str) or not _COUNTRY.match(country):
            raise request_error(
                f"QualificationRequirements[{index}].LocaleValues: Country must be an ISO 3166"
                " code like US"
            )
        countries.append(country)
    return countries


def _rules(raw: list[Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The country allow- and deny-lists the Locale requirements ask for; every other
    requirement is checked here and decided by ``catalog.requirements`` whenever a worker looks
    (its qualification type must be the requester's own: ``check_requirement_types``)."""
    allowed: set[str] | None = None
    excluded: set[str] = set()
    for index, requirement in enumerate(raw):
        if not isinstance(requirement, dict):
            raise request_error(f"QualificationRequirements[{index}] must be an object")
        try:
            parsed = catalog.requirements.requirement_from(requirement, index)
        except ValueError as exc:
            raise request_error(str(exc)) from None
        if parsed.type_id in catalog.requirements.UNTRACKED:
            raise request_error(
                f"QualificationRequirements[{index}]: Crowdframe cannot enforce"
                f" {catalog.requirements.UNTRACKED[parsed.type_id]}; leave this requirement out"
            )
        if parsed.type_id != LOCALE:
            continue
        countries = set(_countries(requirement, index))
        if parsed.comparator in ("EqualTo", "In"):
            allowed = countries if allowed is None else allowed & countries
        elif parsed.comparator in ("NotEqualTo", "NotIn"):
            excluded |= countries
        else:
            raise request_error(
                f"QualificationRequirements[{index}]: a Locale requirement compares with"
                " EqualTo, NotEqualTo, In or NotIn"
            )
    if allowed is not None and not allowed:
        raise request_error("the Locale requirements together admit no country at all")
    return tuple(sorted(allowed or ())), tuple(sorted(excluded))


async def check_requirement_types(call: Call, hit_type: HitType) -> HitType:
    """Every requirement's type is a system one or the requester's own, not being deleted."""
    for index, requirement in enumerate(hit_type.requirements):
        type_id = requirement["QualificationTypeId"]
        if type_id in catalog.requirements.SYSTEM:
            continue
        found = await call.rt.store.get_qualification_type(call.client.id, type_id)
        if found is None or found.status == "Disposing":
            raise request_error(
                f"QualificationRequirements[{index}]: QualificationType {type_id} does not"
                " exist (a requirement names a system type or one of your own)",
                "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
            )
    return hit_type


def hit_type_from(call: Call, p: Params) -> HitType:
    """The HIT type CreateHITType and CreateHIT describe (not yet stored)."""
    asked = p.items("QualificationRequirements")
    countries, excluded = _rules(asked)
    settings = {
        "title": p.text("Title", max_len=200).strip(),
        "description": p.text("Description", max_len=2000),
        "keywords": p.text("Keywords", "", max_len=1000),
        "reward_cents": p.money("Reward"),
        "assignment_duration": p.integer(
            "AssignmentDurationInSeconds", low=30, high=MAX_ASSIGNMENT_DURATION
        ),
        "auto_approve_delay": p.integer(
            "AutoApprovalDelayInSeconds",
            MAX_AUTO_APPROVAL_DELAY,
            low=0,
            high=MAX_AUTO_APPROVAL_DELAY,
        ),
        "requirements": asked,
    }
    if not settings["title"]:
        raise request_error("Title must not be empty")
    fingerprint = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
    hit_type = HitType(
        id=new_id("htp"),
        client_id=call.client.id,
        fingerprint=fingerprint,
        countries=countries,
        excluded_countries=excluded,
        created_at=now(),
        **settings,
    )
    _refuse_unfair_pay(hit_type)
    return hit_type


def project_spec(hit_type: HitType, url: str) -> ProjectSpec:
    """The settings of the project a HIT type's HITs on ``url``'s origin share. MTurk has no
    estimate of a HIT's time: the project keeps Crowdframe's default ``estimated_seconds``."""
    return ProjectSpec(
        title=hit_type.title,
        task_url=url,
        reward_cents=hit_type.reward_cents,
        instructions=hit_type.description,
        assignment_duration=hit_type.assignment_duration,
        auto_approve_delay=hit_type.auto_approve_delay,
        protocol="mturk",
        countries=hit_type.countries,
        excluded_countries=hit_type.excluded_countries,
    )


def _refuse_unfair_pay(hit_type: HitType) -> None:
    """A HIT type that targets a country whose minimum wage it does not pay would be shown to
    nobody there: the requester hears it now, in the fair-pay rule's own words."""
    try:
        check_fair_pay(project_spec(hit_type, ""))
    except InvalidInput as exc:
        raise request_error(
            f"Reward {exc.message}; no worker there would see these HITs. Raise the Reward, or"
            " create the project with its estimated_seconds through the REST API"
            ' (docs/migrate-from-mturk.md, "Fair pay")'
        ) from None


async def owned_hit_type(call: Call, hit_type_id: str) -> HitType:
    hit_type = await call.rt.store.get_hit_type(hit_type_id)
    if hit_type is None or hit_type.client_id != call.client.id:
        raise request_error(
            f"HITTypeId {hit_type_id} does not exist", "AWS.MechanicalTurk.HITTypeDoesNotExist"
        )
    return hit_type


async def described_hit_type(call: Call) -> HitType:
    """The HIT type CreateHITType and CreateHIT describe, stored (or the identical one)."""
    hit_type = await check_requirement_types(call, hit_type_from(call, call.params))
    return await call.rt.store.hit_type_for(hit_type)


async def create_hit_type(call: Call) -> dict[str, Any]:
    hit_type = await described_hit_type(call)
    return {"HITTypeId": hit_type.id}
