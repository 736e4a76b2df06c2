"""API handlers of the quality process: blocks, gold records, review in bulk, bonuses."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...catalog import projects
from ...core.errors import NotFound
from ...core.records import Block, Credit, GoldStats, iso
from ...ledger import BonusQuery
from ...quality import process as quality
from ...review import assignments as review
from ...review.answers import review_each
from ...review.bonuses import pay_bonus
from .bodies import BonusesQuery, BulkReview, UnblockQuery
from .http import client_call, reply
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
    project_id = call.query(UnblockQuery).project_id
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
    body = await call.read(BulkReview)
    approving = request.url.path.endswith("/approve")
    outcome = await review_each(
        call.rt, call.client, body.ids, approving=approving, reason=body.reason
    )
    refused = [{"id": assignment_id, **exc.to_json()} for assignment_id, exc in outcome.refused]
    return reply({"data": [assignment_view(a) for a in outcome.done], "refused": refused})


async def bonus(request: Request) -> JSONResponse:
    """``POST /assignments/{id}/bonus`` with ``{"amount_cents", "reason"}``; an
    ``Idempotency-Key`` header makes a retry pay nothing more."""
    call = await client_call(request)
    key = request.headers.get("idempotency-key")
    credit, assignment = await pay_bonus(call.rt, call.client, call.id, await call.body(), key)
    return reply(_bonus_view(credit, assignment.worker_pseudonym), 201)


async def list_bonuses(request: Request) -> JSONResponse:
    """``GET /bonuses``: the client's bonuses in the order they were paid, optionally of one
    task (``task_id``) or one assignment (``assignment_id``)."""
    call = await client_call(request)
    rt, client = call.rt, call.client
    asked = call.query(BonusesQuery)
    task_id, assignment_id, cursor, limit = (
        asked.task_id,
        asked.assignment_id,
        asked.cursor,
        asked.limit,
    )
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
