"""Crowdframe's records in MTurk's response shapes (timestamps are epoch seconds in JSON 1.1)."""

from __future__ import annotations

from typing import Any

from ..core.records import Assignment, Credit, approval_due_at
from .ids import assignment_credential, hit_id, worker_id
from .questions import question_form_answers
from .records import Hit, HitType

__all__ = ["assignment_shape", "available", "bonus_shape", "hit_shape", "hit_status", "money"]

_STATUS = {"submitted": "Submitted", "approved": "Approved", "rejected": "Rejected"}


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def available(hit: Hit, now: float) -> int:
    if hit.disposed or hit.task.status != "open" or hit.task.expires_at <= now:
        return 0
    return max(0, hit.max_assignments - hit.pending - hit.submitted - hit.reviewed)


def hit_status(hit: Hit, now: float) -> str:
    if hit.disposed:
        return "Disposed"
    if available(hit, now):
        return "Assignable"
    if hit.pending:
        return "Unassignable"
    return "Reviewing" if hit.reviewing else "Reviewable"


def hit_shape(hit: Hit, hit_type: HitType, now: float) -> dict[str, Any]:
    return {
        "HITId": hit_id(hit.task.id),
        "HITTypeId": hit.hit_type_id,
        "HITGroupId": hit.task.project_id,
        "CreationTime": hit.created_at,
        "Title": hit_type.title,
        "Description": hit_type.description,
        "Question": hit.question,
        "Keywords": hit_type.keywords,
        "HITStatus": hit_status(hit, now),
        "MaxAssignments": hit.max_assignments,
        "Reward": money(hit_type.reward_cents),
        "AutoApprovalDelayInSeconds": hit_type.auto_approve_delay,
        "Expiration": hit.task.expires_at,
        "AssignmentDurationInSeconds": hit_type.assignment_duration,
        "RequesterAnnotation": hit.annotation,
        "QualificationRequirements": hit_type.requirements,
        "HITReviewStatus": "NotReviewed",
        "NumberOfAssignmentsPending": hit.pending,
        "NumberOfAssignmentsAvailable": available(hit, now),
        "NumberOfAssignmentsCompleted": hit.reviewed,
    }


def assignment_shape(
    assignment: Assignment, hit_type: HitType | None, secret_key: str
) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "AssignmentId": assignment_credential(secret_key, assignment.id),
        "WorkerId": worker_id(assignment.worker_pseudonym),
        "HITId": hit_id(assignment.task_id),
        "AssignmentStatus": _STATUS[assignment.status],
        "AcceptTime": assignment.accepted_at,
        "Deadline": assignment.deadline,
        "Answer": question_form_answers(assignment.result or {}),
    }
    if assignment.submitted_at is not None:
        shape["SubmitTime"] = assignment.submitted_at
        if hit_type is not None:
            shape["AutoApprovalTime"] = approval_due_at(
                assignment.submitted_at, hit_type.auto_approve_delay
            )
    if assignment.reviewed_at is not None:
        key = "ApprovalTime" if assignment.status == "approved" else "RejectionTime"
        shape[key] = assignment.reviewed_at
    if assignment.reject_reason is not None:
        shape["RequesterFeedback"] = assignment.reject_reason
    return shape


def bonus_shape(credit: Credit, worker_pseudonym: str, secret_key: str) -> dict[str, Any]:
    return {
        "WorkerId": worker_id(worker_pseudonym) if worker_pseudonym else "",
        "BonusAmount": money(credit.amount_cents),
        "AssignmentId": assignment_credential(secret_key, credit.assignment_id),
        "Reason": credit.reason,
        "GrantTime": credit.created_at,
    }
