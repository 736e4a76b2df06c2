"""The quality process around each submission: gold grading, stopping, blocks, review in bulk."""

from __future__ import annotations

import hmac
import random
from typing import TYPE_CHECKING, Annotated, Any

from ..catalog import check_verdict, owned_project
from ..conversations import tell_qualified
from ..core.agreement import comparison_key
from ..core.errors import Conflict, InvalidInput
from ..core.limits import check_result_size
from ..core.params import AttemptGrade, GoldGrade, Submission
from ..core.records import SIGNALS, Assignment, Block, Client, Project, Task, now
from ..core.validation import Body, Text, read
from ..ledger import note_work
from ..review import after_submission
from ..store.base import together
from .rules import grade_gold, needed_correct

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
    return hmac.digest(key, f"address:{address}".encode(), "sha256").hex()[:24]


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
    before, others = await together(  # one round trip on Redis
        rt.store,
        rt.store.worker_history(project.id, assignment.worker_id, limit=SAME_ANSWER_RUN - 1),
        _others_on(rt, project, assignment, address),
    )
    if len(before) == SAME_ANSWER_RUN - 1 and all(r == result for r in before):
        found.append("same_answer")
    if others >= SHARED_ADDRESS_WORKERS:
        found.append("shared_address")
    return tuple(found)


async def _others_on(
    rt: Runtime, project: Project, assignment: Assignment, address: str | None
) -> int:
    """How many other workers submitted to the project from the worker's address."""
    if address is None:
        return 0
    return await rt.store.workers_on_ip(
        project.id, address_hash(rt, address), other_than=assignment.worker_id
    )


async def record_submission(
    rt: Runtime,
    assignment: Assignment,
    result: dict[str, Any],
    *,
    address: str | None = None,
    project: Project | None = None,
) -> Assignment:
    """Keep a submission with its fraud signals and, when its task is gold, its grade (or, in
    an assessment, its count in the worker's attempt), in one step of the store; then pass it
    on to crowd review (an answer to review, or a reviewer's verdict). Every way a result
    comes in passes here, so its size limit is checked here, before anything is kept.
    ``project``: the assignment's project, when the caller has just read it."""
    check_result_size(result)
    if project is None:
        project = await rt.store.get_project(assignment.project_id)
    ip_hash = None if address is None else address_hash(rt, address)
    if project is None:
        return await rt.store.submit(assignment.id, Submission(result, ip_hash=ip_hash), now=now())
    reviewing = project.spec.kind == "review"
    if reviewing:
        check_verdict(result)
    at = now()
    signals = await _signals(rt, assignment, project, result, address, at)
    # read before the submit, for its grade; a review task (never gold) after, for its status
    task = None if reviewing else await rt.store.get_task(assignment.task_id)
    attempt = _attempt_grade(project, task, result)
    for regrade in range(_REGRADES, -1, -1):
        try:
            gold = await _gold_grade(rt, project, task, assignment, result)
            done = await rt.store.submit(
                assignment.id, Submission(result, signals, ip_hash, gold, attempt), now=at
            )
            break
        except Conflict as exc:  # the worker's gold record moved on (another tab): again
            if exc.code != "gold_record_changed" or not regrade:
                raise
    await note_work(rt, done, project)  # the worker's statement: pending
    if attempt is not None:
        await _tell_if_qualified(rt, project, done)
    if reviewing:
        task = await rt.store.get_task(done.task_id)
    if task is None:
        return done
    await after_submission(rt, project, task, done)
    return done


_REGRADES = 3  # gold records changed under a submit before it gives up


async def _tell_if_qualified(rt: Runtime, project: Project, answer: Assignment) -> None:
    """The answer that ended a passed attempt earns the worker a notice (once)."""
    attempt = await rt.store.latest_attempt(project.id, answer.worker_id)
    if attempt is not None and attempt.passed and attempt.finished_at is not None:
        await tell_qualified(rt, project.id, answer.worker_id)


async def _gold_grade(
    rt: Runtime, project: Project, task: Task | None, answer: Assignment, result: dict[str, Any]
) -> GoldGrade | None:
    """The grade a gold answer gets, decided for the worker's gold record as it is now."""
    if task is None or task.gold is None or project.spec.kind == "assessment":
        return None
    return grade_gold(
        await rt.store.gold_record(project.id, answer.worker_id),
        correct=gold_matches(task.gold, result),
        min_answers=project.spec.gold_min_answers,
        min_accuracy=project.spec.gold_min_accuracy,
    )


def _attempt_grade(
    project: Project, task: Task | None, result: dict[str, Any]
) -> AttemptGrade | None:
    """An assessment question's answer, as the worker's attempt counts it."""
    if task is None or task.gold is None or project.spec.kind != "assessment":
        return None
    return AttemptGrade(
        correct=gold_matches(task.gold, result),
        needed=needed_correct(project.spec.pass_score, project.spec.test_size),
    )


class NewBlock(Body):
    """``POST /workers/{worker_id}/block``: why, and where (no project: every project)."""

    reason: Annotated[str, Text(0, 1000)] = ""
    project_id: Annotated[str, Text(0, 100)] = ""


async def block_worker(
    rt: Runtime, client: Client, worker_pseudonym: str, body: dict[str, Any]
) -> Block:
    asked = read(NewBlock, body)
    reason, project_id = asked.reason, asked.project_id
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
