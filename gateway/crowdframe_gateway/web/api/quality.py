"""API handlers of the quality process: blocks, gold records, review in bulk, bonuses."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...catalog import projects
from ...conversations import tell_bonus
from ...core.errors import GatewayError, InvalidInput, NotFound
from ...core.records import Block, Credit, GoldStats, iso
from ...core.validation import Fields
from ...ledger import BonusQuery
from ...ledger.earnings import credit_bonus
from ...quality import process as quality
from ...review import assignments as review
from .http import client_call, page_params, reply
from .views import assignment_view, page_view

__all__ = [
    "block_worker",
    "bonus",
    "bulk_review",
    "gold_records",
    "list_blocks",
    "list_bonuses",
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
    call = await client_call(request)
    worker_id = request.path_params["worker_id"]
    block = await quality.block_worker(call.rt, call.client, worker_id, await call.body())
    return reply(_block_view(block), 201)


async def unblock_worker(request: Request) -> JSONResponse:
    call = await client_call(request)
    project_id = request.query_params.get("project_id", "")
    worker_id = request.path_params["worker_id"]
    gone = await quality.unblock_worker(call.rt, call.client, worker_id, project_id)
    if not gone:
        raise NotFound("this worker is not blocked there", field="worker_id")
    return reply({"unblocked": True})


async def list_blocks(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(page_view(await call.rt.store.list_blocks(call.client.id), _block_view))


async def gold_records(request: Request) -> JSONResponse:
    call = await client_call(request)
    project = await projects.owned_project(call.rt, call.client, call.id)
    return reply(page_view(await call.rt.store.gold_stats(project.id), _gold_view))


async def bulk_review(request: Request) -> JSONResponse:
    """``POST /assignments/approve`` or ``/reject`` with ``{"ids": [...], "reason"?}``: each id
    is reviewed on its own; the answer lists what was done and what was refused, and why."""
    call = await client_call(request)
    body = await call.body()
    approving = request.url.path.endswith("/approve")
    ids = body.get("ids")
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_BULK
        or not all(isinstance(i, str) for i in ids)
    ):
        raise InvalidInput(f"ids must be a list of 1 to {MAX_BULK} assignment ids", field="ids")
    rt, client = call.rt, call.client
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
    call = await client_call(request)
    f = Fields(await call.body())
    f.reject_unknown(("amount_cents", "reason"))
    amount = f.integer("amount_cents", low=1, high=1_000_000)
    reason = f.text("reason", min_len=1, max_len=1000)
    assignment = await review.owned_assignment(call.rt, call.client, call.id)
    key = request.headers.get("idempotency-key")
    credit = await credit_bonus(call.rt, assignment, amount, reason, key)
    await tell_bonus(call.rt, credit)  # once per credit, however often the request is repeated
    return reply(_bonus_view(credit, assignment.worker_pseudonym), 201)


async def list_bonuses(request: Request) -> JSONResponse:
    """``GET /bonuses``: the client's bonuses in the order they were paid, optionally of one
    task (``task_id``) or one assignment (``assignment_id``)."""
    call = await client_call(request)
    rt, client = call.rt, call.client
    cursor, limit = page_params(request)
    task_id = request.query_params.get("task_id") or None
    assignment_id = request.query_params.get("assignment_id") or None
    if assignment_id is not None:
        await review.owned_assignment(rt, client, assignment_id)
    if task_id is not None:
        task = await rt.store.get_task(task_id)
        if task is None:
            raise NotFound("no such task", field="task_id")
        await projects.owned_project(rt, client, task.project_id)
    page = await rt.store.list_bonuses(
        client.id, BonusQuery(limit, task_id=task_id, assignment_id=assignment_id, cursor=cursor)
    )
    pseudonyms: dict[str, str] = {}
    for credit in page.items:  # the worker as this client knows them, from the assignment
        if credit.assignment_id not in pseudonyms:
            paid = await rt.store.get_assignment(credit.assignment_id)
            pseudonyms[credit.assignment_id] = "" if paid is None else paid.worker_pseudonym
    return reply(page_view(page, lambda c: _bonus_view(c, pseudonyms[c.assignment_id])))


def _bonus_view(credit: Credit, worker_pseudonym: str) -> dict[str, Any]:
    return {
        "object": "bonus",
        "assignment_id": credit.assignment_id,
        "worker_id": worker_pseudonym,
        "amount_cents": credit.amount_cents,
        "currency": credit.currency,
        "reason": credit.reason,
        "created_at": iso(credit.created_at),
    }
