"""Qualification types: a requester's own, with the scores they grant workers (by the pseudonym
the requester knows); the HITs' requirements on them are decided in
``catalog.requirements`` (docs/migrate-from-mturk.md, "Qualification requirements")."""

from __future__ import annotations

import secrets
import string
from dataclasses import replace
from typing import Any

from .. import catalog
from ..core.records import now
from .call import Call
from .faults import request_error
from .ids import pseudonym_of, worker_id
from .params import Params
from .records import QualificationScore, QualificationType

__all__ = [
    "associate_qualification_with_worker",
    "create_qualification_type",
    "delete_qualification_type",
    "disassociate_qualification_from_worker",
    "get_qualification_score",
    "get_qualification_type",
    "list_qualification_requests",
    "list_qualification_types",
    "list_workers_with_qualification_type",
    "owned_qualification_type",
    "update_qualification_type",
]

_ID_CHARACTERS = string.ascii_uppercase + string.digits
_STATUSES = ("Active", "Inactive")
_NO_TESTS = (
    "Crowdframe does not host QuestionForm tests; grant scores with"
    " AssociateQualificationWithWorker, or use a Crowdframe assessment (docs/quality.md)"
)
# the system types GetQualificationType describes (their values: catalog.requirements)
_SYSTEM_NAMES = {
    catalog.requirements.LOCALE: "Worker_Locale",
    catalog.requirements.PERCENT_APPROVED: "Worker_PercentAssignmentsApproved",
    catalog.requirements.PERCENT_REJECTED: "Worker_PercentAssignmentsRejected",
    catalog.requirements.NUMBER_APPROVED: "Worker_NumberHITsApproved",
    catalog.requirements.MASTERS[0]: "Masters",
    catalog.requirements.MASTERS[1]: "Masters (sandbox)",
}


def _new_type_id() -> str:
    """Shaped like MTurk's: 30 characters of [A-Z0-9]."""
    return "3" + "".join(secrets.choice(_ID_CHARACTERS) for _ in range(29))


def _type_shape(qualification: QualificationType) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "QualificationTypeId": qualification.id,
        "CreationTime": qualification.created_at,
        "Name": qualification.name,
        "Description": qualification.description,
        "Keywords": qualification.keywords,
        "QualificationTypeStatus": qualification.status,
        # a worker cannot ask for a qualification here; an auto-granted one they hold anyway
        "IsRequestable": qualification.auto_granted,
        "AutoGranted": qualification.auto_granted,
    }
    if qualification.auto_granted:
        shape["AutoGrantedValue"] = qualification.auto_granted_value
    if qualification.retry_delay is not None:
        shape["RetryDelayInSeconds"] = qualification.retry_delay
    return shape


def _score_shape(score: QualificationScore) -> dict[str, Any]:
    return {
        "QualificationTypeId": score.type_id,
        "WorkerId": worker_id(score.worker_pseudonym),
        "GrantTime": score.granted_at,
        "IntegerValue": score.value,
        "Status": "Granted",
    }


def _refuse_tests(p: Params) -> None:
    for name in ("Test", "AnswerKey", "TestDurationInSeconds"):
        p.unsupported(name, _NO_TESTS)


def _status(p: Params, default: Any) -> Any:
    status = p.text("QualificationTypeStatus", default, max_len=20)
    if status is not None and status not in _STATUSES:
        raise request_error("QualificationTypeStatus must be Active or Inactive")
    return status


def _worker(p: Params) -> str:
    worker: str = p.text("WorkerId", max_len=64).strip()
    if not worker:
        raise request_error("WorkerId must not be empty")
    return pseudonym_of(worker)


async def owned_qualification_type(call: Call, type_id: str) -> QualificationType:
    """The requester's own type (a Disposing one too: callers say what it may still do)."""
    found = await call.rt.store.get_qualification_type(call.client.id, type_id)
    if found is None:
        raise request_error(
            f"QualificationType {type_id} does not exist.",
            "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
        )
    return found


async def _live_type(call: Call) -> QualificationType:
    found = await owned_qualification_type(
        call, call.params.text("QualificationTypeId", max_len=64)
    )
    if found.status == "Disposing":
        raise request_error(
            f"QualificationType {found.id} is being deleted.",
            "AWS.MechanicalTurk.QualificationTypeDoesNotExist",
        )
    return found


async def create_qualification_type(call: Call) -> dict[str, Any]:
    p = call.params
    _refuse_tests(p)
    name = p.text("Name", max_len=200).strip()
    if not name:
        raise request_error("Name must not be empty")
    auto_granted = p.boolean("AutoGranted", False)
    qualification = QualificationType(
        id=_new_type_id(),
        client_id=call.client.id,
        name=name,
        description=p.text("Description", max_len=2000),
        keywords=p.text("Keywords", "", max_len=1000),
        status=_status(p, None),
        retry_delay=p.integer("RetryDelayInSeconds", None, low=0, high=2**31),
        auto_granted=auto_granted,
        auto_granted_value=p.integer("AutoGrantedValue", 1, low=-(2**31), high=2**31),
        created_at=now(),
    )
    if qualification.status is None:
        raise request_error("Value null at 'QualificationTypeStatus' failed: it is required")
    await call.rt.store.create_qualification_type(qualification)
    return {"QualificationType": _type_shape(qualification)}


