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

import json
from typing import Any

from redis.asyncio.client import Pipeline

from ..catalog.redis import task_row
from ..core.errors import Conflict, NotFound
from ..core.records import ASSIGNMENT_STATUSES, Assignment, AssignmentStatus, Task
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import fields, task_from, texts

__all__ = ["CrowdReviewPart", "ProgressPart"]


class CrowdReviewPart(RedisBase):
    async def record_review(self, assignment: Assignment) -> None:
        if assignment.status not in ("approved", "rejected"):
            return
        # a set per outcome: telling a review twice counts it once
        await self.r.sadd(keys.REVIEWED + assignment.status + ":" + assignment.worker_id,
                          assignment.id)  # fmt: skip

    async def review_counts(self, worker_id: str) -> tuple[int, int]:
        pipe = self.r.pipeline(transaction=False)
        for status in ("approved", "rejected"):
            pipe.scard(keys.REVIEWED + status + ":" + worker_id)
        approved, rejected = await pipe.execute()
        return int(approved), int(rejected)

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


class ProgressPart(RedisBase):
    async def assignment_counts(
        self, client_id: str, project_id: str
    ) -> dict[AssignmentStatus, int]:
        # each status has its index ('asgs:<status>'), changed by the script that changes it
        pipe = self.r.pipeline(transaction=False)
        for status in ASSIGNMENT_STATUSES:
            pipe.zcard(keys.part(project_id) + "asgs:" + status)
        counts = await pipe.execute()
        return {s: int(n) for s, n in zip(ASSIGNMENT_STATUSES, counts, strict=True) if n}

    async def submission_hours(self, project_id: str, *, first_hour: int, hours: int) -> list[int]:
        # submit.lua adds to the hour's field of 'subhours'
        if hours <= 0:
            return []
        hours_wanted = [str(first_hour + i) for i in range(hours)]
        counts = await self.r.hmget(keys.part(project_id) + "subhours", hours_wanted)
        return [int(n) if n is not None else 0 for n in counts]

    async def latest_answers(self, project_id: str, *, limit: int) -> list[tuple[str, Any]]:
        rows = await self._eval("latest", project_id, "subs", str(limit), "task_id", "result")
        return [(task_id, json.loads(result)) for task_id, result in rows if result is not None]
