"""What clients send the catalog, as typed models: a project's settings (``POST /projects``,
the console's project form), a change of them (``PATCH /projects/{id}``), its crowd-review
stage, a batch of tasks. The models are the API's contract (``/openapi.json`` is built from
them); the rules across fields (fair pay, a known assessment, an external id once a batch) stay
in ``projects.py``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, create_model

from ..core.validation import (
    LANGUAGE_RULE,
    LIST,
    SKILL,
    Body,
    Count,
    Object,
    OneOf,
    Share,
    Strings,
    TaskUrl,
    Text,
    choices,
    refuse,
)
from . import fairpay
from .eligibility import language_rule, skill_slug

__all__ = [
    "ALLOWED_PERMISSIONS",
    "COUNTRIES",
    "COUNTRY",
    "KINDS",
    "LANGUAGES",
    "MAX_BATCH",
    "PROTOCOLS",
    "CrowdReviewChange",
    "CrowdReviewSettings",
    "NewTask",
    "PayTerms",
    "ProjectChange",
    "ProjectSettings",
    "TaskBatchBody",
    "TaskRows",
]

PROJECT_STATUSES = ("active", "paused")  # what a client may set
PROTOCOLS = ("crowdframe", "mturk")  # mturk: docs/migrate-from-mturk.md
KINDS = ("work", "assessment")  # what clients may create (an assessment: docs/quality.md)
ALLOWED_PERMISSIONS = ("camera", "microphone", "geolocation", "clipboard-write", "fullscreen")
MAX_BATCH = 1000
COUNTRY = re.compile(r"^[A-Z]{2}$")
COUNTRIES = "ISO 3166 country codes like DE"
LANGUAGES = 'languages like "de" or "de:native"'
SKILLS = 'lowercase skill slugs like "transcription"'
_PROJECT_ID = re.compile(r"^prj_[A-Za-z0-9_-]{1,60}$")
DAY = 86_400


def _currency(value: str) -> str:
    code = value.upper()
    if code not in fairpay.supported_currencies():
        raise refuse(f"currency must be one of {', '.join(fairpay.supported_currencies())}")
    return code


Reward = Annotated[int, Count(0, 1_000_000)]
Seconds = Annotated[int, Count(1, DAY)]
Countries = Annotated[
    tuple[str, ...], LIST, Strings(COUNTRY.match, COUNTRIES, pattern=COUNTRY.pattern)
]
Languages = Annotated[
    tuple[str, ...], LIST, Strings(language_rule, LANGUAGES, pattern=LANGUAGE_RULE.pattern)
]
Instructions = Annotated[str, Text(0, 20_000)]
Currency = Annotated[str, Text(3, 3), AfterValidator(_currency)]
Kind = Annotated[str, OneOf(KINDS)]
TestSize = Annotated[int, Count(1, 100)]


class PayTerms(Body, extra="ignore"):
    """The settings fair pay depends on (``fairpay.pay_preview``), read as a project's are."""

    reward_cents: Reward
    currency: Currency = "USD"
    estimated_seconds: Seconds = 60
    countries: Countries = ()
    kind: Kind = "work"
    test_size: TestSize = 10


class CrowdReviewSettings(Body):
    """A work project's crowd review stage (docs/quality.md)."""

    task_url: TaskUrl
    reward_cents: Reward
    estimated_seconds: Seconds = 60
    reviewers: Annotated[int, Count(1, 5)] = 2
    instructions: Instructions = ""
    countries: Countries = ()
    languages: Languages = ()
    min_gold_accuracy: Annotated[float, Share()] | None = None


