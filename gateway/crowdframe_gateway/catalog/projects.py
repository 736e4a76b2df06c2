"""Projects and task batches, as clients create them."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, fields, replace
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidInput, owned
from ..core.records import PROJECT_COUNTS, Client, Project, ProjectSpec, Task, new_id, now
from ..core.validation import Fields, task_url
from . import crowd_review, fairpay
from .crowd_review import COUNTRIES, COUNTRY, LANGUAGES
from .eligibility import language_rule, skill_slug
from .store import TaskBatch, TaskBatchResult

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "ALLOWED_PERMISSIONS",
    "FIXED_FIELDS",
    "KINDS",
    "MAX_BATCH",
    "PROTOCOLS",
    "SPEC_FIELDS",
    "add_tasks",
    "check_fair_pay",
    "create_project",
    "owned_project",
    "pay_preview",
    "read_tasks",
    "update_project",
]

PROTOCOLS = ("crowdframe", "mturk")  # mturk: docs/migrate-from-mturk.md
KINDS = ("work", "assessment")  # what clients may create (an assessment: docs/quality.md)
MAX_QUALIFICATIONS = 20
ALLOWED_PERMISSIONS = ("camera", "microphone", "geolocation", "clipboard-write", "fullscreen")
MAX_BATCH = 1000
# the shortest lease extension a project may give (``lease_extension_seconds``, 0 for none):
# two heartbeats' time (the task page sends one every 30 s), so one lost does not end the lease
LEASE_MIN_EXTENSION = 60
# what a client sets: every setting but the links the gateway keeps between projects
SPEC_FIELDS = tuple(
    f.name for f in fields(ProjectSpec) if f.name not in ("review_project_id", "parent_project_id")
)
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
_UPDATABLE = tuple(name for name in SPEC_FIELDS if name not in FIXED_FIELDS)
_LISTS = ("allow", "countries", "excluded_countries", "languages", "skills", "qualifications")
_PROJECT_ID = re.compile(r"^prj_[A-Za-z0-9_-]{1,60}$")


def _pay_terms(f: Fields) -> dict[str, Any]:
    """The settings fair pay depends on (``fairpay``), parsed as a project's are."""
    currency = f.text("currency", "USD", min_len=3, max_len=3).upper()
    if currency not in fairpay.supported_currencies():
        raise InvalidInput(
            f"currency must be one of {', '.join(fairpay.supported_currencies())}",
            field="currency",
        )
    return {
        "reward_cents": f.integer("reward_cents", high=1_000_000),
        "currency": currency,
        "estimated_seconds": f.integer("estimated_seconds", 60, low=1, high=86_400),
        "countries": f.strings("countries", COUNTRY.match, COUNTRIES),
        "kind": f.one_of("kind", KINDS, "work"),
        "test_size": f.integer("test_size", 10, low=1, high=100),
    }


def pay_preview(body: dict[str, Any]) -> fairpay.PayPreview:
    """What a project with these settings (as ``create_project`` takes them) would pay per
    hour against each minimum wage, before it is saved; ``InvalidInput`` as ``create_project``
    would say it for a pay setting."""
    return fairpay.pay_preview(ProjectSpec(title="", task_url="", **_pay_terms(Fields(body))))


