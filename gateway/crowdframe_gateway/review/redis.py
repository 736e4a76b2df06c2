"""Crowd review: review tasks their submitter never gets, and the queue of answers to review.

A review task is inserted by review_task.lua, which also adds it to the submitter's
``excluded:<worker>`` in the review project (SQLite: the task's ``excluded_worker``), so claim,
peek and count never give it to them. The queue is ``reviewq`` in the work project's
partition (submit.lua adds to it); the DUE_REVIEWS hint leads the sweep to the partitions with
a visit due.

Assignments, the client's side: listings and review.

A client's assignments live in its projects' partitions. A listing reads each project's index
(a sorted set ordered by sort key: server time, then id) and merges them; the cursor is the
last sort key of a page, so pages stay stable while new assignments arrive.
"""

from __future__ import annotations

import heapq
import json
import re
from collections.abc import Callable
from typing import Any

from redis.asyncio.client import Pipeline

from ..catalog.redis import task_row
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.records import Assignment, AssignmentStatus, Task
from ..store.base import Page
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import assignment_from, fields, hash_of, task_from, texts
from ..work.redis import WorkPart

__all__ = ["CrowdReviewPart", "ReviewPart"]


class CrowdReviewPart(RedisBase):
    async def add_review_task(self, task: Task, *, excluded_worker: str) -> Task:
        row = json.dumps(task_row(task))

        def build(pipe: Pipeline) -> None:
            pipe.set(keys.TASK_INDEX + task.id, task.project_id)  # first: never dangling
            self._queue(pipe, "review_task", task.project_id, row, excluded_worker)

        answer = (await self._pipeline(build))[-1]
        if answer[0] != "ok":
            if answer[1] == "not_found":
                raise NotFound("no such project", field="project_id")
            raise Conflict(
                f"external_id {task.external_id!r} already exists in this project",
                field="external_id",
            )
        self._partitions[task.id] = task.project_id
        return task_from(fields(answer[1]))

    async def crowd_reviews_due(self, *, now: float, limit: int) -> list[str]:
        """Takes each due partition's hint, reads its due entries, and puts the hint back at
        the earliest entry left: whatever the caller does not reschedule is due again."""
        found: list[str] = []
        for project_id in await self._due_partitions(keys.DUE_REVIEWS, now, 1000):
            if len(found) >= limit:
                break
            if not await self._take(keys.DUE_REVIEWS, project_id):
                continue  # another process is reading it
            queue = keys.part(project_id) + "reviewq"
            try:
                due = texts(
                    await self.r.zrangebyscore(queue, "-inf", now, start=0, num=limit - len(found))
                )
                found.extend(due)
                for assignment_id in due:
                    self._partitions.setdefault(assignment_id, project_id)
            finally:
                first = await self.r.zrange(queue, 0, 0, withscores=True)
                if first:
                    await self._hint(keys.DUE_REVIEWS, project_id, first[0][1])
        return found

    async def schedule_crowd_review(self, assignment_id: str, *, at: float | None) -> None:
        project_id = await self._project_of(keys.ASSIGNMENT_INDEX, assignment_id)
        if project_id is None:
            return
        queue = keys.part(project_id) + "reviewq"
        if at is None:
            await self.r.zrem(queue, assignment_id)
            return
        if await self.r.zadd(queue, {assignment_id: at}, xx=True, ch=True):
            await self._hint(keys.DUE_REVIEWS, project_id, at)


_CURSOR = re.compile(r"^\d{16}:[A-Za-z0-9_.-]{1,100}$")


class ReviewPart(WorkPart):
    async def list_assignments(
        self,
        client_id: str,
        *,
        project_id: str | None,
        status: AssignmentStatus | None,
        cursor: str | None,
        limit: int,
        signal: str | None = None,
    ) -> Page[Assignment]:
        if cursor is not None and not _CURSOR.match(cursor):
            raise InvalidInput("not a cursor from a previous page", field="cursor")
        if project_id is None:
            project_ids = texts(await self.r.zrange(keys.part(client_id) + "projects", 0, -1))
        elif await self._client_of_project(project_id) == client_id:
            project_ids = [project_id]
        else:
            project_ids = []
        if signal is None:
            index = "asgs" if status is None else f"asgs:{status}"
            return await self._listing(project_ids, index, cursor, limit)
        # few submissions carry a signal: read its index, keep those in the status asked for
        return await self._listing(
            project_ids, f"sig:{signal}", cursor, limit, lambda a: status in (None, a.status)
        )

    async def _listing(
        self,
        project_ids: list[str],
        index: str,
        cursor: str | None,
        limit: int,
        keep: Callable[[Assignment], bool] | None = None,
    ) -> Page[Assignment]:
        """A page of the projects' ``index`` merged by sort key, of the assignments ``keep``
        accepts, after ``cursor``."""
        found: list[tuple[str, Assignment]] = []
        low = "-" if cursor is None else f"({cursor}"
        while True:
            pipe = self.r.pipeline(transaction=False)
            for pid in project_ids:
                pipe.zrange(keys.part(pid) + index, low, "+", bylex=True, offset=0, num=limit + 1)
            runs: list[list[str]] = await pipe.execute()
            tagged = (
                [(sort, pid) for sort in run] for pid, run in zip(project_ids, runs, strict=True)
            )
            merged = list(heapq.merge(*tagged))[: limit + 1]
            pipe = self.r.pipeline(transaction=False)
            for sort, pid in merged:
                pipe.hgetall(keys.part(pid) + "asg:" + sort[17:])
            for (sort, _), h in zip(merged, await pipe.execute(), strict=True):
                assignment = assignment_from(hash_of(h)) if h else None
                if assignment is not None and (keep is None or keep(assignment)):
                    found.append((sort, assignment))
            if len(found) > limit or len(merged) <= limit:
                break
            low = f"({merged[-1][0]}"
        page = found[:limit]
        return Page([a for _, a in page], page[-1][0] if len(found) > limit else None)

    async def review(
        self,
        assignment_id: str,
        *,
        approve: bool,
        reason: str | None,
        now: float,
        event_extra: dict[str, Any] | None = None,
    ) -> Assignment:
        target = "approved" if approve else "rejected"
        extra = json.dumps(event_extra) if event_extra else ""
        answer = await self._change(
            "review", assignment_id, [f"assignment.{target}"], now, target, reason or "", extra
        )
        return assignment_from(fields(answer[1]))
