"""Assignments, the worker's side: what is available, claims, submissions, returns, expiry.

Every change is one script in the project's partition (claim.lua, submit.lua, release.lua,
expire.lua) that also writes the events and outbox messages it causes. The only writes outside
the partition are the assignment-id lookup (before the claim) and the due hints (after).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio.client import Pipeline

from ..core.agreement import aggregate, needs_another_answer
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.page import Page, cursor_seq
from ..core.params import AssignmentQuery, Claim, ReviewDecision, Submission
from ..core.records import (
    Assignment,
    Project,
    Task,
    hour_of,
    new_id,
)
from ..core.stored import spec_from_json
from ..store.redis import keys
from ..store.redis.codec import assignment_from, fields, hash_of, task_from, texts
from .redis_lifetimes import LifetimePart
from .rules import TASK_LIST_PAGE, Pool, claim_pools, task_list_full, task_list_page, task_list_scan

__all__ = ["WorkPart"]

_EXPIRE_BATCH = 200
_POOL_KEYS: dict[Pool, str] = {"gold": "gold", "work": "pool"}  # pool.lua's sorted sets
_CURSOR = re.compile(r"^\d{16}:[A-Za-z0-9_.-]{1,100}$")


AGAIN = "again"  # a claim's or a peek's answer when its look stopped short (pool.lua first_in)


async def until_looked(run: Callable[[], Awaitable[Any]]) -> Any:
    """A claim's or a peek's answer once its look is done: a long look goes on a script at a
    time, so ``run`` (the script) runs again while it answers ``AGAIN``."""
    while (found := await run()) == AGAIN:
        pass
    return found


class WorkPart(LifetimePart):
    async def open_projects(
        self, worker_id: str, *, now: float, after: str | None = None, limit: int = TASK_LIST_PAGE
    ) -> Page[tuple[Project, int]]:
        scan, position = task_list_scan(limit), cursor_seq(after, field="after")

        async def count(chunk: list[tuple[str, float]]) -> list[int]:
            def build(pipe: Pipeline) -> None:
                for project_id, _ in chunk:
                    self._queue(pipe, "available", project_id, worker_id, repr(now), "count")

            # a project paused since it was listed counts nothing (available.lua: nil)
            return [int(n or 0) for n in await self._pipeline(build)]

        counted: list[tuple[str, int, int]] = []
        more = True
        while more and len(counted) < scan:  # a page's worth of the index at a time
            want = min(limit, scan - len(counted))
            found: list[tuple[str, float]] = await self.r.zrangebyscore(  # type: ignore[assignment]
                keys.ACTIVE_PROJECTS, f"({position}", "+inf", start=0, num=want + 1,
                withscores=True,
            )  # fmt: skip
            chunk, more = found[:want], len(found) > want
            if not chunk:
                break
            counts = await count(chunk)
            counted += [(p, int(seq), n) for (p, seq), n in zip(chunk, counts, strict=True)]
            position = int(chunk[-1][1])
            if task_list_full(counted, limit):
                break
        page = task_list_page(counted, limit=limit, more=more)
        projects = await self._projects([project_id for project_id, _ in page.items])
        items = [(p, n) for p, (_, n) in zip(projects, page.items, strict=True) if p is not None]
        return Page(items, page.next_cursor)

    async def peek_task(self, project_id: str, worker_id: str, *, now: float) -> Task | None:
        found = await until_looked(
            lambda: self._eval("available", project_id, worker_id, repr(now), "peek")
        )
        return None if found is None else task_from(fields(found))

    async def claim(self, claim: Claim, *, now: float) -> Assignment | None:
        project_id, worker_id = claim.project_id, claim.worker_id
        client_id = await self._client_of_project(project_id)
        if client_id is None:
            return None
        targets = await self._targets(client_id, ["assignment.accepted"])
        ctx = self._ctx(client_id, project_id, now, targets)
        assignment_id = new_id("asg")

        def build(pipe: Pipeline) -> None:
            pipe.set(keys.ASSIGNMENT_INDEX + assignment_id, project_id)  # before: never dangling
            self._queue(
                pipe, "claim", project_id, ctx, worker_id, claim.worker_pseudonym, assignment_id,
                json.dumps(list(claim.questions)) if claim.questions else "",
                *(_POOL_KEYS[pool] for pool in claim_pools(gold_first=claim.gold)),
            )  # fmt: skip
            pipe.zadd(keys.DUE_DEADLINES, {project_id: now}, lt=True)
            if any(targets.values()):
                pipe.zadd(keys.DUE_OUTBOX, {project_id: now}, lt=True)

        async def claimed() -> Any:
            return (await self._pipeline(build))[1]

        found = await until_looked(claimed)
        if found is None:
            await self.r.delete(keys.ASSIGNMENT_INDEX + assignment_id)
            return None
        assignment = assignment_from(fields(found))
        self._partitions[assignment_id] = self._partitions[assignment.task_id] = project_id
        return assignment

    async def live_assignment(self, project_id: str, worker_id: str) -> Assignment | None:
        found = await self._eval("live", project_id, worker_id)
        return None if found is None else assignment_from(fields(found))

    async def get_assignment(self, assignment_id: str) -> Assignment | None:
        project_id = await self._project_of(keys.ASSIGNMENT_INDEX, assignment_id)
        if project_id is None:
            return None
        found = hash_of(await self.r.hgetall(keys.part(project_id) + "asg:" + assignment_id))
        return assignment_from(found) if found else None

    async def _change(
        self, script: str, assignment_id: str, types: list[str], now: float, *args: str
    ) -> list[Any]:
        """Run one assignment script; its events go to the client's endpoints. The script's
        answer, past its errors: ``['ok', assignment, …]``."""
        project_id, client_id = await self._assignment_home(assignment_id)
        targets = await self._targets(client_id, types)
        ctx = self._ctx(client_id, project_id, now, targets)

        def build(pipe: Pipeline) -> None:
            self._queue(pipe, script, project_id, ctx, assignment_id, *args)
            if any(targets.values()):
                pipe.zadd(keys.DUE_OUTBOX, {project_id: now}, lt=True)

        answer: list[Any] = (await self._pipeline(build))[0]
        if answer[0] in ("ok", "decide"):
            return answer
        code, status = answer[1], answer[2]
        if code == "not_found":
            raise NotFound("no such assignment", field="assignment_id")
        if code == "gold_record_changed":
            raise Conflict("the worker's gold record changed meanwhile", code=code)
        if code == "already_submitted":
            raise Conflict("this assignment was already submitted", code="already_submitted")
        if code == "not_reviewable":
            target = args[0]
            raise Conflict(
                f"only a submitted assignment can be {target}; this one is {status}",
                code="not_reviewable",
            )
        shown = "expired" if status == "accepted" else status
        raise Conflict(f"this assignment is {shown}", code="assignment_closed")

    async def submit(self, assignment_id: str, submission: Submission, *, now: float) -> Assignment:
        """Keep the submission, with its gold grade or its count in the worker's assessment
        attempt, in one script; the last answer a task needs completes it, or asks one more
        worker when the answers disagree (submit.lua asks for the decision, made here by
        core/agreement.py, and applies it only to the answers it was made for)."""
        types = ["assignment.submitted", "task.completed", "project.completed"]
        gold, attempt = submission.gold, submission.attempt
        grade: tuple[str, ...] = ("", "", "")
        if gold is not None:
            types.append("worker.stopped")
            grade = (str(int(gold.correct)), str(gold.seen), str(int(gold.stop)))
        if attempt is None:
            grade += ("", "")
        else:
            types += ["qualification.granted", "qualification.failed"]
            grade += (str(int(attempt.correct)), str(attempt.needed))
        fixed = (
            json.dumps(submission.result),
            json.dumps(list(submission.signals)),
            submission.ip_hash or "",
        )
        decision: tuple[str, str, str] = ("", "", "")
        while True:
            answer = await self._change(
                "submit", assignment_id, types, now, *fixed, *decision, *grade, str(hour_of(now))
            )
            if answer[0] == "ok":
                break
            spec_text, results = answer[1], [json.loads(r) for r in answer[2]]
            spec = spec_from_json(spec_text)
            more = needs_another_answer(
                aggregate(results),
                len(results),
                agreement_min=spec.agreement_min,
                most=spec.assignments_max,
            )
            sha = hashlib.sha1(spec_text.encode()).hexdigest()  # noqa: S324 - a version check
            decision = ("more" if more else "done", str(len(results)), sha)
        done = assignment_from(fields(answer[1]))
        await self._hint(keys.DUE_APPROVALS, done.project_id, float(answer[2]))
        if answer[3] == "1":  # on the crowd review queue
            await self._hint(keys.DUE_REVIEWS, done.project_id, now)
        return done

    async def return_assignment(self, assignment_id: str, *, now: float) -> Assignment:
        answer = await self._change("release", assignment_id, ["assignment.returned"], now)
        return assignment_from(fields(answer[1]))

    async def expire_assignments(self, *, now: float) -> int:
        """Safe on every process at once: a project is swept by whoever takes its hint."""
        counts = await self._sweep(
            keys.DUE_DEADLINES, "expire", "assignment.expired", _EXPIRE_BATCH, now=now
        )
        return sum(counts)

    # the client's side: listings and review
    async def list_assignments(self, client_id: str, query: AssignmentQuery) -> Page[Assignment]:
        project_id, status, signal = query.project_id, query.status, query.signal
        if query.cursor is not None and not _CURSOR.match(query.cursor):
            raise InvalidInput("not a cursor from a previous page", field="cursor")
        if project_id is None:
            project_ids = texts(await self.r.zrange(keys.part(client_id) + "projects", 0, -1))
        elif await self._client_of_project(project_id) == client_id:
            project_ids = [project_id]
        else:
            project_ids = []
        if signal is None:
            index = "asgs" if status is None else f"asgs:{status}"
            return await self._listing(project_ids, index, query.cursor, query.limit)
        # few submissions carry a signal: read its index, keep those in the status asked for
        return await self._listing(
            project_ids,
            f"sig:{signal}",
            query.cursor,
            query.limit,
            lambda a: status in (None, a.status),
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
        self, assignment_id: str, decision: ReviewDecision, *, now: float
    ) -> Assignment:
        target = "approved" if decision.approve else "rejected"
        extra = json.dumps(decision.event_extra) if decision.event_extra else ""
        answer = await self._change(
            "review",
            assignment_id,
            [f"assignment.{target}"],
            now,
            target,
            decision.reason or "",
            extra,
            "1" if decision.overturn else "",
        )
        return assignment_from(fields(answer[1]))

    # which gold questions of an assessment the worker may still be given
    async def unseen_questions(self, project_id: str, worker_id: str, *, now: float) -> int:
        return int(await self._eval("unseen", project_id, worker_id, repr(now)))

    async def unseen_question_ids(
        self, project_id: str, worker_id: str, *, now: float, limit: int
    ) -> list[str]:
        found = await self._eval("unseen_ids", project_id, worker_id, repr(now), limit)
        return texts(found)
