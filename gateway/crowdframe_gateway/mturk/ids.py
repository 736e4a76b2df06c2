"""The ``assignmentId`` an ExternalQuestion page sees: an opaque credential for one assignment.

It is ``<assignment id>.<MAC>``: only the gateway can mint one, so knowing an assignment's id (it
appears in the gateway's own URLs and logs) is not enough to submit for it. It names the same
assignment wherever MTurk showed an AssignmentId (the frame URL, externalSubmit, boto3 answers),
so requesters can keep joining their page logs with their scripts' results. It is valid while its
assignment is live: the store refuses a submission after the deadline or a second one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

__all__ = ["PREVIEW_ASSIGNMENT_ID", "assignment_credential", "assignment_from_credential"]

PREVIEW_ASSIGNMENT_ID = "ASSIGNMENT_ID_NOT_AVAILABLE"
_MAC_BYTES = 16


def _mac(secret_key: str, assignment_id: str) -> str:
    key = hmac.new(secret_key.encode(), b"crowdframe.mturk.assignment-id", hashlib.sha256).digest()
    digest = hmac.new(key, assignment_id.encode(), hashlib.sha256).digest()[:_MAC_BYTES]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def assignment_credential(secret_key: str, assignment_id: str) -> str:
    return f"{assignment_id}.{_mac(secret_key, assignment_id)}"


def assignment_from_credential(secret_key: str, credential: str) -> str | None:
    """The assignment id a credential names, or None when it is not one the gateway minted."""
    assignment_id, dot, mac = credential.rpartition(".")
    if not dot or not assignment_id or len(credential) > 200:
        return None
    if not hmac.compare_digest(mac.encode(), _mac(secret_key, assignment_id).encode()):
        return None
    return assignment_id
