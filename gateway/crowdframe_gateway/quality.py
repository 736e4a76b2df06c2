"""The quality process around each submission: gold grading, stopping, blocks, review in bulk."""

from __future__ import annotations

import random
from typing import Any

from .aggregation import comparison_key
from .errors import InvalidInput
from .projects import owned_project
from .records import Assignment, Block, Client, Project, Task, now
from .runtime import Runtime
from .validation import Fields

__all__ = [
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


async def record_submission(rt: Runtime, assignment_id: str, result: dict[str, Any]) -> Assignment:
    """Keep a submission; grade it when its task is gold."""
    done = await rt.store.submit(assignment_id, result, now=now())
    task = await rt.store.get_task(done.task_id)
    project = await rt.store.get_project(done.project_id)
    if task is not None and task.gold is not None and project is not None:
        await _grade(rt, project, task, done, result)
    return done


async def _grade(
    rt: Runtime, project: Project, task: Task, done: Assignment, result: dict[str, Any]
) -> None:
    assert task.gold is not None
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