def _parse_spec(body: dict[str, Any], gateway_origin: str) -> ProjectSpec:
    f = Fields(body)
    f.reject_unknown(SPEC_FIELDS)
    spec = ProjectSpec(
        title=f.text("title", min_len=1, max_len=200),
        task_url=task_url(
            f.text("task_url", min_len=1, max_len=2000),
            field="task_url",
            gateway_origin=gateway_origin,
        ),
        **_pay_terms(f),
        instructions=f.text("instructions", "", max_len=20_000),
        assignments_per_task=f.integer("assignments_per_task", 1, low=1, high=100),
        assignment_duration=f.integer("assignment_duration", 600, low=30, high=86_400),
        task_lifetime=f.integer("task_lifetime", 7 * 86_400, low=60, high=365 * 86_400),
        lease_extension_seconds=f.integer("lease_extension_seconds", 0, high=3600),
        lease_max_seconds=f.integer("lease_max_seconds", 86_400, low=30, high=86_400),
        auto_approve_delay=f.integer("auto_approve_delay", 3 * 86_400, high=30 * 86_400),
        frame_height=f.integer("frame_height", None, low=100, high=10_000),
        allow=f.choices("allow", ALLOWED_PERMISSIONS, []),
        protocol=f.one_of("protocol", PROTOCOLS, "crowdframe"),
        excluded_countries=f.strings("excluded_countries", COUNTRY.match, COUNTRIES),
        languages=f.strings("languages", language_rule, LANGUAGES),
        gold_ratio=f.share("gold_ratio", 0.0, high=1.0),
        gold_min_answers=f.integer("gold_min_answers", 3, low=1, high=1000),
        gold_min_accuracy=f.share("gold_min_accuracy", 0.7, high=1.0),
        skills=f.strings("skills", skill_slug, 'lowercase skill slugs like "transcription"'),
        qualifications=f.strings(
            "qualifications", _PROJECT_ID.match, "assessment project ids like prj_…"
        ),
        pass_score=f.share("pass_score", 0.8, high=1.0),
        retry_after_seconds=f.integer("retry_after_seconds", 86_400, high=365 * 86_400),
        agreement_min=f.share("agreement_min", 0.0, high=1.0),
        assignments_max=f.integer("assignments_max", 0, high=100),
    )
    crowd = crowd_review.parse_settings(
        f.body.get("crowd_review"), gateway_origin, gold_on=spec.gold_ratio > 0
    )
    if crowd is not None:
        if spec.kind != "work":
            raise InvalidInput(
                "crowd_review is for work projects; an assessment is graded by its gold answers",
                field="crowd_review",
            )
        spec = replace(spec, crowd_review=crowd)
        # the review project pays its reviewers: the same minimum-wage rule
        check_fair_pay(crowd_review.review_spec(spec, ""), field="crowd_review.reward_cents")
    _check_lease(spec)
    if spec.assignments_max and spec.assignments_max < spec.assignments_per_task:
        raise InvalidInput(
            "assignments_max must be at least assignments_per_task", field="assignments_max"
        )
    if len(spec.qualifications) > MAX_QUALIFICATIONS:
        raise InvalidInput(
            f"a project may require at most {MAX_QUALIFICATIONS} qualifications",
            field="qualifications",
        )
    check_fair_pay(spec)
    return spec


def _check_lease(spec: ProjectSpec) -> None:
    """Heartbeats extend a lease (work/rules.py ``heartbeat_deadline``) by at least two
    heartbeats' time, up to a longest lease no shorter than the claim's own."""
    extension = spec.lease_extension_seconds
    if 0 < extension < LEASE_MIN_EXTENSION:
        raise InvalidInput(
            f"lease_extension_seconds must be 0 (off) or {LEASE_MIN_EXTENSION} to 3600",
            field="lease_extension_seconds",
        )
    if spec.lease_max_seconds < spec.assignment_duration:
        raise InvalidInput(
            "lease_max_seconds must be at least assignment_duration", field="lease_max_seconds"
        )


def check_fair_pay(spec: ProjectSpec, *, field: str = "reward_cents") -> None:
    """A project may not target a country whose minimum wage it does not pay; an assessment
    may be unpaid only if it is short (``fairpay.UNPAID_TEST_SECONDS``)."""
    if fairpay.unpaid_test(spec):
        seconds = spec.test_size * spec.estimated_seconds
        if seconds > fairpay.UNPAID_TEST_SECONDS:
            raise InvalidInput(
                f"an unpaid assessment may take at most {fairpay.UNPAID_TEST_SECONDS} s;"
                f" {spec.test_size} questions of {spec.estimated_seconds} s take {seconds} s",
                field=field,
                code="unpaid_test_too_long",
            )
        return
    for country in spec.countries:
        wage = fairpay.underpaid(spec, country)
        if wage is not None:
            raise InvalidInput(
                f"pays {fairpay.hourly_usd(spec):.2f} USD per hour for the estimated"
                f" {spec.estimated_seconds} s, below the minimum wage in {country}"
                f" ({wage.hourly:g} {wage.currency} per hour since {wage.since})",
                field=field,
                code="below_minimum_wage",
            )


async def create_project(rt: Runtime, client: Client, body: dict[str, Any]) -> Project:
    spec = _parse_spec(body, rt.settings.public_origin)
    project_id = new_id("prj")
    await _check_qualifications(rt, client, spec, project_id)
    spec = await crowd_review.link_review_project(rt, client, project_id, spec, None)
    project = Project(
        id=project_id, client_id=client.id, spec=spec, status="active", created_at=now()
    )
    await rt.store.create_project(project)
    return replace(project, counts=dict.fromkeys(PROJECT_COUNTS, 0))


