"""Projects and task batches, as clients create them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields, replace
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidInput, owned
from ..core.records import PROJECT_COUNTS, Client, Project, ProjectSpec, Task, new_id, now
from ..core.validation import read
from . import crowd_review, fairpay
from .bodies import (
    ALLOWED_PERMISSIONS,
    FIXED_FIELDS,
    KINDS,
    MAX_BATCH,
    PROTOCOLS,
    NewTask,
    PayTerms,
    ProjectChange,
    ProjectSettings,
    TaskBatchBody,
    TaskRows,
)
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

MAX_QUALIFICATIONS = 20
# the shortest lease extension a project may give (``lease_extension_seconds``, 0 for none):
# two heartbeats' time (the task page sends one every 30 s), so one lost does not end the lease
LEASE_MIN_EXTENSION = 60
# what a client sets: every setting but the links the gateway keeps between projects
SPEC_FIELDS = tuple(
    f.name for f in fields(ProjectSpec) if f.name not in ("review_project_id", "parent_project_id")
)
_UPDATABLE = tuple(name for name in SPEC_FIELDS if name not in FIXED_FIELDS)


def pay_preview(body: dict[str, Any]) -> fairpay.PayPreview:
    """What a project with these settings (as ``create_project`` takes them) would pay per
    hour against each minimum wage, before it is saved; ``InvalidInput`` as ``create_project``
    would say it for a pay setting."""
    terms = read(PayTerms, body)
    return fairpay.pay_preview(ProjectSpec(title="", task_url="", **dict(terms)))


def _parse_spec(body: dict[str, Any], gateway_origin: str) -> ProjectSpec:
    settings = read(ProjectSettings, body, context={"gateway_origin": gateway_origin})
    values = dict(settings)
    crowd = crowd_review.parse_settings(values.pop("crowd_review"), gold_on=settings.gold_ratio > 0)
    spec = ProjectSpec(**values)
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
    change = read(ProjectChange, body).model_dump(exclude_unset=True)
    status = change.pop("status", None) or project.status
    merged = {k: getattr(project.spec, k) for k in SPEC_FIELDS}
    merged.update(change)
    before = project.spec.crowd_review
    asked = change.get("crowd_review")
    if asked is not None and before is not None:  # a change of some of its settings
        merged["crowd_review"] = {**asdict(before), **asked}
    elif "crowd_review" not in change and before is not None:
        merged["crowd_review"] = asdict(before)
    spec = _parse_spec(merged, rt.settings.public_origin)
    await _check_qualifications(rt, client, spec, project.id)
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
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 200:
        raise InvalidInput("Idempotency-Key must be 1 to 200 characters", field="Idempotency-Key")
    tasks = _tasks(project, read(TaskBatchBody, body).tasks)
    request_hash = hashlib.sha256(
        json.dumps([project.id, body.get("tasks")], sort_keys=True).encode()
    ).hexdigest()
    return await rt.store.add_tasks(
        client.id, project.id, TaskBatch(tasks, request_hash, idempotency_key)
    )


def read_tasks(project: Project, raw: list[Any]) -> list[Task]:
    """The tasks of a batch's ``tasks`` list, read with the API's rules (a ``NewTask`` each,
    with an ``external_id`` once in the list, ``gold`` for an assessment's); each refusal names
    its field, ``tasks[i].…``. Nothing is stored: ``add_tasks`` stores them, and the console
    reads a whole file with it (however long) before publishing any of it."""
    return _tasks(project, read(TaskRows, {"tasks": raw}).tasks)


def _tasks(project: Project, items: list[NewTask]) -> list[Task]:
    created = now()
    tasks: list[Task] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if project.spec.kind == "assessment" and item.gold is None:
            raise InvalidInput(
                "every task of an assessment is a question with its known answer in gold",
                field=f"tasks[{index}].gold",
            )
        if item.external_id in seen:
            raise InvalidInput(
                f"external_id {item.external_id!r} appears twice in this batch",
                field=f"tasks[{index}].external_id",
            )
        seen.add(item.external_id)
        tasks.append(
            Task(
                id=new_id("tsk"),
                project_id=project.id,
                external_id=item.external_id,
                input=item.input,
                gold=item.gold,
                status="open",
                created_at=created,
                expires_at=created + project.spec.task_lifetime,
            )
        )
    return tasks
