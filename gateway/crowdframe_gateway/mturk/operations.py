"""Every operation of MTurk's requester API (2017-01-17): the supported ones mapped onto
Crowdframe's services, the others refused with the reason (docs/migrate-from-mturk.md)."""

from __future__ import annotations

from . import assignments, hit_types, hits, qualifications, workers
from .call import Operation

__all__ = ["OPERATIONS", "TARGET_PREFIX", "UNSUPPORTED"]

TARGET_PREFIX = "MTurkRequesterServiceV20170117."

OPERATIONS: dict[str, Operation] = {
    "CreateHITType": hit_types.create_hit_type,
    "CreateHIT": hits.create_hit,
    "CreateHITWithHITType": hits.create_hit_with_hit_type,
    "GetHIT": hits.get_hit,
    "ListHITs": hits.list_hits,
    "ListReviewableHITs": hits.list_reviewable_hits,
    "UpdateExpirationForHIT": hits.update_expiration_for_hit,
    "DeleteHIT": hits.delete_hit,
    "ListAssignmentsForHIT": assignments.list_assignments_for_hit,
    "GetAssignment": assignments.get_assignment,
    "ApproveAssignment": assignments.approve_assignment,
    "RejectAssignment": assignments.reject_assignment,
    "SendBonus": assignments.send_bonus,
    "ListBonusPayments": assignments.list_bonus_payments,
    "CreateWorkerBlock": workers.create_worker_block,
    "DeleteWorkerBlock": workers.delete_worker_block,
    "ListWorkerBlocks": workers.list_worker_blocks,
    "GetAccountBalance": workers.get_account_balance,
    "NotifyWorkers": workers.notify_workers,
    "CreateAdditionalAssignmentsForHIT": hits.create_additional_assignments_for_hit,
    "CreateQualificationType": qualifications.create_qualification_type,
    "GetQualificationType": qualifications.get_qualification_type,
    "ListQualificationTypes": qualifications.list_qualification_types,
    "UpdateQualificationType": qualifications.update_qualification_type,
    "DeleteQualificationType": qualifications.delete_qualification_type,
    "AssociateQualificationWithWorker": qualifications.associate_qualification_with_worker,
    "DisassociateQualificationFromWorker": qualifications.disassociate_qualification_from_worker,
    "ListWorkersWithQualificationType": qualifications.list_workers_with_qualification_type,
    "GetQualificationScore": qualifications.get_qualification_score,
    "ListQualificationRequests": qualifications.list_qualification_requests,
    "ListHITsForQualificationType": hits.list_hits_for_qualification_type,
    "ListReviewPolicyResultsForHIT": hits.list_review_policy_results_for_hit,
    "UpdateHITReviewStatus": hits.update_hit_review_status,
}

_NO_REQUESTS = (
    "workers do not request qualifications on Crowdframe: grant scores with"
    " AssociateQualificationWithWorker (or make the type AutoGranted)"
)
UNSUPPORTED: dict[str, str] = {
    "AcceptQualificationRequest": _NO_REQUESTS,
    "RejectQualificationRequest": _NO_REQUESTS,
    "GetFileUploadURL": "file uploads belong to QuestionForm, which Crowdframe does not host",
    "UpdateHITTypeOfHIT": "a HIT's settings are fixed when it is created",
    "SendTestEventNotification": (
        "notifications are Crowdframe webhooks: POST /api/v1/webhook-endpoints/{id}/test"
    ),
    "UpdateNotificationSettings": (
        "notifications are Crowdframe webhooks: register one with POST /api/v1/webhook-endpoints"
    ),
}
