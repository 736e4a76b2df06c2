"""The ids the ``mturk`` protocol shows, shaped as MTurk's (botocore's service model and the task
servers written for it check them): ``HITId`` and ``AssignmentId`` match ``^[A-Z0-9]+$`` (at
most 64 characters), ``WorkerId`` ``^A[A-Z0-9]+$``. Each is a stable, reversible spelling of a
Crowdframe id, so every operation takes either:

- ``HITId``: the task id (``tsk_…``) in base32, without padding;
- ``WorkerId``: ``A`` and the worker's pseudonym for the client (``wkr_`` + base32, the id
  webhooks and the REST API carry), upper-cased;
- ``AssignmentId``: an opaque credential for one assignment, the assignment id in base32 and a
  MAC (26 characters) only the gateway can mint, so knowing an assignment's id (it appears in
  the gateway's own URLs and logs) is not enough to submit for it. It names the same assignment
  wherever MTurk showed an AssignmentId (the frame URL, externalSubmit, boto3 answers), so
  requesters keep joining their page logs with their scripts' results. It is valid while its
  assignment is live: the store refuses a submission after the deadline or a second one. The
  first form, ``<assignment id>.<MAC>``, is still taken.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

__all__ = [
    "PREVIEW_ASSIGNMENT_ID",
    "assignment_credential",
    "assignment_from_credential",
    "hit_id",
    "pseudonym_of",
    "task_id_of",
    "worker_id",
]

PREVIEW_ASSIGNMENT_ID = "ASSIGNMENT_ID_NOT_AVAILABLE"
_MAC_BYTES = 16
_MAC_CHARACTERS = 26  # base32 of 16 bytes, unpadded
_SHAPED = re.compile(r"^[A-Z0-9]{1,64}$")
_WORKER = re.compile(r"^A[A-Z0-9]{1,63}$")
_PSEUDONYM = "wkr_"


def _spelled(internal: str) -> str:
    return base64.b32encode(internal.encode()).decode().rstrip("=")


def _read(shaped: str) -> str | None:
    """The Crowdframe id a shaped id spells, None when it spells none."""
    if not _SHAPED.match(shaped):
        return None
    try:
        internal = base64.b32decode(shaped + "=" * (-len(shaped) % 8)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return internal if _spelled(internal) == shaped else None


def hit_id(task_id: str) -> str:
    return _spelled(task_id)


def task_id_of(value: str) -> str:
    """The task a HITId names (a plain ``tsk_…`` id is taken too); anything else is returned as
    given, for the lookup to find nothing."""
    return _read(value) or value


def worker_id(pseudonym: str) -> str:
    return "A" + pseudonym.removeprefix(_PSEUDONYM).upper()


def pseudonym_of(value: str) -> str:
    """The pseudonym a WorkerId names (a plain ``wkr_…`` one is taken too)."""
    if _WORKER.match(value):
        return _PSEUDONYM + value[1:].lower()
    return value


def _mac(secret_key: str, assignment_id: str) -> bytes:
    key = hmac.new(secret_key.encode(), b"crowdframe.mturk.assignment-id", hashlib.sha256).digest()
    return hmac.new(key, assignment_id.encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def _mac_b64(secret_key: str, assignment_id: str) -> str:
    return base64.urlsafe_b64encode(_mac(secret_key, assignment_id)).rstrip(b"=").decode()


def _mac_b32(secret_key: str, assignment_id: str) -> str:
    return base64.b32encode(_mac(secret_key, assignment_id)).decode().rstrip("=")


def assignment_credential(secret_key: str, assignment_id: str) -> str:
    return _spelled(assignment_id) + _mac_b32(secret_key, assignment_id)


def assignment_from_credential(secret_key: str, credential: str) -> str | None:
    """The assignment id a credential names, or None when it is not one the gateway minted."""
    if len(credential) > 200:
        return None
    if "." in credential:  # the first form: <assignment id>.<MAC>
        assignment_id, _, mac = credential.rpartition(".")
        expected = _mac_b64(secret_key, assignment_id) if assignment_id else ""
    else:
        assignment_id = _read(credential[:-_MAC_CHARACTERS]) or ""
        mac, expected = credential[-_MAC_CHARACTERS:], _mac_b32(secret_key, assignment_id)
    if not assignment_id or not hmac.compare_digest(mac.encode(), expected.encode()):
        return None
    return assignment_id
