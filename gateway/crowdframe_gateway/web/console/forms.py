"""The project form: every setting the API takes, and how a form's text becomes the API's body.

The form sends text; the body is what ``POST /projects`` takes, so the API's own validation
(``catalog.projects``) judges it and its messages name the field they are about. Text that is
not a number where one is expected is passed on as it is, so the API says what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from starlette.datastructures import FormData, UploadFile

from ...catalog import fairpay
from ...catalog.projects import ALLOWED_PERMISSIONS, FIXED_FIELDS, KINDS, PROTOCOLS
from ...core.records import ProjectSpec
from ...core.text import N_

__all__ = [
    "CROWD_REVIEW",
    "CROWD_REVIEW_FIELDS",
    "PROJECT_FIELDS",
    "FormField",
    "blank_values",
    "body_from_form",
    "count_of",
    "every_field",
    "form_data",
    "values_from_form",
    "values_from_spec",
]

Values = dict[str, Any]  # a field's name -> its text (a list for checkboxes), as typed


@dataclass(frozen=True, slots=True)
class FormField:
    name: str  # the API's field; "crowd_review.<name>" inside the crowd review stage
    label: str  # English, marked with N_ (the page shows it translated), as the hint
    kind: str  # text, url, textarea, integer, number, list, select, checks
    hint: str = ""
    options: tuple[str, ...] = ()
    nullable: bool = False  # an empty integer is null (not the default)

    @property
    def fixed(self) -> bool:
        """Kept from the project's creation on: shown, not changed, when editing."""
        return self.name in FIXED_FIELDS


def _f(name: str, label: str, kind: str = "text", hint: str = "", **more: Any) -> FormField:
    return FormField(name, label, kind, hint, **more)


# In the order of the form, in groups (a heading each).
PROJECT_FIELDS: tuple[tuple[str, tuple[FormField, ...]], ...] = (
    (
        N_("The task"),
        (
            _f("title", N_("Title"), hint=N_("What workers see in their task list.")),
            _f(
                "task_url", N_("Task page URL"), "url", N_("Your page that shows one task (https).")
            ),
            _f(
                "instructions",
                N_("Instructions"),
                "textarea",
                N_("Shown to workers above the task."),
            ),
            _f(
                "kind",
                N_("Kind"),
                "select",
                N_("An assessment is a qualification test."),
                options=KINDS,
            ),
            _f(
                "protocol",
                N_("Protocol"),
                "select",
                N_("mturk: your page is an MTurk ExternalQuestion."),
                options=PROTOCOLS,
            ),
            _f(
                "frame_height",
                N_("Frame height (px)"),
                "integer",
                N_("Empty: the page's own height."),
                nullable=True,
            ),
            _f("allow", N_("The task page may use"), "checks", options=ALLOWED_PERMISSIONS),
        ),
    ),
    (
        N_("Pay"),
        (
            _f("reward_cents", N_("Reward per task (cents)"), "integer"),
            _f("currency", N_("Currency"), "select", options=fairpay.supported_currencies()),
            _f(
                "estimated_seconds",
                N_("Estimated time per task (seconds)"),
                "integer",
                N_("What fair pay is judged on: the reward for this time, per hour."),
            ),
        ),
    ),
    (
        N_("Who may work on it"),
        (
            _f(
                "countries",
                N_("Countries"),
                "list",
                N_("ISO codes like DE FR; empty: every country."),
            ),
            _f("excluded_countries", N_("Excluded countries"), "list", N_("ISO codes like US.")),
            _f("languages", N_("Languages"), "list", N_('Like "de" or "de:native".')),
            _f("skills", N_("Skills"), "list", N_("Like transcription translation-de-en.")),
            _f(
                "qualifications",
                N_("Qualifications"),
                "list",
                N_("Assessment project ids (prj_…)."),
            ),
        ),
    ),
    (
        N_("Answers"),
        (
            _f("assignments_per_task", N_("Workers per task"), "integer"),
            _f(
                "agreement_min",
                N_("Agreement wanted (0 to 1)"),
                "number",
                N_("Below it, one more worker is asked."),
            ),
            _f(
                "assignments_max",
                N_("Most workers per task"),
                "integer",
                N_("0: workers per task."),
            ),
            _f("assignment_duration", N_("Time to finish a task (seconds)"), "integer"),
            _f(
                "lease_extension_seconds",
                N_("More time per heartbeat (seconds)"),
                "integer",
                N_("While the task page is open, each heartbeat gives this much; 0: none."),
            ),
            _f("lease_max_seconds", N_("Longest time on a task (seconds)"), "integer"),
            _f("task_lifetime", N_("Task lifetime (seconds)"), "integer"),
            _f("auto_approve_delay", N_("Approve automatically after (seconds)"), "integer"),
        ),
    ),
    (
        N_("Gold questions"),
        (
            _f("gold_ratio", N_("Share of gold questions (0 to 1)"), "number"),
            _f("gold_min_answers", N_("Gold answers before judging"), "integer"),
            _f("gold_min_accuracy", N_("Gold accuracy needed (0 to 1)"), "number"),
        ),
    ),
    (
        N_("Assessment"),
        (
            _f("test_size", N_("Questions per attempt"), "integer"),
            _f("pass_score", N_("Share right to pass (0 to 1)"), "number"),
            _f("retry_after_seconds", N_("Wait before another attempt (seconds)"), "integer"),
        ),
    ),
)
CROWD_REVIEW_FIELDS: tuple[FormField, ...] = (
    _f("crowd_review.task_url", N_("Review page URL"), "url"),
    _f("crowd_review.reward_cents", N_("Reward per review (cents)"), "integer"),
    _f("crowd_review.estimated_seconds", N_("Estimated time per review (seconds)"), "integer"),
    _f("crowd_review.reviewers", N_("Reviewers per answer"), "integer"),
    _f("crowd_review.instructions", N_("Instructions for reviewers"), "textarea"),
    _f("crowd_review.countries", N_("Reviewers' countries"), "list"),
    _f("crowd_review.languages", N_("Reviewers' languages"), "list"),
    _f("crowd_review.min_gold_accuracy", N_("Reviewers' gold accuracy (0 to 1)"), "number"),
)  # fmt: skip
CROWD_REVIEW = "crowd_review"  # the checkbox that turns the stage on