class ProjectSettings(Body):
    """``POST /projects``: every setting of a project (docs/api.md, "Projects")."""

    title: Annotated[str, Text(1, 200)]
    task_url: TaskUrl
    reward_cents: Reward
    currency: Currency = "USD"
    estimated_seconds: Seconds = 60
    countries: Countries = ()
    kind: Kind = "work"
    test_size: TestSize = 10
    instructions: Instructions = ""
    assignments_per_task: Annotated[int, Count(1, 100)] = 1
    assignment_duration: Annotated[int, Count(30, DAY)] = 600
    task_lifetime: Annotated[int, Count(60, 365 * DAY)] = 7 * DAY
    # heartbeats extending a lease (0: off; else at least LEASE_MIN_EXTENSION, projects.py)
    lease_extension_seconds: Annotated[int, Count(0, 3600)] = 0
    lease_max_seconds: Annotated[int, Count(30, DAY)] = DAY
    auto_approve_delay: Annotated[int, Count(0, 30 * DAY)] = 3 * DAY
    frame_height: Annotated[int, Count(100, 10_000)] | None = None
    allow: Annotated[
        tuple[str, ...], LIST, choices(ALLOWED_PERMISSIONS, "permissions the frame may ask for")
    ] = ()
    protocol: Annotated[str, OneOf(PROTOCOLS)] = "crowdframe"
    excluded_countries: Countries = ()
    languages: Languages = ()
    gold_ratio: Annotated[float, Share()] = 0.0
    gold_min_answers: Annotated[int, Count(1, 1000)] = 3
    gold_min_accuracy: Annotated[float, Share()] = 0.7
    skills: Annotated[
        tuple[str, ...], LIST, Strings(skill_slug, SKILLS, pattern=SKILL.pattern)
    ] = ()
    qualifications: Annotated[
        tuple[str, ...],
        LIST,
        Strings(
            _PROJECT_ID.match, "assessment project ids like prj_…", pattern=_PROJECT_ID.pattern
        ),
    ] = ()
    pass_score: Annotated[float, Share()] = 0.8
    retry_after_seconds: Annotated[int, Count(0, 365 * DAY)] = DAY
    agreement_min: Annotated[float, Share()] = 0.0
    assignments_max: Annotated[int, Count(0, 100)] = 0
    crowd_review: CrowdReviewSettings | None = None


# what a project keeps from its creation on
FIXED_FIELDS = (
    "task_url",
    "currency",
    "assignments_per_task",
    "assignment_duration",
    "task_lifetime",
    "auto_approve_delay",
    "allow",
    "protocol",
    "kind",
)


def _partial(model: type[Body], name: str, *, leave_out: tuple[str, ...] = (), **more: Any) -> Any:
    """``model`` with every field optional (absent: unchanged), but those in ``leave_out``."""
    fields: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        if field not in leave_out:
            typed: Any = info.annotation
            if info.metadata:
                typed = Annotated[(typed, *info.metadata)]
            fields[field] = (typed | None, None)
    return create_model(name, __base__=Body, __doc__=model.__doc__, **{**fields, **more})


CrowdReviewChange: type[Body] = _partial(CrowdReviewSettings, "CrowdReviewChange")
ProjectChange: type[Body] = _partial(
    ProjectSettings,
    "ProjectChange",
    leave_out=(*FIXED_FIELDS, "crowd_review"),
    crowd_review=(CrowdReviewChange | None, None),
    status=(Annotated[str, OneOf(PROJECT_STATUSES)] | None, None),
)
ProjectChange.__doc__ = (
    "``PATCH /projects/{id}``: the settings to change (absent: unchanged), and ``status``."
)


class NewTask(Body):
    """One task of a batch: its ``external_id`` (once in the batch), its ``input`` and, for an
    assessment's question, its known answer in ``gold``."""

    external_id: Annotated[str, Text(1, 200)]
    input: Object = Field(default_factory=dict)
    gold: Object | None = None


class TaskRows(Body):
    """Tasks however many (a file's, read whole before it is published in batches)."""

    tasks: list[NewTask]


class TaskBatchBody(Body):
    """``POST /projects/{id}/tasks``: 1 to 1000 tasks."""

    tasks: Annotated[list[NewTask], Field(min_length=1, max_length=MAX_BATCH)]
