"""The quality process around each submission: gold grading, stopping, blocks, review in bulk."""

from __future__ import annotations

import hashlib
import hmac
import random
from typing import TYPE_CHECKING, Any

from ..catalog.crowd_review import check_verdict
from ..catalog.projects import owned_project
from ..core.agreement import comparison_key
from ..core.errors import InvalidInput
from ..core.records import SIGNALS, Assignment, Block, Client, Project, Task, now
from ..core.validation import Fields
from ..review.verdicts import after_submission
from .rules import needed_correct

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "SIGNALS",
    "address_hash",
    "block_worker",
    "gold_matches",
    "record_submission",
    "serve_gold",
    "unblock_worker",
]


def serve_gold(project: Project) -> bool:
    """Whether this claim should get a gold task: the project's share, at random, so a worker
    cannot tell gold from real work by position or timing."""
    return project.spec.gold_ratio > 0 and random.random() < project.spec.gold_ratio


def gold_matches(gold: dict[str, Any], result: dict[str, Any]) -> bool:
    """Every field of the known answer is in the result, compared by the comparison key."""
    return all(
        name in result and comparison_key(result[name]) == comparison_key(value)
        for name, value in gold.items()
    )


# Fraud signals (docs/quality.md): a submission in under a fifth of the estimated time; the
# same answer as the worker's last four; more than three other workers on the same address.
TOO_FAST_SHARE = 0.2
SAME_ANSWER_RUN = 5
SHARED_ADDRESS_WORKERS = 3


def address_hash(rt: Runtime, address: str) -> str:
    """Workers' IP addresses are compared, never stored: a keyed hash stands in for them."""
    key = rt.secret_key.encode()
    return hmac.new(key, f"address:{address}".encode(), hashlib.sha256).hexdigest()[:24]


async def _signals(
    rt: Runtime,
    assignment: Assignment,
    project: Project,
    result: dict[str, Any],
    address: str | None,
    at: float,
) -> tuple[str, ...]:
    found = []
    if at - assignment.accepted_at < TOO_FAST_SHARE * project.spec.estimated_seconds:
        found.append("too_fast")
    before = await rt.store.worker_history(
        project.id, assignment.worker_id, limit=SAME_ANSWER_RUN - 1
    )
    if len(before) == SAME_ANSWER_RUN - 1 and all(r == result for r in before):
        found.append("same_answer")
    if address is not None:
        others = await rt.store.workers_on_ip(
            project.id, address_hash(rt, address), other_than=assignment.worker_id
        )
        if others >= SHARED_ADDRESS_WORKERS:
            found.append("shared_address")
    return tuple(found)


async def record_submission(
    rt: Runtime, assignment: Assignment, result: dict[str, Any], *, address: str | None = None
) -> Assignment:
    """Keep a submission with its fraud signals; grade it when its task is gold; pass it on
    to crowd review (an answer to review, or a reviewer's verdict)."""
    project = await rt.store.get_project(assignment.project_id)
    if project is not None and project.spec.kind == "review":
        check_verdict(result)
    at = now()
    signals = (
        () if project is None else await _signals(rt, assignment, project, result, address, at)
    )
    done = await rt.store.submit(
        assignment.id,
        result,
        now=at,
        signals=signals,
        ip_hash=None if address is None else address_hash(rt, address),
    )
    task = await rt.store.get_task(done.task_id)
    if task is not None and task.gold is not None and project is not None:
        await _grade(rt, project, task, done, result)
    if task is not None and project is not None:
        await after_submission(rt, project, task, done)
    return done


async def _grade(
    rt: Runtime, project: Project, task: Task, done: Assignment, result: dict[str, Any]
) -> None:
    assert task.gold is not None
    if project.spec.kind == "assessment":  # an answer in a qualification test's attempt
        await rt.store.record_attempt_answer(
            project.id,
            done.worker_id,
            correct=gold_matches(task.gold, result),
            needed=needed_correct(project.spec.pass_score, project.spec.test_size),
            now=now(),
        )
        return
    await rt.store.record_gold(
        project.id,
        done.worker_id,
        done.worker_pseudonym,
        correct=gold_matches(task.gold, result),
        min_answers=project.spec.gold_min_answers,
        min_accuracy=project.spec.gold_min_accuracy,
    )


async def block_worker(
    rt: Runtime, client: Client, worker_pseudonym: str, body: dict[str, Any]
) -> Block:
    f = Fields(body)
    f.reject_unknown(("reason", "project_id"))
    reason = f.text("reason", "", max_len=1000)
    project_id = f.text("project_id", "", max_len=100)
    if not worker_pseudonym.startswith("wkr_") or len(worker_pseudonym) > 100:
        raise InvalidInput("not a worker id from this gateway", field="worker_id")
    if project_id:
        await owned_project(rt, client, project_id)
    block = Block(client.id, worker_pseudonym, project_id, reason, now())
    await rt.store.block(block)
    return block


async def unblock_worker(
    rt: Runtime, client: Client, worker_pseudonym: str, project_id: str
) -> bool:
    return await rt.store.unblock(client.id, worker_pseudonym, project_id)
