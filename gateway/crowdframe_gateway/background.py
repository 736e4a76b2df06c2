"""The loops each gateway process runs beside its requests: webhook delivery, email delivery
(when the gateway sends email) and the lease sweeper."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from .conversations import report_overdue
from .core.records import now
from .mail.delivery import Postman
from .review import after_decision, verdicts
from .runtime import Runtime
from .webhooks.delivery import Deliverer

__all__ = ["Loops", "approve_overdue", "expire_overdue", "running_background"]

log = logging.getLogger("crowdframe.background")


async def approve_overdue(rt: Runtime, *, at: float) -> int:
    """Approve what nobody reviewed within its project's delay, crediting each reward, and
    cancel the crowd reviews of those answers that no reviewer started; how many."""
    approved = await rt.store.auto_approve(now=at)
    for assignment in approved:
        await after_decision(rt, assignment)
        await verdicts.after_review(rt, assignment)
    return len(approved)


async def expire_overdue(rt: Runtime, *, at: float) -> tuple[int, int]:
    """Expire accepted assignments past their deadline, returning their tasks to the pool, then
    the tasks past their lifetime that nobody holds any more (a batch of them: the next sweep
    takes the rest), with their ``task.expired`` and ``project.completed`` events; how many of
    each."""
    assignments = await rt.store.expire_assignments(now=at)
    tasks = await rt.store.expire_tasks(now=at)
    return assignments, tasks


async def _sweep(rt: Runtime) -> None:
    """Expire accepted assignments past their deadline and tasks past their lifetime
    (``expire_overdue``), approve submissions nobody reviewed within their project's
    auto-approve delay, move crowd reviews on (review/verdicts.py) and report disputes nobody
    answered in time."""
    while True:
        try:
            assignments, tasks = await expire_overdue(rt, at=now())
            if assignments or tasks:
                log.info("expired %d assignments and %d tasks", assignments, tasks)
            approved = await approve_overdue(rt, at=now())
            if approved:
                log.info("auto-approved %d submissions", approved)
            await verdicts.sweep(rt)
            await report_overdue(rt.store, at=now())
        except Exception:
            log.exception("sweeper failed; trying again")
        await asyncio.sleep(rt.settings.sweep_interval)


async def _restarting(what: str, run: Callable[[], Awaitable[None]]) -> None:
    """``run`` for good: restarted a second after each failure."""
    while True:
        try:
            await run()
        except Exception:
            log.exception("%s failed; restarting it", what)
            await asyncio.sleep(1)


@dataclass(frozen=True, slots=True)
class Loops:
    """The loops a process runs, by name (``/readyz``): each restarts itself after a failure,
    so one that ended is a process that no longer delivers or sweeps."""

    tasks: dict[str, asyncio.Task[None]]

    def alive(self) -> dict[str, bool]:
        return {name: not task.done() for name, task in self.tasks.items()}


@asynccontextmanager
async def running_background(rt: Runtime) -> AsyncIterator[Loops]:
    deliverer = Deliverer(rt)
    loops = Loops(
        {
            "delivery": asyncio.create_task(
                _restarting("delivery loop", deliverer.run), name="crowdframe-delivery"
            ),
            "sweeper": asyncio.create_task(_sweep(rt), name="crowdframe-sweeper"),
        }
    )
    postman = Postman(rt)
    if postman.sink is not None:
        loops.tasks["mail"] = asyncio.create_task(
            _restarting("email delivery loop", postman.run), name="crowdframe-mail"
        )
    tasks = list(loops.tasks.values())
    try:
        yield loops
    finally:
        for task in tasks:
            task.cancel()
        try:  # a cancellation of the shutdown itself still ends it (no suppress around it)
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await deliverer.aclose()