async def _check_qualifications(
    rt: Runtime, client: Client, spec: ProjectSpec, project_id: str
) -> None:
    """Each required qualification is an assessment of the same client or of a platform
    client (whose tests any client may require), and not the project itself."""
    for index, assessment_id in enumerate(spec.qualifications):
        found = await rt.store.get_project(assessment_id)
        owner = None if found is None else await rt.store.get_client(found.client_id)
        usable = (
            found is not None
            and owner is not None
            and found.spec.kind == "assessment"
            and found.id != project_id
            and (owner.id == client.id or owner.platform)
        )
        if not usable:
            raise InvalidInput(
                f"qualifications[{index}] ({assessment_id}) is not an assessment of yours"
                " or of the platform",
                field="qualifications",
            )


async def owned_project(rt: Runtime, client: Client, project_id: str) -> Project:
    """The client's project; another client's project is indistinguishable from none."""
    return owned(await rt.store.get_project(project_id), client.id, what="project")


async def update_project(
    rt: Runtime, client: Client, project_id: str, body: dict[str, Any]
) -> Project:
    project = await owned_project(rt, client, project_id)
    crowd_review.refuse_review_project(project)
    f = Fields(body)
    f.reject_unknown((*_UPDATABLE, "status"))
    merged = {k: getattr(project.spec, k) for k in SPEC_FIELDS}
    for name in _LISTS:
        merged[name] = list(getattr(project.spec, name))
    merged.update({k: v for k, v in body.items() if k in _UPDATABLE})
    before = project.spec.crowd_review
    asked = body.get("crowd_review")
    if isinstance(asked, dict) and before is not None:  # a change of some of its settings
        merged["crowd_review"] = {**asdict(before), **asked}
    elif "crowd_review" not in body and before is not None:
        merged["crowd_review"] = asdict(before)
    spec = _parse_spec(merged, rt.settings.public_origin)
    await _check_qualifications(rt, client, spec, project.id)
    status = f.one_of("status", ("active", "paused"), project.status)
    spec = await crowd_review.link_review_project(rt, client, project.id, spec, project.spec)
    return await rt.store.update_project(project.id, spec, status)


async def add_tasks(
    rt: Runtime,
    client: Client,
    project_id: str,
    body: dict[str, Any],
    idempotency_key: str | None,
) -> TaskBatchResult:
    project = await owned_project(rt, client, project_id)
    crowd_review.refuse_review_project(project)  # its tasks come from the work project
    f = Fields(body)
    f.reject_unknown(("tasks",))
    raw = body.get("tasks")
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_BATCH:
        raise InvalidInput(f"tasks must be a list of 1 to {MAX_BATCH} tasks", field="tasks")
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise InvalidInput("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")
    tasks = read_tasks(project, raw)
    request_hash = hashlib.sha256(
        json.dumps([project.id, raw], sort_keys=True).encode()
    ).hexdigest()
    return await rt.store.add_tasks(
        client.id, project.id, TaskBatch(tasks, request_hash, idempotency_key)
    )


def read_tasks(project: Project, raw: list[Any]) -> list[Task]:
    """The tasks of a batch's ``tasks`` list, read with the API's rules (an object each, with
    an ``external_id`` once in the list, an ``input`` object, ``gold`` for an assessment's);
    each refusal names its field, ``tasks[i].…``. Nothing is stored: ``add_tasks`` stores
    them, and the console reads a whole file with it before publishing any of it."""
    created = now()
    tasks: list[Task] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidInput("each task must be an object", field=f"tasks[{index}]")
        tf = Fields(item, prefix=f"tasks[{index}].")
        tf.reject_unknown(("external_id", "input", "gold"))
        external_id = tf.text("external_id", min_len=1, max_len=200)
        if project.spec.kind == "assessment" and item.get("gold") is None:
            raise InvalidInput(
                "every task of an assessment is a question with its known answer in gold",
                field=f"tasks[{index}].gold",
            )
        if external_id in seen:
            raise InvalidInput(
                f"external_id {external_id!r} appears twice in this batch",
                field=f"tasks[{index}].external_id",
            )
        seen.add(external_id)
        tasks.append(
            Task(
                id=new_id("tsk"),
                project_id=project.id,
                external_id=external_id,
                input=tf.obj("input", {}),
                gold=tf.obj("gold") if item.get("gold") is not None else None,
                status="open",
                created_at=created,
                expires_at=created + project.spec.task_lifetime,
            )
        )
    return tasks
