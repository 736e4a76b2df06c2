"""A project's activity as its charts show it: submissions per hour over the last 7 days, the
time workers took per task, and how well the workers of a task agreed (docs/console.md,
"Charts").

Every read is bounded whatever the project's size: the hours are 168 counters kept by the
submit itself (``submission_hours``), and the times and the agreement are taken from the
project's latest answers (``work_seconds``, ``latest_answers``), at most ``ANSWERS_READ``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.agreement import aggregate
from ..core.records import HOUR, Project, hour_of

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "AGREEMENT_EDGES",
    "ANSWERS_READ",
    "HOURS_SHOWN",
    "TIME_EDGES",
    "Activity",
    "activity",
    "histogram",
    "task_agreements",
]

HOURS_SHOWN = 7 * 24  # the last 7 days, by hour
ANSWERS_READ = 500  # the latest answers the time and agreement charts are drawn from
# the buckets' lower edges after the first (which starts at 0): seconds a task took, and the
# agreement of a task's answers (1.0 alone in the last: every worker agreed)
TIME_EDGES: tuple[float, ...] = (10, 20, 30, 60, 120, 300, 600, 1800)
AGREEMENT_EDGES: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True, slots=True)
class Activity:
    first_hour: int  # hour_of the first of ``per_hour``
    per_hour: tuple[int, ...]  # submissions in each hour, oldest first, the current one last
    times: tuple[int, ...]  # answers by the time they took, in the buckets of TIME_EDGES
    median_seconds: float | None  # of the answers timed; None without any
    agreements: tuple[int, ...]  # tasks by their agreement, in the buckets of AGREEMENT_EDGES
    tasks_compared: int  # tasks with two answers or more among those read

    @property
    def hour_starts(self) -> list[float]:
        """When each hour of ``per_hour`` began (Unix seconds)."""
        return [float((self.first_hour + i) * HOUR) for i in range(len(self.per_hour))]

    @property
    def answers_timed(self) -> int:
        return sum(self.times)


def histogram(values: Iterable[float], edges: Sequence[float]) -> tuple[int, ...]:
    """How many values fall in each bucket: below ``edges[0]``, then from each edge up to the
    next, then from the last edge on."""
    counts = [0] * (len(edges) + 1)
    for value in values:
        counts[sum(value >= edge for edge in edges)] += 1
    return tuple(counts)


def task_agreements(answers: Iterable[tuple[str, Any]]) -> list[float]:
    """The agreement of each task with two answers or more: its least agreed field's share
    of the majority (``core.agreement``, the vote that completes a task); a task whose answers
    have no field to vote on is left out."""
    by_task: dict[str, list[Any]] = defaultdict(list)
    for task_id, result in answers:
        by_task[task_id].append(result)
    agreements = []
    for results in by_task.values():
        if len(results) < 2:
            continue
        summary = aggregate(results)
        if summary:
            agreements.append(min(field["agreement"] for field in summary.values()))
    return agreements


async def activity(rt: Runtime, project: Project, *, at: float) -> Activity:
    """The charts of a project already checked to be the caller's (``owned_project``), as
    they are at ``at``."""
    first = hour_of(at) - HOURS_SHOWN + 1
    per_hour = await rt.store.submission_hours(project.id, first_hour=first, hours=HOURS_SHOWN)
    seconds = await rt.store.work_seconds(project.id, limit=ANSWERS_READ)
    agreements = task_agreements(await rt.store.latest_answers(project.id, limit=ANSWERS_READ))
    return Activity(
        first_hour=first,
        per_hour=tuple(per_hour),
        times=histogram(seconds, TIME_EDGES),
        median_seconds=statistics.median(seconds) if seconds else None,
        agreements=histogram(agreements, AGREEMENT_EDGES),
        tasks_compared=len(agreements),
    )