async def get_qualification_type(call: Call) -> dict[str, Any]:
    type_id = call.params.text("QualificationTypeId", max_len=64)
    if type_id in _SYSTEM_NAMES:
        system = {
            "QualificationTypeId": type_id,
            "Name": _SYSTEM_NAMES[type_id],
            "Description": "a system qualification, kept by Crowdframe",
            "QualificationTypeStatus": "Active",
            "IsRequestable": False,
            "AutoGranted": False,
        }
        return {"QualificationType": system}
    return {"QualificationType": _type_shape(await owned_qualification_type(call, type_id))}


def _offset_page(p: Params, items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    token = p.text("NextToken", "0", max_len=255)
    if not token.isdigit():
        raise request_error("NextToken is not one this service returned")
    start, limit = int(token), p.integer("MaxResults", 10, low=1, high=100)
    page = items[start : start + limit]
    answer: dict[str, Any] = {"NumResults": len(page), key: page}
    if start + limit < len(items):
        answer["NextToken"] = str(start + limit)
    return answer


async def list_qualification_types(call: Call) -> dict[str, Any]:
    """The requester's own types (another requester's are never listed, whatever
    MustBeOwnedByCaller says), without those being deleted."""
    p = call.params
    requestable = p.boolean("MustBeRequestable", False)
    p.boolean("MustBeOwnedByCaller", False)
    query = p.text("Query", "", max_len=1000).lower()
    found = [
        q
        for q in await call.rt.store.list_qualification_types(call.client.id)
        if q.status != "Disposing"
        and (q.auto_granted or not requestable)
        and query in f"{q.name}\n{q.description}\n{q.keywords}".lower()
    ]
    return _offset_page(p, [_type_shape(q) for q in found], "QualificationTypes")


async def list_qualification_requests(call: Call) -> dict[str, Any]:
    """Always none: workers do not ask for qualifications here (a requester grants scores, or
    makes a type AutoGranted), so a script that polls for requests finds none to answer. A
    QualificationTypeId given must name one of the requester's types."""
    p = call.params
    type_id = p.text("QualificationTypeId", "", max_len=64)
    if type_id:
        await owned_qualification_type(call, type_id)
    return _offset_page(p, [], "QualificationRequests")


async def update_qualification_type(call: Call) -> dict[str, Any]:
    p = call.params
    _refuse_tests(p)
    found = await _live_type(call)
    auto_granted = p.boolean("AutoGranted", found.auto_granted)
    updated = replace(
        found,
        description=p.text("Description", found.description, max_len=2000),
        status=_status(p, found.status),
        retry_delay=p.integer("RetryDelayInSeconds", found.retry_delay, low=0, high=2**31),
        auto_granted=auto_granted,
        auto_granted_value=p.integer(
            "AutoGrantedValue", found.auto_granted_value, low=-(2**31), high=2**31
        ),
    )
    await call.rt.store.update_qualification_type(updated)
    return {"QualificationType": _type_shape(updated)}


async def delete_qualification_type(call: Call) -> dict[str, Any]:
    """Its scores go at once; the type stays as Disposing (GetQualificationType says so), and
    a requirement on it is then met by nobody (DoesNotExist: by everybody)."""
    found = await owned_qualification_type(
        call, call.params.text("QualificationTypeId", max_len=64)
    )
    if found.status != "Disposing":
        await call.rt.store.update_qualification_type(replace(found, status="Disposing"))
    return {}


async def associate_qualification_with_worker(call: Call) -> dict[str, Any]:
    p = call.params
    found = await _live_type(call)
    score = QualificationScore(
        type_id=found.id,
        worker_pseudonym=_worker(p),
        value=p.integer("IntegerValue", 1, low=-(2**31), high=2**31),
        granted_at=now(),
    )
    p.boolean("SendNotification", False)  # workers are not notified (docs)
    await call.rt.store.set_qualification_score(call.client.id, score)
    return {}


async def disassociate_qualification_from_worker(call: Call) -> dict[str, Any]:
    p = call.params
    found = await _live_type(call)
    p.text("Reason", "", max_len=1024)
    await call.rt.store.remove_qualification_score(call.client.id, found.id, _worker(p))
    return {}


async def list_workers_with_qualification_type(call: Call) -> dict[str, Any]:
    p = call.params
    found = await _live_type(call)
    status = p.text("Status", "Granted", max_len=20)
    if status not in ("Granted", "Revoked"):
        raise request_error("Status must be Granted or Revoked")
    scores = (
        []
        if status == "Revoked"
        else await call.rt.store.qualification_scores(call.client.id, found.id)
    )  # a revoked score is not kept
    return _offset_page(p, [_score_shape(s) for s in scores], "Qualifications")


async def get_qualification_score(call: Call) -> dict[str, Any]:
    p = call.params
    found = await _live_type(call)
    worker = _worker(p)
    score = await call.rt.store.qualification_score(call.client.id, found.id, worker)
    if score is None:
        raise request_error(
            f"You requested a Qualification that does not exist: {worker_id(worker)} holds no"
            f" score on {found.id}.",
            "AWS.MechanicalTurk.QualificationDoesNotExist",
        )
    return {"Qualification": _score_shape(score)}
