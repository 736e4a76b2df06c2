"""The earnings ledger: approved rewards and bonuses, each credited to the worker once."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ..core.errors import Conflict, InvalidInput
from ..core.records import Assignment, Credit, Project, Worker, new_id, now
from .rules import bonus_line, reward_of

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["Earnings", "credit_bonus", "credit_reward", "earnings_of"]


@dataclass(frozen=True, slots=True)
class Earnings:
    """What the worker's /earnings page shows: every line, newest first, and totals."""

    credits: list[Credit]
    totals: dict[str, int]  # currency → cents


async def credit_reward(
    rt: Runtime, assignment: Assignment, project: Project | None = None
) -> Credit | None:
    """Credit an approved assignment's reward; a second call finds the first credit. None
    for a project that pays nothing (an unpaid assessment): no empty line in the ledger.
    ``project``: its project, when the caller has just read it."""
    if assignment.status != "approved":
        raise Conflict("only an approved assignment earns its reward", code="not_approved")
    if project is None:
        project = await rt.store.get_project(assignment.project_id)
    if project is None:
        raise Conflict("the assignment's project is gone", code="not_approved")
    reward = reward_of(project.spec, assignment.id)
    if reward is None:
        return None
    return await rt.store.credit(
        ledger_line(
            assignment, "reward", reward.amount_cents, reward.currency, reward.reason, reward.key
        )
    )


async def credit_bonus(
    rt: Runtime, assignment: Assignment, amount_cents: int, reason: str, request_token: str | None
) -> Credit:
    """A bonus on an assignment; with a request token, a repeat pays nothing more."""
    if amount_cents <= 0:
        raise InvalidInput("a bonus must be more than zero", field="amount")
    if assignment.status not in ("submitted", "approved", "rejected"):
        raise Conflict("a bonus needs a submitted assignment", code="not_submitted")
    project = await rt.store.get_project(assignment.project_id)
    currency = project.spec.currency if project is not None else "USD"
    key = f"bonus:{assignment.client_id}:{request_token or new_id('once')}"
    credit = await rt.store.credit(
        ledger_line(assignment, "bonus", amount_cents, currency, reason, key)
    )
    await rt.store.note_work(bonus_line(credit, assignment.project_id))  # on the statement
    return credit


def ledger_line(
    assignment: Assignment,
    kind: Literal["reward", "bonus"],
    amount_cents: int,
    currency: str,
    reason: str,
    key: str,
) -> Credit:
    """A new line of the ledger for the worker of ``assignment``."""
    return Credit(
        id=new_id("crd"),
        worker_id=assignment.worker_id,
        client_id=assignment.client_id,
        assignment_id=assignment.id,
        kind=kind,
        amount_cents=amount_cents,
        currency=currency,
        reason=reason,
        key=key,
        created_at=now(),
    )


async def earnings_of(rt: Runtime, worker: Worker) -> Earnings:
    credits = await rt.store.earnings(worker.id)
    totals: dict[str, int] = defaultdict(int)
    for credit in credits:
        totals[credit.currency] += credit.amount_cents
    return Earnings(credits, dict(totals))
