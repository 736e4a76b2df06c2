"""Assessments: workers' attempts at qualification tests, and the qualifications they grant.

Everything of one assessment lives in its project's partition (``try:<worker>:<n>``,
``qual:<worker>``, …): attempt_start.lua starts an attempt atomically, and submit.lua counts
each answer in it in the submission's own script with attempt.lua, which ends the attempt at
its last answer with its ``qualification.granted`` / ``.failed`` event. Each states one rule of
``rules.py`` inside its atomic step (``attempt_state``, ``attempt_outcome``), which the SQLite
store calls directly; tests/quality_cases.py drives both stores through the same cases.

Quality: gold records, block lists, auto-approval, and what the fraud signals read.

A worker's gold record lives in the project (``gold:<worker>``, counted by submit.lua in the
submission's own script with gold.lua, which also announces a stop); a client's block list in
the client (``blocks``). Auto-approval sweeps the projects the DUE_APPROVALS hint names, as
expiry does with DUE_DEADLINES: a process takes a project, approve.lua approves what is due
(``rules.approval_due``, stated there once) and says when the next one is.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..core.page import Page, cursor_seq
from ..core.records import AssessmentAttempt, Assignment, Block, GoldStats, Qualification
from ..core.stored import QUALIFICATION
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import (
    assignment_from,
    attempt_from,
    block_from,
    fields,
    gold_from,
    hash_of,
    opt_text,
    record_to,
    texts,
)
from .rules import block_scopes
from .store import AttemptRequest, AttemptStart

__all__ = ["AssessmentsPart", "QualityPart"]


class AssessmentsPart(RedisBase):
    async def start_attempt(self, request: AttemptRequest, *, now: float) -> AttemptStart:
        state, found = await self._eval(
            "attempt_start", request.project_id, request.worker_id, request.worker_pseudonym,
            request.test_size, repr(float(request.retry_after)), repr(now), request.project_id,
            json.dumps(list(request.questions)),
        )  # fmt: skip
        attempt = attempt_from(fields(found)) if found else None
        return AttemptStart(state, attempt)

    async def latest_attempt(self, project_id: str, worker_id: str) -> AssessmentAttempt | None:
        p = keys.part(project_id)
        last = opt_text(await self.r.get(p + "tries:" + worker_id))
        if last is None:
            return None
        found = hash_of(await self.r.hgetall(f"{p}try:{worker_id}:{last}"))
        return attempt_from(found) if found else None

    async def held_qualifications(self, worker_id: str, assessment_ids: Sequence[str]) -> set[str]:
        pipe = self.r.pipeline(transaction=False)
        for assessment_id in assessment_ids:
            pipe.exists(keys.part(assessment_id) + "qual:" + worker_id)
        held = await pipe.execute()
        return {a for a, h in zip(assessment_ids, held, strict=True) if h}

    async def list_assessment_attempts(
        self, project_id: str, *, cursor: str | None, limit: int
    ) -> Page[AssessmentAttempt]:
        after = cursor_seq(cursor)
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
        return QUALIFICATION.from_hash(h)

    async def revoke_qualification(self, assessment_id: str, worker_pseudonym: str) -> bool:
        return bool(await self._eval("qualification_revoke", assessment_id, worker_pseudonym))


_APPROVE_BATCH = 200


def _block_field(worker_pseudonym: str, project_id: str) -> str:
    return json.dumps([worker_pseudonym, project_id])


class QualityPart(RedisBase):
    # -- gold -----------------------------------------------------------------------------------

    async def gold_stats(self, project_id: str) -> list[GoldStats]:
        p = keys.part(project_id)
        workers = texts(await self.r.zrange(p + "golders", 0, -1))
        pipe = self.r.pipeline(transaction=False)
        for worker_id in workers:
            pipe.hgetall(p + "gold:" + worker_id)
        found = [gold_from(hash_of(h)) for h in await pipe.execute() if h]
        return sorted(found, key=lambda g: -g.answered)  # stable: ties by first answer

    async def gold_record(self, project_id: str, worker_id: str) -> GoldStats | None:
        found = hash_of(await self.r.hgetall(keys.part(project_id) + "gold:" + worker_id))
        return gold_from(found) if found else None

    # -- blocks ---------------------------------------------------------------------------------

    async def block(self, block: Block) -> None:
        field = _block_field(block.worker_pseudonym, block.project_id)
        await self.r.hset(keys.part(block.client_id) + "blocks", field, record_to(block))

    async def unblock(self, client_id: str, worker_pseudonym: str, project_id: str) -> bool:
        field = _block_field(worker_pseudonym, project_id)
        return bool(await self.r.hdel(keys.part(client_id) + "blocks", field))

    async def list_blocks(self, client_id: str) -> list[Block]:
        found = texts(await self.r.hvals(keys.part(client_id) + "blocks"))
        return sorted((block_from(b) for b in found), key=lambda b: b.created_at)

    async def is_blocked(
        self, client_id: str, worker_id: str, worker_pseudonym: str, project_id: str
    ) -> bool:
        """Blocked by the client (from this project or all of them), or stopped on gold."""
        pipe = self.r.pipeline(transaction=False)
        scopes = block_scopes(project_id)
        pipe.hmget(
            keys.part(client_id) + "blocks", [_block_field(worker_pseudonym, s) for s in scopes]
        )
        pipe.hget(keys.part(project_id) + "gold:" + worker_id, "stopped")
        blocks, stopped = await pipe.execute()
        return any(b is not None for b in blocks) or stopped == "1"

    # -- auto-approval --------------------------------------------------------------------------

    async def auto_approve(self, *, now: float) -> list[Assignment]:
        """Approve every submission its project's auto-approve delay has passed for. Safe on
        every process at once: a project is swept by whoever takes its hint."""
        batches = await self._sweep(
            keys.DUE_APPROVALS, "approve", "assignment.approved", _APPROVE_BATCH, now=now
        )
        return [assignment_from(fields(a)) for done in batches for a in done]

    # -- what the fraud signals read ------------------------------------------------------------

    async def _latest(self, project_id: str, index: str, limit: int, *names: str) -> list[Any]:
        """Fields of the newest ``limit`` assignments in one of the project's indexes."""
        return list(await self._eval("latest", project_id, index, str(limit), *names))

    async def worker_history(
        self, project_id: str, worker_id: str, *, limit: int
    ) -> list[dict[str, Any]]:
        """The worker's latest submitted results in the project, newest first."""
        rows = await self._latest(project_id, "wsubs:" + worker_id, limit, "result")
        return [json.loads(result) for (result,) in rows if result is not None]

    async def workers_on_ip(self, project_id: str, ip_hash: str, *, other_than: str) -> int:
        """How many other workers submitted to the project from the same address."""
        pipe = self.r.pipeline(transaction=False)
        pipe.scard(keys.part(project_id) + "ip:" + ip_hash)
        pipe.sismember(keys.part(project_id) + "ip:" + ip_hash, other_than)
        count, included = await pipe.execute()
        return int(count) - int(bool(included))

    async def work_seconds(self, project_id: str, *, limit: int) -> list[float]:
        """Seconds from accept to submit of the project's latest submissions."""
        rows = await self._latest(project_id, "subs", limit, "accepted_at", "submitted_at")
        return [float(s) - float(a) for a, s in rows if a is not None and s is not None]
