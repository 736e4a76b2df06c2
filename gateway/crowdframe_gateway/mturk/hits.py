"""HITs: a HIT is a task of the project its HIT type runs as on the ExternalURL's origin."""

from __future__ import annotations

from typing import Any

from crowdframe.signing import origin_of

from ..core.errors import InvalidInput
from ..core.page import Page
from ..core.records import Project, Task, new_id, now
from ..core.validation import task_url
from .call import Call
from .content import content_url
from .faults import request_error
from .hit_types import described_hit_type, owned_hit_type, project_spec
from .ids import hit_id, task_id_of
from .questions import ExternalQuestion, Question, QuestionError, parse_question
from .records import Hit, HitType
from .shapes import hit_shape, hit_status

__all__ = [
    "create_additional_assignments_for_hit",
    "create_hit",
    "create_hit_with_hit_type",
    "delete_hit",
    "get_hit",
    "list_hits",
    "list_hits_for_qualification_type",
    "list_review_policy_results_for_hit",
    "list_reviewable_hits",
    "owned_hit",
    "shaped_hit",
    "update_expiration_for_hit",
    "update_hit_review_status",
]

MAX_LIFETIME = 365 * 86_400
MAX_ASSIGNMENTS = 1_000_000


def _project_for(hit_type: HitType, url: str) -> Project:
    """The project a HIT type's HITs on one origin share: what workers see as one offer."""
    return Project(
        id=new_id("prj"),
        client_id=hit_type.client_id,
        spec=project_spec(hit_type, url),
        status="active",
        created_at=now(),
    )


async def _post(call: Call, hit_type: HitType) -> dict[str, Any]:
    p = call.params
    p.unsupported("HITLayoutId", "Crowdframe does not host task pages; use an ExternalQuestion")
    p.unsupported("HITLayoutParameters", "Crowdframe does not host task pages")
    p.unsupported("AssignmentReviewPolicy", "review policies are not implemented")
    p.unsupported("HITReviewPolicy", "review policies are not implemented")
    question_xml = p.text("Question", max_len=131_072)
    try:
        question = parse_question(question_xml)
    except QuestionError as exc:
        raise request_error(str(exc), "AWS.MechanicalTurk.XMLParseError") from None
    task_id = new_id("tsk")
    try:
        url = task_url(
            _page_url(call, question, task_id),
            field="ExternalURL",
            gateway_origin=call.rt.settings.public_origin,
        )
    except InvalidInput as exc:
        raise request_error(
            f"ExternalURL {exc.message}", "AWS.MechanicalTurk.XMLParseError"
        ) from None
    max_assignments = p.integer("MaxAssignments", 1, low=1, high=MAX_ASSIGNMENTS)
    lifetime = p.integer("LifetimeInSeconds", low=30, high=MAX_LIFETIME)
    annotation = p.text("RequesterAnnotation", "", max_len=255)
    token = p.text("UniqueRequestToken", None, max_len=64)

    store = call.rt.store
    project = await store.hit_type_project(hit_type.id, origin_of(url), _project_for(hit_type, url))
    created = now()
    task = Task(
        id=task_id,
        project_id=project.id,
        external_id=task_id,
        input={"requester_annotation": annotation} if annotation else {},
        status="open",
        created_at=created,
        expires_at=created + lifetime,
    )
    hit = Hit(
        task=task,
        client_id=call.client.id,
        hit_type_id=hit_type.id,
        question=question_xml,
        external_url=url,
        frame_height=question.frame_height,
        annotation=annotation,
        max_assignments=max_assignments,
        created_at=created,
    )
    await store.create_hit(hit, token)
    return {"HIT": hit_shape(await owned_hit(call, task_id), hit_type, now())}


def _page_url(call: Call, question: Question, task_id: str) -> str:
    """The page's URL: the ExternalURL, or where the content origin serves an HTMLQuestion."""
    if isinstance(question, ExternalQuestion):
        return question.url
    content_origin = call.rt.settings.content_origin
    if not content_origin:
        raise request_error(
            "HTMLQuestion is not enabled on this gateway (it needs CROWDFRAME_CONTENT_ORIGIN):"
            " serve the page yourself and send an ExternalQuestion with its ExternalURL",
            "AWS.MechanicalTurk.XMLParseError",
        )
    return content_url(content_origin, task_id)


async def create_hit(call: Call) -> dict[str, Any]:
    return await _post(call, await described_hit_type(call))


async def create_hit_with_hit_type(call: Call) -> dict[str, Any]:
    hit_type = await owned_hit_type(call, call.params.text("HITTypeId", max_len=64))
    return await _post(call, hit_type)


async def owned_hit(call: Call, hit_id: str) -> Hit:
    """The requester's HIT by its HITId (ids.py) or task id."""
    hit = await call.rt.store.get_hit(task_id_of(hit_id))
    if hit is None or hit.client_id != call.client.id:
        raise request_error(f"Hit {hit_id} does not exist.", "AWS.MechanicalTurk.HITDoesNotExist")
    return hit


async def _shaped(call: Call, hits: list[Hit]) -> list[dict[str, Any]]:
    types: dict[str, HitType] = {}
    shaped = []
    for hit in hits:
        if hit.hit_type_id not in types:
            types[hit.hit_type_id] = await owned_hit_type(call, hit.hit_type_id)
        shaped.append(hit_shape(hit, types[hit.hit_type_id], now()))
    return shaped


async def shaped_hit(call: Call, hit: Hit) -> dict[str, Any]:
    """A HIT in GetHIT's shape."""
    return (await _shaped(call, [hit]))[0]


