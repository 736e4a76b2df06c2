"""The earnings ledger: what each worker has been credited, each line written once.

A credit is one global key named by its unique key (``cf:credit:<key>``), written with SET NX:
that is the "once". The lists that lead to it are written after, and again by every repeat (so
a crash in between is mended by the retry): the worker's earnings (``cf:earnings:<wid>``) and
the client's bonuses, all of them and by task and by assignment (``cf:{cli}:bonuses…``).
Each is a sorted set of credit keys scored by ledger order (``cf:seq:credits``).

The worker's statement of work lives in the worker's own partition (``cf:{<worker id>}:``,
``keys.WORKER_KEYS``): work_line.lua keeps a line and moves the totals in one step.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from redis.asyncio.client import Pipeline

from ..core.page import Page, cursor_seq
from ..core.records import Assignment, Credit
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import credit_from, opt_text, text, texts
from .rules import DAY_SECONDS
from .store import BonusQuery, WorkLine, WorkTotal

__all__ = ["LedgerPart"]


class LedgerPart(RedisBase):
    if TYPE_CHECKING:  # the work context's part, beside this one in the composed store

        async def get_assignment(self, assignment_id: str) -> Assignment | None: ...

    async def credit(self, credit: Credit) -> Credit:
        assignment = await self.get_assignment(credit.assignment_id)
        seq = await self.r.incr(keys.CREDIT_SEQ)
        task_id = assignment.task_id if assignment is not None else ""
        record = json.dumps({**asdict(credit), "task_id": task_id, "seq": seq})
        if not await self.r.set(keys.CREDIT + credit.key, record, nx=True):
            stored = opt_text(await self.r.get(keys.CREDIT + credit.key))
            assert stored is not None, "credits are never deleted"
            record = stored  # credited once: a repeat changes nothing
        raw: dict[str, Any] = json.loads(record)
        kept = credit_from(record)
        score = {kept.key: raw["seq"]}
        pipe = self.r.pipeline(transaction=False)
        pipe.zadd(keys.EARNINGS + kept.worker_id, score, nx=True)
        if kept.kind == "bonus":
            p = keys.part(kept.client_id)
            pipe.zadd(p + "bonuses", score, nx=True)
            pipe.zadd(p + "bonuses:asg:" + kept.assignment_id, score, nx=True)
            if raw["task_id"]:
                pipe.zadd(p + "bonuses:task:" + raw["task_id"], score, nx=True)
        await pipe.execute()
        return kept

    async def _credits(self, credit_keys: list[str]) -> list[Credit | None]:
        def build(pipe: Pipeline) -> None:
            for key in credit_keys:
                pipe.get(keys.CREDIT + key)

        return [None if t is None else credit_from(t) for t in await self._pipeline(build)]

    async def earnings(self, worker_id: str) -> list[Credit]:
        """Every credit of the worker, newest first."""
        found = texts(await self.r.zrange(keys.EARNINGS + worker_id, 0, -1, desc=True))
        return [c for c in await self._credits(found) if c is not None]

    async def note_work(self, line: WorkLine) -> bool:
        record = json.dumps(asdict(line), sort_keys=True)  # one text per line: a repeat is equal
        changed = await self._eval(
            "work_line", line.worker_id, record, line.key, line.status,
            line.currency, line.amount_cents, repr(line.submitted_at),
        )  # fmt: skip
        return bool(changed)

    async def work_lines(
        self, worker_id: str, *, limit: int, cursor: str | None = None
    ) -> Page[WorkLine]:
        p = keys.part(worker_id)
        high = "+inf" if cursor is None else f"({cursor_seq(cursor)}"
        rows: list[tuple[str, float]] = await self.r.zrevrangebyscore(  # type: ignore[assignment]
            p + "lines", high, "-inf", start=0, num=limit + 1, withscores=True
        )
        shown = rows[:limit]
        found = await self.r.mget([p + "line:" + text(aid) for aid, _ in shown]) if shown else []
        items = [WorkLine(**json.loads(text(t))) for t in found if t is not None]
        return Page(items, str(int(shown[-1][1])) if len(rows) > limit else None)

    async def work_totals(self, worker_id: str) -> list[WorkTotal]:
        kept = await self.r.hgetall(keys.part(worker_id) + "totals")
        raw = {text(k): int(v) for k, v in kept.items()}
        found = []
        for name, cents in sorted(raw.items()):
            status, _, currency = name.partition(" ")
            if currency.endswith(" #") or raw.get(name + " #", 0) <= 0:
                continue
            found.append(WorkTotal(status, currency, cents, raw[name + " #"]))  # type: ignore[arg-type]
        return found

    async def work_on(self, worker_id: str, day: int) -> int:
        start = day * DAY_SECONDS  # the submissions' index is scored by time: O(log n)
        return int(
            await self.r.zcount(
                keys.part(worker_id) + "submissions", start, f"({start + DAY_SECONDS}"
            )
        )

    async def list_bonuses(self, client_id: str, query: BonusQuery) -> Page[Credit]:
        p = keys.part(client_id)
        after = f"({cursor_seq(query.cursor)}"
        if query.assignment_id is not None:  # an assignment's bonuses are few: read them all
            index = p + "bonuses:asg:" + query.assignment_id
            rows = await self._scored(index, after, None)
            if query.task_id is not None:
                on_task = await self._scored(p + "bonuses:task:" + query.task_id, after, None)
                rows = [row for row in rows if row in on_task]
        else:
            index = p + ("bonuses" if query.task_id is None else "bonuses:task:" + query.task_id)
            rows = await self._scored(index, after, query.limit + 1)
        found = await self._credits([key for key, _ in rows])
        kept = [(c, seq) for c, (_, seq) in zip(found, rows, strict=True) if c is not None]
        page = kept[: query.limit]
        return Page([c for c, _ in page], str(page[-1][1]) if len(kept) > query.limit else None)

    async def _scored(self, index: str, after: str, limit: int | None) -> list[tuple[str, int]]:
        rows: list[tuple[str, float]] = await self.r.zrangebyscore(  # type: ignore[assignment]
            index, after, "+inf", withscores=True, start=0 if limit else None, num=limit
        )
        return [(str(key), int(seq)) for key, seq in rows]
