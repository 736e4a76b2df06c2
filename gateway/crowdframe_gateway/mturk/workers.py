"""Workers through MTurk's eyes: blocks (by the pseudonym the client knows), and the balance."""

from __future__ import annotations

from typing import Any

from ..conversations import Letter, known_workers, write_to_workers
from ..core.records import Block, now
from ..quality import ALL_PROJECTS
from .call import Call
from .faults import request_error
from .ids import pseudonym_of, worker_id

__all__ = [
    "SANDBOX_BALANCE",
    "create_worker_block",
    "delete_worker_block",
    "get_account_balance",
    "list_worker_blocks",
    "notify_workers",
]

# Crowdframe holds no prepaid funds. Like MTurk's sandbox, it reports a fixed 10,000.00 so the
# balance checks in requesters' scripts pass; earnings are owed through the ledger instead.
SANDBOX_BALANCE = "10000.00"


def _worker_id(call: Call) -> str:
    worker: str = call.params.text("WorkerId", max_len=64).strip()
    if not worker:
        raise request_error("WorkerId must not be empty")
    return pseudonym_of(worker)


async def create_worker_block(call: Call) -> dict[str, Any]:
    worker = _worker_id(call)
    reason = call.params.text("Reason", max_len=1024).strip()
    if not reason:
        raise request_error("Reason must say why the worker is blocked")
    await call.rt.store.block(Block(call.client.id, worker, ALL_PROJECTS, reason, now()))
    return {}


async def delete_worker_block(call: Call) -> dict[str, Any]:
    worker = _worker_id(call)
    call.params.text("Reason", "", max_len=1024)
    await call.rt.store.unblock(call.client.id, worker, "")  # unblocking twice is harmless
    return {}


async def list_worker_blocks(call: Call) -> dict[str, Any]:
    p = call.params
    token = p.text("NextToken", "0", max_len=255)
    limit = p.integer("MaxResults", 10, low=1, high=100)
    if not token.isdigit():
        raise request_error("NextToken is not one this service returned")
    start = int(token)
    # MTurk's blocks are client-wide: project-scoped blocks are Crowdframe's own
    blocks = [b for b in await call.rt.store.list_blocks(call.client.id) if not b.project_id]
    items = [
        {"WorkerId": worker_id(b.worker_pseudonym), "Reason": b.reason}
        for b in blocks[start : start + limit]
    ]
    answer: dict[str, Any] = {"NumResults": len(items), "WorkerBlocks": items}
    if start + limit < len(blocks):
        answer["NextToken"] = str(start + limit)
    return answer


async def get_account_balance(call: Call) -> dict[str, Any]:
    return {"AvailableBalance": SANDBOX_BALANCE, "OnHoldBalance": "0.00"}


MAX_NOTIFIED = 100  # WorkerIds a NotifyWorkers call names, at most (as MTurk)


async def notify_workers(call: Call) -> dict[str, Any]:
    """A message from the requester to each worker named, in their workplace inbox (their
    email is never shared): one thread each, as the REST API's ``POST /messages``. Workers who
    never worked for the requester, or muted them, are reported and not written to."""
    p = call.params
    subject = p.text("Subject", max_len=200).strip()
    text = p.text("MessageText", max_len=4096).strip()
    named = [str(w) for w in p.items("WorkerIds")]
    if not 1 <= len(named) <= MAX_NOTIFIED:
        raise request_error(f"WorkerIds must name 1 to {MAX_NOTIFIED} workers")
    pseudonyms = list(dict.fromkeys(pseudonym_of(w) for w in named))
    known = await known_workers(call.rt, call.client, pseudonyms)
    reached: set[str] = set()
    if known:
        letter = Letter(subject, text, worker_ids=tuple(known))
        reached = {t.worker_pseudonym for t in await write_to_workers(call.rt, call.client, letter)}
    failures = [
        {
            "NotifyWorkersFailureCode": "HardFailure" if p not in known else "SoftFailure",
            "NotifyWorkersFailureMessage": (
                "this worker never worked for you"
                if p not in known
                else "this worker does not take messages from you"
            ),
            "WorkerId": worker_id(p),
        }
        for p in pseudonyms
        if p not in reached
    ]
    return {"NotifyWorkersFailureStatuses": failures}
