"""The conversations context on Redis.

A client's disputes, threads and messages live in its partition (``cf:{cli_…}:``), changed by
one script each with the event it causes (``dispute_open``, ``dispute_answer``,
``dispute_report``, ``thread_post``). What belongs to a worker (their threads, notices,
rejections, opt-outs) and the operator's list of open disputes by due time are global keys,
written after the script (every write there is idempotent, so a retry mends a crash between).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from redis.asyncio.client import Pipeline

from ..core.errors import Conflict, NotFound
from ..core.page import Page, cursor_seq
from ..core.records import now
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import hash_of, opt_text, text, texts
from .records import Dispute, Notice, Thread, ThreadMessage
from .store import DisputeAnswer, DisputeQuery, ThreadMessageQuery

__all__ = ["ConversationsImport", "ConversationsPart"]

_DISPUTE_FLOATS = ("opened_at", "due_at", "answered_at", "reported_at")


def _dispute_fields(dispute: Dispute) -> list[str]:
    flat: list[str] = []
    for name, value in asdict(dispute).items():
        if value is not None:
            flat += [name, repr(value) if name in _DISPUTE_FLOATS else str(value)]
    return flat


def _dispute_from(h: dict[str, str]) -> Dispute:
    values: dict[str, Any] = dict(h)
    for name in _DISPUTE_FLOATS:
        if name in values:
            values[name] = float(values[name])
    return Dispute(**values)


def _member(client_id: str, record_id: str) -> str:
    return f"{client_id} {record_id}"


class ConversationsPart(RedisBase):
    async def _scripted(self, script: str, client_id: str, types: list[str], *args: str) -> Any:
        """Run one of this part's scripts in the client's partition, with its events."""
        at = now()
        targets = await self._targets(client_id, types)
        ctx = self._ctx(client_id, client_id, at, targets)
        answer = await self._eval(script, client_id, ctx, *args)
        if any(targets.values()):
            await self._hint(keys.DUE_OUTBOX, client_id, at)
        return answer

    # -- disputes -------------------------------------------------------------------------------

    async def open_dispute(self, dispute: Dispute, event: dict[str, Any]) -> Dispute:
        answer = await self._scripted(
            "dispute_open",
            dispute.client_id,
            ["assignment.disputed"],
            dispute.id,
            dispute.assignment_id,
            json.dumps(event),
            *_dispute_fields(dispute),
        )
        if text(answer[0]) == "exists":
            raise Conflict(
                f"this rejection was already disputed (dispute {text(answer[1])})",
                code="already_disputed",
            )
        member = _member(dispute.client_id, dispute.id)
        await self.r.zadd(keys.DISPUTES_DUE, {member: dispute.due_at})
        return dispute

    async def get_dispute(self, client_id: str, dispute_id: str) -> Dispute | None:
        h = hash_of(await self.r.hgetall(keys.part(client_id) + "dispute:" + dispute_id))
        return _dispute_from(h) if h else None

    async def dispute_of(self, client_id: str, assignment_id: str) -> Dispute | None:
        found = opt_text(await self.r.get(keys.part(client_id) + "dispute-of:" + assignment_id))
        return None if found is None else await self.get_dispute(client_id, found)

    async def list_disputes(self, client_id: str, query: DisputeQuery) -> Page[Dispute]:
        p = keys.part(client_id)
        index = p + ("disputes" if query.status is None else "disputes:" + query.status)
        rows = await self._after(index, query.cursor, query.limit)
        found = [await self.get_dispute(client_id, member) for member, _ in rows]
        items = [d for d in found[: query.limit] if d is not None]
        more = len(rows) > query.limit
        return Page(items, str(rows[query.limit - 1][1]) if more else None)

    async def _after(self, index: str, cursor: str | None, limit: int) -> list[tuple[str, int]]:
        after = f"({cursor_seq(cursor)}"
        rows: list[tuple[Any, float]] = await self.r.zrangebyscore(  # type: ignore[assignment]
            index, after, "+inf", withscores=True, start=0, num=limit + 1
        )
        return [(text(member), int(seq)) for member, seq in rows]

    async def answer_dispute(
        self, client_id: str, dispute_id: str, answer: DisputeAnswer
    ) -> Dispute:
        status = text(
            await self._eval(
                "dispute_answer",
                client_id,
                dispute_id,
                answer.status,
                answer.reply or "",
                repr(answer.at),
            )
        )
        if status == "":
            raise NotFound("no such dispute", field="dispute_id")
        await self.r.zrem(keys.DISPUTES_DUE, _member(client_id, dispute_id))
        if status != answer.status:
            raise Conflict(f"this dispute was already {status}", code="dispute_answered")
        dispute = await self.get_dispute(client_id, dispute_id)
        assert dispute is not None, "disputes are never deleted"
        return dispute

    async def overdue_disputes(self, *, now: float) -> list[Dispute]:
        members = texts(await self.r.zrangebyscore(keys.DISPUTES_DUE, "-inf", now))
        found: list[Dispute] = []
        for member in members:
            client_id, _, dispute_id = member.partition(" ")
            dispute = await self.get_dispute(client_id, dispute_id)
            if dispute is not None and dispute.status == "open":
                found.append(dispute)
            else:  # answered, and the answer's removal was lost: mend the index
                await self.r.zrem(keys.DISPUTES_DUE, member)
        return found

    async def report_overdue(self, dispute: Dispute, event: dict[str, Any], *, now: float) -> bool:
        reported = await self._scripted(
            "dispute_report",
            dispute.client_id,
            ["dispute.overdue"],
            dispute.id,
            json.dumps(event),
            repr(now),
        )
        return bool(int(reported))

    # -- threads --------------------------------------------------------------------------------

    async def post_message(
        self, thread: Thread, message: ThreadMessage, event: dict[str, Any] | None
    ) -> None:
        await self.r.hset(keys.THREAD_HOMES, thread.id, thread.client_id)
        await self._scripted(
            "thread_post",
            thread.client_id,
            ["message.received"] if event is not None else [],
            thread.id,
            json.dumps(asdict(thread)),
            message.id,
            json.dumps(asdict(message)),
            message.author,
            "" if event is None else json.dumps(event),
        )
        # the worker's threads span clients: ordered by the global counter, not the client's
        latest = await self.r.incr(keys.CONVERSATION_SEQ)
        member = _member(thread.client_id, thread.id)
        await self.r.zadd(keys.WORKER_THREADS + thread.worker_id, {member: latest})

    async def get_thread(self, thread_id: str) -> Thread | None:
        home = opt_text(await self.r.hget(keys.THREAD_HOMES, thread_id))
        if home is None:
            return None
        return await self._thread(home, thread_id)

    async def _thread(self, client_id: str, thread_id: str) -> Thread | None:
        raw = opt_text(await self.r.get(keys.part(client_id) + "thread:" + thread_id))
        return None if raw is None else Thread(**json.loads(raw))

    async def _messages(self, client_id: str, message_ids: list[str]) -> list[ThreadMessage]:
        if not message_ids:
            return []
        p = keys.part(client_id)
        found = await self.r.mget([p + "tmsg:" + m for m in message_ids])
        return [ThreadMessage(**json.loads(text(raw))) for raw in found if raw is not None]

    async def thread_messages(self, thread: Thread) -> list[ThreadMessage]:
        p = keys.part(thread.client_id)
        ids = texts(await self.r.zrange(p + "thread-messages:" + thread.id, 0, -1))
        return await self._messages(thread.client_id, ids)

    async def client_threads(
        self, client_id: str, *, limit: int, cursor: str | None
    ) -> Page[Thread]:
        rows = await self._after(keys.part(client_id) + "threads", cursor, limit)
        found = [await self._thread(client_id, member) for member, _ in rows[:limit]]
        more = len(rows) > limit
        return Page([t for t in found if t is not None], str(rows[limit - 1][1]) if more else None)

    async def worker_threads(self, worker_id: str, *, limit: int) -> list[Thread]:
        members = texts(
            await self.r.zrange(keys.WORKER_THREADS + worker_id, 0, limit - 1, desc=True)
        )
        found = []
        for member in members:
            client_id, _, thread_id = member.partition(" ")
            thread = await self._thread(client_id, thread_id)
            if thread is not None:
                found.append(thread)
        return found

    async def client_messages(
        self, client_id: str, query: ThreadMessageQuery
    ) -> Page[ThreadMessage]:
        p = keys.part(client_id)
        index = p + ("tmsgs" if query.author is None else "tmsgs:" + query.author)
        rows = await self._after(index, query.cursor, query.limit)
        items = await self._messages(client_id, [m for m, _ in rows[: query.limit]])
        more = len(rows) > query.limit
        return Page(items, str(rows[query.limit - 1][1]) if more else None)

    async def remember_contact(self, client_id: str, pseudonym: str, worker_id: str) -> None:
        await self.r.hsetnx(keys.part(client_id) + "contacts", pseudonym, worker_id)

    async def contact(self, client_id: str, pseudonym: str) -> str | None:
        return opt_text(await self.r.hget(keys.part(client_id) + "contacts", pseudonym))

    # -- the worker's side ----------------------------------------------------------------------

    async def set_mute(self, worker_id: str, client_id: str, *, muted: bool) -> None:
        key = keys.part(client_id) + "mutes"
        if muted:
            await self.r.sadd(key, worker_id)
        else:
            await self.r.srem(key, worker_id)

    async def muting_workers(self, client_id: str) -> set[str]:
        return set(texts(await self.r.smembers(keys.part(client_id) + "mutes")))

    async def add_notice(self, notice: Notice) -> bool:
        record = json.dumps(asdict(notice))
        if not await self.r.set(keys.NOTICE + notice.key, record, nx=True):
            stored = opt_text(await self.r.get(keys.NOTICE + notice.key))
            assert stored is not None, "notices are never deleted"
            kept = Notice(**json.loads(stored))
            # told once; a repeat only mends the worker's list (a crash before its write)
            await self._list_notice(kept)
            return False
        await self._list_notice(notice)
        return True

    async def _list_notice(self, notice: Notice) -> None:
        index = keys.NOTICES + notice.worker_id
        if await self.r.zscore(index, notice.key) is None:
            seq = await self.r.incr(keys.CONVERSATION_SEQ)
            await self.r.zadd(index, {notice.key: seq}, nx=True)

    async def notices(self, worker_id: str, *, limit: int) -> list[Notice]:
        found = texts(await self.r.zrange(keys.NOTICES + worker_id, 0, limit - 1, desc=True))
        if not found:
            return []
        records = await self.r.mget([keys.NOTICE + key for key in found])
        return [Notice(**json.loads(text(r))) for r in records if r is not None]

    async def note_rejection(self, worker_id: str, client_id: str, assignment_id: str) -> None:
        index = keys.REJECTIONS + worker_id
        member = _member(client_id, assignment_id)
        if await self.r.zscore(index, member) is None:
            seq = await self.r.incr(keys.CONVERSATION_SEQ)
            await self.r.zadd(index, {member: seq}, nx=True)

    async def rejections(self, worker_id: str) -> list[tuple[str, str]]:
        members = texts(await self.r.zrange(keys.REJECTIONS + worker_id, 0, -1, desc=True))
        pairs = [member.partition(" ") for member in members]
        return [(client_id, assignment_id) for client_id, _, assignment_id in pairs]

    async def set_notice_optouts(self, worker_id: str, kinds: tuple[str, ...]) -> None:
        await self.r.set(keys.NOTICE_OPTOUTS + worker_id, json.dumps(list(kinds)))

    async def notice_optouts(self, worker_id: str) -> tuple[str, ...]:
        raw = opt_text(await self.r.get(keys.NOTICE_OPTOUTS + worker_id))
        return () if raw is None else tuple(json.loads(raw))


class ConversationsImport:
    """``crowdframe migrate``'s writes of this part's records, queued on a pipeline: the same
    keys the scripts above write, without their events (the migration copies those itself).
    ``seqs`` keeps the highest order seen per counter, set last by ``counters``."""

    def __init__(self) -> None:
        self.seqs: dict[str, int] = {}

    def _saw(self, counter: str, seq: int) -> None:
        self.seqs[counter] = max(self.seqs.get(counter, 0), seq)

    def dispute(self, pipe: Pipeline, dispute: Dispute, seq: int) -> int:
        p = keys.part(dispute.client_id)
        flat = _dispute_fields(dispute)
        pipe.hset(
            p + "dispute:" + dispute.id, mapping=dict(zip(flat[::2], flat[1::2], strict=True))
        )
        pipe.set(p + "dispute-of:" + dispute.assignment_id, dispute.id)
        pipe.zadd(p + "disputes", {dispute.id: seq})
        pipe.zadd(p + "disputes:" + dispute.status, {dispute.id: seq})
        if dispute.status == "open":
            pipe.zadd(keys.DISPUTES_DUE, {_member(dispute.client_id, dispute.id): dispute.due_at})
        self._saw(p + "conversation-seq", seq)
        return 5

    def thread(self, pipe: Pipeline, thread: Thread, seq: int, latest: int) -> int:
        p = keys.part(thread.client_id)
        pipe.set(p + "thread:" + thread.id, json.dumps(asdict(thread)))
        pipe.zadd(p + "threads", {thread.id: seq})
        pipe.hset(keys.THREAD_HOMES, thread.id, thread.client_id)
        member = _member(thread.client_id, thread.id)
        pipe.zadd(keys.WORKER_THREADS + thread.worker_id, {member: latest})
        self._saw(p + "conversation-seq", seq)
        self._saw(keys.CONVERSATION_SEQ, latest)
        return 4

    def message(self, pipe: Pipeline, message: ThreadMessage, seq: int) -> int:
        p = keys.part(message.client_id)
        pipe.set(p + "tmsg:" + message.id, json.dumps(asdict(message)))
        pipe.zadd(p + "thread-messages:" + message.thread_id, {message.id: seq})
        pipe.zadd(p + "tmsgs", {message.id: seq})
        pipe.zadd(p + "tmsgs:" + message.author, {message.id: seq})
        self._saw(p + "conversation-seq", seq)
        return 4

    def worker_side(
        self,
        pipe: Pipeline,
        *,
        contact: tuple[str, str, str] | None = None,
        mute: tuple[str, str] | None = None,
        rejection: tuple[str, str, str, int] | None = None,
        optouts: tuple[str, tuple[str, ...]] | None = None,
    ) -> int:
        """One contact (client, pseudonym, worker), mute (client, worker), rejection (worker,
        client, assignment, order) or opt-out list (worker, kinds)."""
        if contact is not None:
            pipe.hset(keys.part(contact[0]) + "contacts", contact[1], contact[2])
        if mute is not None:
            pipe.sadd(keys.part(mute[0]) + "mutes", mute[1])
        if rejection is not None:
            worker_id, client_id, assignment_id, seq = rejection
            pipe.zadd(keys.REJECTIONS + worker_id, {_member(client_id, assignment_id): seq})
            self._saw(keys.CONVERSATION_SEQ, seq)
        if optouts is not None:
            pipe.set(keys.NOTICE_OPTOUTS + optouts[0], json.dumps(list(optouts[1])))
        return 1

    def notice(self, pipe: Pipeline, notice: Notice, seq: int) -> int:
        pipe.set(keys.NOTICE + notice.key, json.dumps(asdict(notice)))
        pipe.zadd(keys.NOTICES + notice.worker_id, {notice.key: seq})
        self._saw(keys.CONVERSATION_SEQ, seq)
        return 2

    def counters(self, pipe: Pipeline) -> int:
        for counter, seq in self.seqs.items():
            pipe.set(counter, seq)
        return len(self.seqs)
