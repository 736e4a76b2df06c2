"""Assignments through MTurk's eyes: listed per HIT, reviewed, bonused; the native review path
does the work (events, webhooks and the earnings ledger are the same as for native tasks)."""

from __future__ import annotations

from typing import Any

from ..conversations import overturn_rejection, tell_bonus
from ..core.params import TaskAssignmentsQuery
from ..core.records import Assignment, AssignmentStatus
from ..ledger import BonusQuery, credit_bonus
from ..review import approve, reject_because
from .call import Call
from .faults import request_error
from .hits import owned_hit, shaped_hit
from .ids import assignment_from_credential, pseudonym_of
from .shapes import assignment_shape, bonus_shape

__all__ = [
    "approve_assignment",
    "get_assignment",
    "list_assignments_for_hit",
    "list_bonus_payments",
    "reject_assignment",
    "send_bonus",
]

_STATUSES: dict[str, AssignmentStatus] = {
    "Submitted": "submitted",
    "Approved": "approved",
    "Rejected": "rejected",
}


def _assignment_id(call: Call, value: str) -> str:
    """The AssignmentId MTurk-side answers carry (ids.py), or a plain ``asg_…`` id."""
    if value.startswith("asg_") and "." not in value:
        return value
    found = assignment_from_credential(call.rt.secret_key, value)
    if found is None:
        raise _no_such(value)
    return found


def _no_such(value: str) -> Exception:
    return request_error(
        f"Assignment {value} does not exist.", "AWS.MechanicalTurk.AssignmentDoesNotExist"
    )


async def _owned(call: Call, name: str = "AssignmentId") -> Assignment:
    value = call.params.text(name, max_len=200)
    assignment = await call.rt.store.get_assignment(_assignment_id(call, value))
    if assignment is None or assignment.client_id != call.client.id:
        raise _no_such(value)
    return assignment


async def list_assignments_for_hit(call: Call) -> dict[str, Any]:
    p = call.params
    hit = await owned_hit(call, p.text("HITId", max_len=64))
    wanted = p.items("AssignmentStatuses") or list(_STATUSES)
    if any(s not in _STATUSES for s in wanted):
        raise request_error("AssignmentStatuses are Submitted, Approved or Rejected")
    query = TaskAssignmentsQuery(
        [_STATUSES[s] for s in wanted],
        p.integer("MaxResults", 10, low=1, high=100),
        cursor=p.text("NextToken", None, max_len=255),
    )
    page = await call.rt.store.list_task_assignments(hit.task.id, query)
    hit_type = await call.rt.store.get_hit_type(hit.hit_type_id)
    items = [assignment_shape(a, hit_type, call.rt.secret_key) for a in page.items]
    answer: dict[str, Any] = {"NumResults": len(items), "Assignments": items}
    if page.next_cursor is not None:
        answer["NextToken"] = page.next_cursor
    return answer


async def get_assignment(call: Call) -> dict[str, Any]:
    assignment = await _owned(call)
    if assignment.status not in ("submitted", "approved", "rejected"):
        raise request_error(
            f"Assignment {call.params.text('AssignmentId')} has not been submitted"
            f" (it is {assignment.status}).",
            "AWS.MechanicalTurk.AssignmentDoesNotExist",
        )
    hit = await owned_hit(call, assignment.task_id)
    hit_type = await call.rt.store.get_hit_type(hit.hit_type_id)
    return {
        "Assignment": assignment_shape(assignment, hit_type, call.rt.secret_key),
        "HIT": await shaped_hit(call, hit),
    }


async def approve_assignment(call: Call) -> dict[str, Any]:
    assignment = await _owned(call)
    call.params.text("RequesterFeedback", "", max_len=1024)
    if call.params.boolean("OverrideRejection", False) and assignment.status == "rejected":
        # the rejection overturned: approved, credited once, an open dispute of it answered
        await overturn_rejection(call.rt, call.client, assignment.id)
        return {}
    await approve(call.rt, call.client, assignment.id)
    return {}


async def reject_assignment(call: Call) -> dict[str, Any]:
    assignment = await _owned(call)
    # MTurk took an empty RequesterFeedback, and scripts send one by default
    feedback = call.params.text("RequesterFeedback", max_len=1024).strip()
    await reject_because(call.rt, call.client, assignment.id, feedback)
    return {}


async def send_bonus(call: Call) -> dict[str, Any]:
    p = call.params
    assignment = await _owned(call)
    if pseudonym_of(p.text("WorkerId", max_len=64)) != assignment.worker_pseudonym:
        raise request_error(
            "WorkerId is not the worker of this assignment", "AWS.ParameterOutOfRange"
        )
    amount = p.money("BonusAmount")
    reason = p.text("Reason", max_len=1024).strip()  # may be empty, as on MTurk
    token = p.text("UniqueRequestToken", None, max_len=64)
    credit = await credit_bonus(call.rt, assignment, amount, reason, token)
    await tell_bonus(call.rt, credit)  # as the REST API does: once per credit
    return {}


async def list_bonus_payments(call: Call) -> dict[str, Any]:
    p = call.params
    hit_id = p.text("HITId", None, max_len=64)
    assignment_value = p.text("AssignmentId", None, max_len=200)
    if (hit_id is None) == (assignment_value is None):
        raise request_error("give either HITId or AssignmentId")
    task_id = assignment_id = None
    if hit_id is not None:
        task_id = (await owned_hit(call, hit_id)).task.id
    else:
        assignment_id = (await _owned(call)).id
    query = BonusQuery(
        p.integer("MaxResults", 10, low=1, high=100),
        task_id=task_id,
        assignment_id=assignment_id,
        cursor=p.text("NextToken", None, max_len=255),
    )
    page = await call.rt.store.list_bonuses(call.client.id, query)
    items = []
    for credit in page.items:
        paid = await call.rt.store.get_assignment(credit.assignment_id)
        pseudonym = paid.worker_pseudonym if paid is not None else ""
        items.append(bonus_shape(credit, pseudonym, call.rt.secret_key))
    answer: dict[str, Any] = {"NumResults": len(items), "BonusPayments": items}
    if page.next_cursor is not None:
        answer["NextToken"] = page.next_cursor
    return answer
