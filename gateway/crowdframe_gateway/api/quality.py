"""API handlers of the quality process: blocks, gold records, review in bulk."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import projects, quality, review
from ..earnings import credit_bonus
from ..errors import GatewayError, InvalidInput, NotFound
from ..records import Block, GoldStats, iso
from ..validation import Fields
from .http import current_client, json_body, reply, runtime
from .views import assignment_view

__all__ = [
    "block_worker",
    "bonus",
    "bulk_review",
    "gold_records",
    "list_blocks",
    "unblock_worker",
]

MAX_BULK = 500


def _block_view(block: Block) -> dict[str, Any]:
    return {
        "object": "block",
        "worker_id": block.worker_pseudonym,
        "project_id": block.project_id or None,
        "reason": block.reason,
        "created_at": iso(block.created_at),
    }


def _gold_view(stats: GoldStats) -> dict[str, Any]:
    return {
        "worker_id": stats.worker_pseudonym,
        "gold_answered": stats.answered,
        "gold_correct": stats.correct,
        "accuracy": None if stats.accuracy is None else round(stats.accuracy, 4),
        "stopped": stats.stopped,
    }


async def block_worker(request: Request) -> JSONResponse:
    client = await current_client(request)
    block = await quality.block_worker(
        runtime(request), client, request.path_params["worker_id"], await json_body(request)
    )
    return reply(_block_view(block), 201)


async def unblock_worker(request: Request) -> JSONResponse:
    client = await current_client(request)
    project_id = request.query_params.get("project_id", "")
    gone = await quality.unblock_worker(
        runtime(request), client, request.path_params["worker_id"], project_id
    )
    if not gone:
        raise NotFound("this worker is not blocked there", field="worker_id")
    return reply({"unblocked": True})


async def list_blocks(request: Request) -> JSONResponse:
    client = await current_client(request)
    blocks = await runtime(request).store.list_blocks(client.id)
    return reply({"data": [_block_view(b) for b in blocks], "next_cursor": None})


async def gold_records(request: Request) -> JSONResponse:
    client = await current_client(request)
    rt = runtime(request)
    project = await projects.owned_project(rt, client, request.path_params["id"])
    stats = await rt.store.gold_stats(project.id)
    return reply({"data": [_gold_view(s) for s in stats], "next_cursor": None})


async def bulk_review(request: Request) -> JSONResponse:
    """``POST /assignments/approve`` or ``/reject`` with ``{"ids": [...], "reason"?}``: each id
    is reviewed on its own; the answer lists what was done and what was refused, and why."""
    client = await current_client(request)
    body = await json_body(request)
    approving = request.url.path.endswith("/approve")
    ids = body.get("ids")
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_BULK
        or not all(isinstance(i, str) for i in ids)
    ):
        raise InvalidInput(f"ids must be a list of 1 to {MAX_BULK} assignment ids", field="ids")
    rt = runtime(request)
    done, refused = [], []
    for assignment_id in dict.fromkeys(ids):
        try:
            if approving:
                reviewed = await review.approve(rt, client, assignment_id)
            else:
                reviewed = await review.reject(
                    rt, client, assignment_id, {"reason": body.get("reason")}
                )
        except InvalidInput:
            raise
        except GatewayError as exc:
            refused.append({"id": assignment_id, **exc.to_json()})
            continue
        done.append(assignment_view(reviewed))
    return reply({"data": done, "refused": refused})


async def bonus(request: Request) -> JSONResponse:
    """``POST /assignments/{id}/bonus`` with ``{"amount_cents", "reason"}``; an
    ``Idempotency-Key`` header makes a retry pay nothing more."""
    client = await current_client(request)
    body = await json_body(request)
    f = Fields(body)
    f.reject_unknown(("amount_cents", "reason"))
    amount = f.integer("amount_cents", low=1, high=1_000_000)
    reason = f.text("reason", min_len=1, max_len=1000)
    rt = runtime(request)
    assignment = await review.owned_assignment(rt, client, request.path_params["id"])
    credit = await credit_bonus(
        rt, assignment, amount, reason, request.headers.get("idempotency-key")
    )
    return reply(
        {
            "object": "bonus",
            "assignment_id": credit.assignment_id,
            "worker_id": assignment.worker_pseudonym,
            "amount_cents": credit.amount_cents,
            "currency": credit.currency,
            "reason": credit.reason,
            "created_at": iso(credit.created_at),
        },
        201,
    )