def every_field() -> Iterable[FormField]:
    for _, group in PROJECT_FIELDS:
        yield from group
    yield from CROWD_REVIEW_FIELDS


_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _value(field: FormField, form: FormData) -> tuple[bool, Any]:
    """(whether the body gets the field, its value there)."""
    if field.kind == "checks":
        return True, [str(v) for v in form.getlist(field.name)]
    if field.name not in form:  # not on this form at all
        return False, None
    raw = str(form.get(field.name, "")).strip()
    if field.kind == "list":
        items = [item for item in re.split(r"[,\s]+", raw) if item]
        if field.name.endswith("countries"):
            items = [item.upper() for item in items]
        return True, items
    if field.kind in ("text", "url", "textarea", "select"):
        return True, raw  # empty too: the API says what an empty title is
    if not raw:  # a number left empty: the default (creating), as it was (editing), or null
        return field.nullable, None
    if field.kind == "integer":
        return True, int(raw) if re.fullmatch(r"-?\d+", raw) else raw
    return True, float(raw) if _NUMBER.match(raw) else raw


def body_from_form(form: FormData, *, editing: bool) -> dict[str, Any]:
    """The API's body for the form: on creation every setting given, when ``editing`` every
    setting but those fixed at creation (the API refuses to change them)."""
    body: dict[str, Any] = {}
    for _, group in PROJECT_FIELDS:
        for field in group:
            if editing and field.fixed:
                continue
            given, value = _value(field, form)
            if given:
                body[field.name] = value
    if form.get(CROWD_REVIEW):
        stage = {}
        for field in CROWD_REVIEW_FIELDS:
            given, value = _value(field, form)
            if given:
                stage[field.name.removeprefix("crowd_review.")] = value
        body["crowd_review"] = stage
    elif editing:
        body["crowd_review"] = None
    return body


def values_from_form(form: FormData, shown: Values) -> Values:
    """The form as typed, over the values it was ``shown`` with, to show it again."""
    values = dict(shown)
    for field in every_field():
        if field.kind == "checks":  # an unchecked box is not sent
            values[field.name] = [str(v) for v in form.getlist(field.name)]
        elif field.name in form:
            values[field.name] = str(form.get(field.name, ""))
    values[CROWD_REVIEW] = bool(form.get(CROWD_REVIEW))
    return values


def form_data(values: Values) -> FormData:
    """Form values as a submitted form would carry them."""
    items: list[tuple[str, str | UploadFile]] = []
    for name, value in values.items():
        if isinstance(value, list):
            items.extend((name, str(v)) for v in value)
        elif value is True:
            items.append((name, "on"))
        elif isinstance(value, str):
            items.append((name, value))
    return FormData(items)


def _text(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return " ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def values_from_spec(spec: ProjectSpec) -> Values:
    """A project's settings as the form shows them."""
    stored = asdict(spec)
    values: Values = {}
    for _, group in PROJECT_FIELDS:
        for field in group:
            value = stored[field.name]
            values[field.name] = list(value) if field.kind == "checks" else _text(value)
    crowd = stored.get("crowd_review") or {}
    for field in CROWD_REVIEW_FIELDS:
        values[field.name] = _text(crowd.get(field.name.removeprefix("crowd_review.")))
    values[CROWD_REVIEW] = spec.crowd_review is not None
    return values


def blank_values() -> Values:
    """A new project's form: the API's defaults."""
    defaults = values_from_spec(ProjectSpec(title="", task_url="", reward_cents=0))
    defaults["reward_cents"] = ""
    return defaults


def count_of(form: FormData | Any, name: str) -> int:
    """A count a page carries along in its form (a hidden field): 0 unless it is one."""
    text = str(form.get(name, "0"))
    return int(text) if text.isdigit() else 0
