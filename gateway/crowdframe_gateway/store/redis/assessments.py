"""Assessments: workers' attempts at qualification tests, and the qualifications they grant.

Everything of one assessment lives in its project's partition (``try:<worker>:<n>``,
``qual:<worker>``, …): attempt_start.lua and attempt_answer.lua change it atomically, the
latter with its ``qualification.granted`` / ``.failed`` event. attempt_start.lua follows the
rules of ``exam_rules.attempt_state``, which the SQLite store calls directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...errors import InvalidInput, NotFound
from ...records import AssessmentAttempt, Qualification
from ..base import AttemptStart, Page
from . import keys
from .base import RedisBase
from .codec import attempt_from, fields, hash_of, opt_text, texts

__all__ = ["AssessmentsPart"]


class AssessmentsPart(RedisBase):
    async def start_attempt(
        self,
        project_id: str,
        worker_id: str,
        worker_pseudonym: str,
        *,
        test_size: int,
        retry_after: float,
        now: float,
    ) -> AttemptStart:
        state, found = await self._eval(
            "attempt_start", project_id, worker_id, worker_pseudonym, test_size,
            repr(float(retry_after)), repr(now), project_id,
        )  # fmt: skip
        attempt = attempt_from(fields(found)) if found else None
        return AttemptStart(state, attempt)

    async def record_attempt_answer(
        self, project_id: str, worker_id: str, *, correct: bool, needed: int, now: float
    ) -> AssessmentAttempt | None:
        client_id = await self._client_of_project(project_id)
        if client_id is None:
            raise NotFound("no such project", field="project_id")
        targets = await self._targets(client_id, ["qualification.granted", "qualification.failed"])
        ctx = self._ctx(client_id, project_id, now, targets)
        found = await self._eval("attempt_answer", project_id, ctx, worker_id, int(correct), needed)
        if found is None:
            return None
        attempt = attempt_from(fields(found))
        if attempt.finished_at is not None and any(targets.values()):
            await self._hint(keys.DUE_OUTBOX, project_id, now)
        return attempt

    async def latest_attempt(self, project_id: str, worker_id: str) -> AssessmentAttempt | None:
        p = keys.part(project_id)
        last = opt_text(await self.r.get(p + "tries:" + worker_id))
        if last is None:
            return None
        found = hash_of(await self.r.hgetall(f"{p}try:{worker_id}:{last}"))
        return attempt_from(found) if found else None

    async def unseen_questions(self, project_id: str, worker_id: str, *, now: float) -> int:
        return int(await self._eval("unseen", project_id, worker_id, repr(now)))

    async def held_qualifications(self, worker_id: str, assessment_ids: Sequence[str]) -> set[str]:
        pipe = self.r.pipeline(transaction=False)
        for assessment_id in assessment_ids:
            pipe.exists(keys.part(assessment_id) + "qual:" + worker_id)
        held = await pipe.execute()
        return {a for a, h in zip(assessment_ids, held, strict=True) if h}

    async def list_assessment_attempts(
        self, project_id: str, *, cursor: str | None, limit: int
    ) -> Page[AssessmentAttempt]:
        try:
            after = 0 if cursor is None else int(cursor)
        except ValueError:
            raise InvalidInput("not a cursor from a previous page", field="cursor") from None
        p = keys.part(project_id)
        rows: list[Any] = await self.r.zrangebyscore(
            p + "tries", f"({after}", "+inf", start=0, num=limit + 1, withscores=True
        )
        pipe = self.r.pipeline(transaction=False)
        for member, _ in rows[:limit]:
            pipe.hgetall(p + "try:" + texts([member])[0])
        items = [attempt_from(hash_of(h)) for h in await pipe.execute()]
        next_cursor = str(int(rows[limit - 1][1])) if len(rows) > limit else None
        return Page(items, next_cursor)

    async def get_qualification(self, assessment_id: str, worker_id: str) -> Qualification | None:
        h = hash_of(await self.r.hgetall(keys.part(assessment_id) + "qual:" + worker_id))
        if not h:
            return None
        return Qualification(
            assessment_id=h["assessment_id"],
            worker_id=h["worker_id"],
            worker_pseudonym=h["worker_pseudonym"],
            score=float(h["score"]),
            granted_at=float(h["granted_at"]),
        )

    async def revoke_qualification(self, assessment_id: str, worker_pseudonym: str) -> bool:
        return bool(await self._eval("qualification_revoke", assessment_id, worker_pseudonym))
