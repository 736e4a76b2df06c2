"""Assignments, the client's side: listings and review.

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

from ...errors import InvalidInput
from ...records import Assignment, AssignmentStatus
from ..base import Page
from . import keys
from .codec import assignment_from, fields, hash_of, texts
from .work import WorkPart

__all__ = ["ReviewPart"]

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