async def get_hit(call: Call) -> dict[str, Any]:
    hit = await owned_hit(call, call.params.text("HITId", max_len=64))
    return {"HIT": await shaped_hit(call, hit)}


def _page_size(call: Call) -> int:
    size: int = call.params.integer("MaxResults", 10, low=1, high=100)
    return size


def _listing(key: str, items: list[dict[str, Any]], page: Page[Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {"NumResults": len(items), key: items}
    if page.next_cursor is not None:
        answer["NextToken"] = page.next_cursor
    return answer


async def list_hits(call: Call) -> dict[str, Any]:
    page = await call.rt.store.list_hits(
        call.client.id,
        cursor=call.params.text("NextToken", None, max_len=255),
        limit=_page_size(call),
    )
    return _listing("HITs", await _shaped(call, page.items), page)


async def list_reviewable_hits(call: Call) -> dict[str, Any]:
    """MTurk's Reviewable HITs: no more work to hand out, nothing in progress."""
    p = call.params
    status = p.text("Status", "Reviewable", max_len=20)
    if status not in ("Reviewable", "Reviewing"):
        raise request_error("Status must be Reviewable or Reviewing")
    type_id = p.text("HITTypeId", None, max_len=64)
    page = await call.rt.store.list_hits(
        call.client.id, cursor=p.text("NextToken", None, max_len=255), limit=_page_size(call)
    )
    at = now()
    hits = [
        h for h in page.items if hit_status(h, at) == status and type_id in (None, h.hit_type_id)
    ]
    return _listing("HITs", await _shaped(call, hits), page)


async def list_hits_for_qualification_type(call: Call) -> dict[str, Any]:
    """The requester's HITs whose HIT type requires the qualification type (a page of their
    HITs at a time, as ListReviewableHITs: a page may hold fewer, NextToken goes on)."""
    p = call.params
    type_id = p.text("QualificationTypeId", max_len=64)
    page = await call.rt.store.list_hits(
        call.client.id, cursor=p.text("NextToken", None, max_len=255), limit=_page_size(call)
    )
    types = {h.hit_type_id: await owned_hit_type(call, h.hit_type_id) for h in page.items}
    hits = [
        h
        for h in page.items
        if any(r.get("QualificationTypeId") == type_id for r in types[h.hit_type_id].requirements)
    ]
    return _listing("HITs", await _shaped(call, hits), page)


async def list_review_policy_results_for_hit(call: Call) -> dict[str, Any]:
    """No results, ever: a HIT with a review policy is refused when it is created."""
    p = call.params
    hit = await owned_hit(call, p.text("HITId", max_len=64))
    if any(level not in ("Assignment", "HIT") for level in p.items("PolicyLevels")):
        raise request_error("PolicyLevels are Assignment or HIT")
    p.boolean("RetrieveActions", False)
    p.boolean("RetrieveResults", False)
    p.text("NextToken", None, max_len=255)
    p.integer("MaxResults", 10, low=1, high=100)
    return {"HITId": hit_id(hit.task.id)}


async def update_hit_review_status(call: Call) -> dict[str, Any]:
    """A Reviewable HIT to Reviewing, or (Revert) back: the requester's own mark, which
    ListReviewableHITs filters on."""
    p = call.params
    hit = await owned_hit(call, p.text("HITId", max_len=64))
    revert = p.boolean("Revert", False)
    status, wanted = hit_status(hit, now()), "Reviewing" if revert else "Reviewable"
    if status != wanted:
        raise request_error(
            f"HIT {hit_id(hit.task.id)} is {status}: only a {wanted} HIT can be"
            f" {'reverted to Reviewable' if revert else 'set to Reviewing'}",
            "AWS.MechanicalTurk.InvalidHITState",
        )
    await call.rt.store.set_hit_reviewing(hit.task.id, not revert)
    return {}


async def update_expiration_for_hit(call: Call) -> dict[str, Any]:
    p = call.params
    hit = await owned_hit(call, p.text("HITId", max_len=64))
    expire_at = p.timestamp("ExpireAt")
    # A past time expires the HIT at once; workers already on it may still submit (as on MTurk).
    # A later time opens again a HIT that expired meanwhile, as MTurk did.
    at = now()
    until = max(at, min(expire_at, at + MAX_LIFETIME))
    await call.rt.store.set_task_expiry(hit.task.id, until, reopen=until > at)
    return {}


async def delete_hit(call: Call) -> dict[str, Any]:
    hit = await owned_hit(call, call.params.text("HITId", max_len=64))
    await call.rt.store.dispose_hit(hit.task.id, now=now())
    return {}


async def create_additional_assignments_for_hit(call: Call) -> dict[str, Any]:
    """More assignments on a live HIT; one whose assignments were all done opens again."""
    p = call.params
    hit = await owned_hit(call, p.text("HITId", max_len=64))
    more = p.integer("NumberOfAdditionalAssignments", low=1, high=MAX_ASSIGNMENTS)
    p.unsupported(
        "UniqueRequestToken", "a repeat would add the assignments again: send the call once"
    )
    at = now()
    if hit.disposed or hit.task.expires_at <= at:
        raise request_error(
            f"HIT {hit.task.id} has expired or was deleted: extend it with"
            " UpdateExpirationForHIT first",
            "AWS.MechanicalTurk.InvalidHITState",
        )
    if hit.max_assignments + more > MAX_ASSIGNMENTS:
        raise request_error(f"a HIT has at most {MAX_ASSIGNMENTS} assignments")
    await call.rt.store.add_hit_assignments(hit.task.id, more, now=at)
    return {}
