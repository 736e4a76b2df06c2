"""Leases and lifetimes on Redis: a heartbeat's longer deadline (lease.lua), and the sweep that
moves tasks past their lifetime to ``expired`` (expire_tasks.lua); work/rules.py decides both."""

from __future__ import annotations

from ..catalog.redis import ClosingPart
from ..core.errors import NotFound
from ..core.records import Assignment
from ..store.redis import keys
from ..store.redis.codec import assignment_from, fields

__all__ = ["LifetimePart"]

_EXPIRE_BATCH = 50  # tasks one expire_tasks.lua looks at, at most: a script stays short


class LifetimePart(ClosingPart):
    async def extend_lease(self, assignment_id: str, *, deadline: float, was: float) -> Assignment:
        project_id, _ = await self._assignment_home(assignment_id)
        found = await self._eval("lease", project_id, assignment_id, repr(deadline), repr(was))
        if found is None:
            raise NotFound("no such assignment", field="assignment_id")
        # a later deadline leaves the project's deadline hint as it was: no later than the first
        return assignment_from(fields(found))

    async def expire_tasks(self, *, now: float) -> int:
        """Safe on every process at once: a project is swept by whoever takes its hint."""
        counts = await self._sweep(
            keys.DUE_LIFETIMES,
            "expire_tasks",
            ("task.expired", "project.completed"),
            _EXPIRE_BATCH,
            now=now,
        )
        return sum(counts)
