"""Bulk import into an empty Redis: records written straight into the key layout of ``keys``.

Used by ``crowdframe migrate``; the scripts' invariants (pool, indexes, hints) are rebuilt here
from the records, so the result is what the scripts would have built.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import redis.asyncio as redis
from redis.typing import EncodableT, FieldT

from ..catalog.redis import project_hash
from ..core.records import (
    ApiKey,
    AssessmentAttempt,
    Assignment,
    Block,
    Client,
    ClientUser,
    Credit,
    Endpoint,
    GoldStats,
    Invitation,
    Project,
    Qualification,
    Task,
    Worker,
    approval_due_at,
    hour_of,
)
from ..ledger import WorkLine
from ..mturk.records import Hit, HitType, MTurkCredential, QualificationScore, QualificationType
from ..mturk.redis import credential_hash, qualification_json, score_json
from ..store.redis import keys
from ..store.redis.codec import client_to, endpoint_to, record_to, worker_to

__all__ = ["RedisImporter"]

_DONE = ("submitted", "approved", "rejected")


class RedisImporter:
    """Queues writes and sends them in pipelines of ``batch`` commands."""

    def __init__(self, r: redis.Redis, *, batch: int = 2000) -> None:
        self.r = r
        self.pipe = r.pipeline(transaction=False)
        self.batch = batch
        self.queued = 0
        self.approve_delays: dict[str, int] = {}  # project id -> auto_approve_delay
        self.message_seqs: dict[str, int] = {}  # partition -> messages imported so far
        self.stamps: dict[str, int] = {}  # project id -> the last stamp of a task that came back

    async def is_empty(self) -> bool:
        return int(await self.r.dbsize()) == 0

    async def _queued(self, commands: int) -> None:
        self.queued += commands
        if self.queued >= self.batch:
            await self.flush()

    async def flush(self) -> None:
        await self.pipe.execute()
        self.queued = 0

    async def client(self, client: Client, api_key_hash: str) -> None:
        self.pipe.set(keys.part(client.id) + "client", client_to(client, api_key_hash))
        self.pipe.sadd(keys.PARTITIONS, client.id)
        await self._queued(2)

    async def worker(self, worker: Worker) -> None:
        self.pipe.set(keys.WORKER + worker.id, worker_to(worker))
        self.pipe.set(keys.WORKER_BY_EMAIL + worker.email, worker.id)
        await self._queued(2)

    async def project(self, project: Project, seq: int) -> None:
        self.pipe.hset(keys.part(project.id) + "project", mapping=project_hash(project, seq))
        self.pipe.zadd(keys.part(project.client_id) + "projects", {project.id: seq})
        self.pipe.zadd(keys.PROJECTS, {project.id: seq})
        if project.status == "active":  # the task list
            self.pipe.zadd(keys.ACTIVE_PROJECTS, {project.id: seq})
        self.pipe.set(keys.PROJECT_SEQ, seq)  # rows come in seq order: the last one wins
        self.pipe.sadd(keys.PARTITIONS, project.id)
        self.pipe.set(keys.part(project.id) + "lifetimes:filled", "done")  # task() fills it
        self.approve_delays[project.id] = project.spec.auto_approve_delay
        await self._queued(7)

    async def task(
        self,
        task: Task,
        *,
        seq: int,
        per_task: int,
        assigned: int,
        pooled: bool,
        came_back: int = 0,
    ) -> None:
        """A task; ``pooled`` if it is in its pool (pool.lua); ``came_back``, its stamp if it
        came back into it (0: it did not), as SQLite numbers them."""
        p = keys.part(task.project_id)
        self.pipe.hset(
            p + "task:" + task.id,
            mapping={
                "id": task.id,
                "project_id": task.project_id,
                "external_id": task.external_id,
                "input": json.dumps(task.input),
                "status": task.status,
                "created_at": repr(task.created_at),
                "expires_at": repr(task.expires_at),
                "per_task": per_task,
                "assigned": assigned,
                "seq": seq,
            },
        )
        if task.gold is not None:
            self.pipe.hset(p + "task:" + task.id, "gold", json.dumps(task.gold))
        self.pipe.zadd(p + "tasks", {task.id: seq})
        self.pipe.hset(p + "ext", task.external_id, task.id)
        self.pipe.set(keys.TASK_INDEX + task.id, task.project_id)
        self.pipe.set(p + "taskseq", seq)  # new tasks sort after every imported one
        self.pipe.hincrby(p + "counts", "tasks", 1)
        self.pipe.hincrby(p + "counts", task.status, 1)  # project.completed counts them all
        if task.status == "open" and task.gold is not None:
            self.pipe.hincrby(p + "counts", "goldopen", 1)
        if task.status == "open":  # the sweep of lifetimes (expire_tasks.lua)
            self.pipe.zadd(p + "lifetimes", {task.id: task.expires_at})
        if pooled:
            pool = "pool" if task.gold is None else "gold"
            self.pipe.zadd(p + pool, {task.id: seq})
            self.pipe.zadd(p + pool + "exp", {task.id: task.expires_at})
            self.pipe.hincrby(p + "pooled", pool, 1)
            if came_back:
                self.pipe.zadd(p + pool + "back", {task.id: came_back})
                if came_back > self.stamps.get(task.project_id, 0):  # later ones after it
                    self.stamps[task.project_id] = came_back
                    self.pipe.hset(p + "pooled", "back", came_back)
        await self._queued(15)

    async def pool_worker(
        self,
        project_id: str,
        worker_id: str,
        pool: str,
        *,
        skipped: int | None = None,
        frontier: int | None = None,
    ) -> None:
        """How many tasks of the pool the worker may not take; their claims' frontier."""
        key = keys.part(project_id) + "pw:" + worker_id
        if skipped is not None:
            self.pipe.hset(key, pool + ":skip", skipped)
        if frontier is not None:
            self.pipe.hset(key, pool + ":front", frontier)
        await self._queued(2)

    async def assignment(self, a: Assignment, seq: int, ip_hash: str | None) -> None:
        p = keys.part(a.project_id)
        sort = f"{seq:016d}:{a.id}"  # before every key a claim makes (server time)
        record: dict[FieldT, EncodableT] = {
            "id": a.id,
            "task_id": a.task_id,
            "project_id": a.project_id,
            "client_id": a.client_id,
            "worker_id": a.worker_id,
            "worker_pseudonym": a.worker_pseudonym,
            "external_id": a.external_id,
            "status": a.status,
            "accepted_at": repr(a.accepted_at),
            "deadline": repr(a.deadline),
            "sort": sort,
        }
        if a.submitted_at is not None:
            record["submitted_at"] = repr(a.submitted_at)
            record["result"] = json.dumps(a.result)
        if a.reviewed_at is not None:
            record["reviewed_at"] = repr(a.reviewed_at)
        if a.reject_reason is not None:
            record["reject_reason"] = a.reject_reason
        if a.signals:
            record["signals"] = json.dumps(list(a.signals))
        if ip_hash is not None:
            record["ip_hash"] = ip_hash
            self.pipe.sadd(p + "ip:" + ip_hash, a.worker_id)
        for signal in a.signals:
            self.pipe.zadd(p + "sig:" + signal, {sort: 0})
        self.pipe.hset(p + "asg:" + a.id, mapping=record)
        self.pipe.zadd(p + "tasgs:" + a.task_id, {sort: 0})
        self.pipe.zadd(p + "asgs", {sort: 0})
        self.pipe.zadd(p + "asgs:" + a.status, {sort: 0})
        self.pipe.set(keys.ASSIGNMENT_INDEX + a.id, a.project_id)
        self.pipe.sadd(p + "wtasks:" + a.worker_id, a.task_id)
        if a.status == "accepted":
            self.pipe.zadd(p + "live:" + a.worker_id, {a.id: int(a.accepted_at * 1_000_000)})
            self.pipe.zadd(p + "deadlines", {a.id: a.deadline})
            self.pipe.zadd(keys.DUE_DEADLINES, {a.project_id: a.deadline}, lt=True)
        if a.status in _DONE:
            self.pipe.zadd(p + "tsubs:" + a.task_id, {sort: 0})
            self.pipe.zadd(p + "subs", {sort: 0})
            self.pipe.zadd(p + "wsubs:" + a.worker_id, {sort: 0})
        if a.submitted_at is not None:
            self.pipe.hincrby(p + "subhours", str(hour_of(a.submitted_at)), 1)
        if a.status == "submitted" and a.submitted_at is not None:
            self.pipe.zadd(p + "approvals", {a.id: a.submitted_at})
            due = approval_due_at(a.submitted_at, self.approve_delays[a.project_id])
            self.pipe.zadd(keys.DUE_APPROVALS, {a.project_id: due}, lt=True)
        await self._queued(14)

    async def review_exclusion(self, project_id: str, task_id: str, worker_id: str) -> None:
        """A crowd review task its submitter never gets (as review_task.lua marks it)."""
        self.pipe.sadd(keys.part(project_id) + "excluded:" + worker_id, task_id)
        self.pipe.hset(keys.part(project_id) + "task:" + task_id, "excluded_worker", worker_id)
        await self._queued(2)

    async def crowd_review_queued(self, project_id: str, assignment_id: str, due: float) -> None:
        self.pipe.zadd(keys.part(project_id) + "reviewq", {assignment_id: due})
        self.pipe.zadd(keys.DUE_REVIEWS, {project_id: due}, lt=True)
        await self._queued(2)

    async def endpoint(self, endpoint: Endpoint) -> None:
        p = keys.part(endpoint.client_id)
        self.pipe.hset(p + "endpoints", endpoint.id, endpoint_to(endpoint))
        self.pipe.rpush(p + "endpoint-order", endpoint.id)
        self.pipe.set(keys.ENDPOINT_INDEX + endpoint.id, endpoint.client_id)
        await self._queued(3)

    @staticmethod
    def event_facts(event_id: str, client_id: str, type: str, at: float, data: str) -> str:
        return json.dumps(
            {"kind": "data", "data": data, "id": event_id, "client_id": client_id,
             "type": type, "created_at": repr(at)}
        )  # fmt: skip

    async def event(self, partition: str, event_id: str, facts: str) -> None:
        self.pipe.xadd(keys.part(partition) + "events", {"id": event_id, "event": facts})
        await self._queued(1)

    async def message(
        self, partition: str, row: dict[str, Any], facts: str, attempts: list[str]
    ) -> None:
        p = keys.part(partition)
        mid = row["id"]
        self.pipe.hset(
            p + "msg:" + mid,
            mapping={
                "id": mid,
                "event": facts,
                "endpoint": row["endpoint_id"],
                "status": row["status"],
                "attempts": row["attempts"],
                "next_attempt_at": repr(row["next_attempt_at"]),
                "created_at": repr(row["created_at"]),
            },
        )
        self.pipe.set(keys.MESSAGE_INDEX + mid, partition)  # the id does not name it
        self._message_state(partition, row)
        if attempts:
            self.pipe.rpush(p + "attempts:" + mid, *attempts)
        if row["status"] == "pending":
            self.pipe.zadd(p + "due", {mid: row["next_attempt_at"]})
            self.pipe.zadd(keys.DUE_OUTBOX, {partition: row["next_attempt_at"]}, lt=True)
        await self._queued(5)

    async def idempotency(self, client_id: str, key: str, request_hash: str, ids: str) -> None:
        self.pipe.hset(
            keys.part(client_id) + "idem:" + key,
            mapping={"request_hash": request_hash, "task_ids": ids, "project_id": ""},
        )
        await self._queued(1)

    # -- quality and the ledger -------------------------------------------------------------

    async def gold_stats(self, stats: GoldStats, order: int) -> None:
        p = keys.part(stats.project_id)
        self.pipe.hset(
            p + "gold:" + stats.worker_id,
            mapping={
                "project_id": stats.project_id,
                "worker_id": stats.worker_id,
                "worker_pseudonym": stats.worker_pseudonym,
                "answered": stats.answered,
                "correct": stats.correct,
                "stopped": int(stats.stopped),
            },
        )
        self.pipe.zadd(p + "golders", {stats.worker_id: order})
        self.pipe.set(p + "goldseq", order)  # rows come in order: the last one wins
        await self._queued(3)

    async def assessment_attempt(self, attempt: AssessmentAttempt, order: int) -> None:
        """One attempt (rows come in start order, so each worker's latest number wins)."""
        p = keys.part(attempt.project_id)
        member = f"{attempt.worker_id}:{attempt.number}"
        mapping: dict[str, str | int] = {
            "project_id": attempt.project_id,
            "worker_id": attempt.worker_id,
            "worker_pseudonym": attempt.worker_pseudonym,
            "number": attempt.number,
            "test_size": attempt.test_size,
            "started_at": repr(attempt.started_at),
            "answered": attempt.answered,
            "correct": attempt.correct,
            "questions": json.dumps(list(attempt.questions)),
        }
        if attempt.finished_at is not None:
            mapping |= {
                "finished_at": repr(attempt.finished_at),
                "passed": int(bool(attempt.passed)),
            }
        self.pipe.hset(p + "try:" + member, mapping=mapping)  # type: ignore[arg-type]
        self.pipe.set(p + "tries:" + attempt.worker_id, attempt.number)
        self.pipe.zadd(p + "tries", {member: order})
        self.pipe.set(p + "tryseq", order)
        await self._queued(4)

    async def qualification(self, granted: Qualification) -> None:
        p = keys.part(granted.assessment_id)
        self.pipe.hset(
            p + "qual:" + granted.worker_id,
            mapping={
                "assessment_id": granted.assessment_id,
                "worker_id": granted.worker_id,
                "worker_pseudonym": granted.worker_pseudonym,
                "score": repr(granted.score),
                "granted_at": repr(granted.granted_at),
            },
        )
        self.pipe.hset(p + "quals", granted.worker_pseudonym, granted.worker_id)
        await self._queued(2)

    async def block(self, block: Block) -> None:
        field = json.dumps([block.worker_pseudonym, block.project_id])
        self.pipe.hset(keys.part(block.client_id) + "blocks", field, record_to(block))
        await self._queued(1)

    async def credit(self, credit: Credit, task_id: str, seq: int) -> None:
        self.pipe.set(
            keys.CREDIT + credit.key, json.dumps({**asdict(credit), "task_id": task_id, "seq": seq})
        )
        self.pipe.set(keys.CREDIT_SEQ, seq)  # rows come in seq order: the last one wins
        self.pipe.zadd(keys.EARNINGS + credit.worker_id, {credit.key: seq})
        if credit.kind == "bonus":
            p = keys.part(credit.client_id)
            self.pipe.zadd(p + "bonuses", {credit.key: seq})
            self.pipe.zadd(p + "bonuses:asg:" + credit.assignment_id, {credit.key: seq})
            if task_id:
                self.pipe.zadd(p + "bonuses:task:" + task_id, {credit.key: seq})
        await self._queued(6)

    async def work_line(self, line: WorkLine, seq: int) -> None:
        """A line of a worker's statement, as work_line.lua keeps it (lines come in order:
        ``seq`` is each worker's order as SQLite kept it)."""
        p = keys.part(line.worker_id)
        self.pipe.set(p + "line:" + line.key, json.dumps(asdict(line), sort_keys=True))
        self.pipe.zadd(p + "lines", {line.key: seq})
        self.pipe.set(p + "lineseq", seq)  # rows come in seq order: the last one wins
        if line.status != "bonus":
            self.pipe.zadd(p + "submissions", {line.key: line.submitted_at})
        field = f"{line.status} {line.currency}"
        self.pipe.hincrby(p + "totals", field, line.amount_cents)
        self.pipe.hincrby(p + "totals", field + " #", 1)
        await self._queued(6)

    # -- MTurk compatibility ----------------------------------------------------------------

    async def mturk_credential(self, credential: MTurkCredential) -> None:
        self.pipe.set(keys.MTURK_KEY_INDEX + credential.access_key_id, credential.client_id)
        self.pipe.hset(
            keys.part(credential.client_id) + "mturk-key:" + credential.access_key_id,
            mapping=credential_hash(credential),
        )
        await self._queued(2)

    async def hit_type(self, hit_type: HitType) -> None:
        p = keys.part(hit_type.client_id)
        self.pipe.set(keys.HIT_TYPE_INDEX + hit_type.id, hit_type.client_id)
        self.pipe.hset(p + "hit-types", hit_type.id, record_to(hit_type))
        self.pipe.hset(p + "hit-type-fps", hit_type.fingerprint, hit_type.id)
        await self._queued(3)

    async def hit_type_project(
        self, client_id: str, hit_type_id: str, origin: str, project_id: str
    ) -> None:
        field = json.dumps([hit_type_id, origin])
        self.pipe.hset(keys.part(client_id) + "hit-type-projects", field, project_id)
        self.pipe.hset(keys.part(client_id) + "project-hit-types", project_id, hit_type_id)
        await self._queued(2)

    async def qualification_type(self, qualification: QualificationType) -> None:
        p = keys.part(qualification.client_id)
        self.pipe.hset(p + "qual-types", qualification.id, qualification_json(qualification))
        self.pipe.hset(p + "qual-type-names", qualification.name, qualification.id)
        await self._queued(2)

    async def qualification_score(self, client_id: str, score: QualificationScore) -> None:
        where = keys.part(client_id) + "qscores:" + score.type_id
        self.pipe.hset(where, score.worker_pseudonym, score_json(score))
        await self._queued(1)

    async def reviewed(self, worker_id: str, assignment_id: str, status: str) -> None:
        self.pipe.sadd(keys.REVIEWED + status + ":" + worker_id, assignment_id)
        await self._queued(1)

    async def hit(
        self, hit: Hit, made: str, token: str | None, seq: int, disposed_at: float | None
    ) -> None:
        """A HIT whose task is imported already; ``made`` is it as create_hit.lua takes it."""
        p, c = keys.part(hit.task.project_id), keys.part(hit.client_id)
        self.pipe.hset(p + "hit:" + hit.task.id, mapping=json.loads(made)["hit"])
        if hit.reviewing:
            self.pipe.hset(p + "hit:" + hit.task.id, "reviewing", "1")
        if disposed_at is not None:
            self.pipe.hset(p + "hit:" + hit.task.id, "disposed_at", repr(disposed_at))
        else:
            self.pipe.zadd(c + "hits", {hit.task.id: seq})
        self.pipe.set(c + "hitseq", seq)  # rows come in seq order: the last one wins
        if token is not None:
            self.pipe.hset(c + "hit-tokens", token, made)
        await self._queued(5)

    # -- keyring, delivery state, live feed (issues 3 and 4) ----------------------------------

    def _message_state(self, partition: str, row: dict[str, Any]) -> None:
        """What messages.lua keeps beside a message: its task, creation order and indexes (a
        lease in the source is dropped: the message is simply due)."""
        p = keys.part(partition)
        mid, endpoint, status = row["id"], row["endpoint_id"], row["status"]
        seq = self.message_seqs[partition] = self.message_seqs.get(partition, 0) + 1
        sort = f"{round(row['created_at'] * 1_000_000):016d}:{seq:012d}:"
        task = row.get("task_id") or ""
        self.pipe.hset(
            p + "msg:" + mid, mapping={"task": task, "seq": seq, "sort": sort, "leased_until": ""}
        )
        self.pipe.set(p + "msgseq", seq)  # rows come in order: the last one wins
        self.pipe.zadd(p + "emsgs:" + endpoint, {sort + mid: 0})
        self.pipe.zadd(p + "emsgs:" + endpoint + ":" + status, {sort + mid: 0})
        if status == "pending":
            self.pipe.zadd(p + "due:" + endpoint, {mid: row["next_attempt_at"]})
            if task:
                self.pipe.zadd(p + "tq:" + endpoint + "|" + task, {mid: seq})

    async def api_key(self, key: ApiKey, key_hash: str) -> None:
        record = json.dumps({**asdict(key), "key_hash": key_hash})
        self.pipe.hset(keys.part(key.client_id) + "apikeys", key.id, record)
        self.pipe.set(keys.API_KEY + key_hash, f"{key.client_id} {key.id}")
        await self._queued(2)

    async def client_user(self, user: ClientUser) -> None:
        self.pipe.set(keys.CLIENT_USER + user.id, json.dumps(asdict(user)))
        self.pipe.set(keys.CLIENT_USER_BY_EMAIL + user.email, user.id)
        self.pipe.zadd(keys.part(user.client_id) + "users", {user.id: user.created_at})
        await self._queued(3)

    async def invitation(self, invitation: Invitation, token_hash: str) -> None:
        self.pipe.set(keys.INVITATION + token_hash, json.dumps(asdict(invitation)))
        await self._queued(1)

    async def feed_event(self, client_id: str, event_id: str, facts: str) -> None:
        """An event in the client's live feed, in the source's order."""
        self.pipe.xadd(keys.part(client_id) + "feed", {"id": event_id, "event": facts})
        await self._queued(1)

    async def mark_fed(self, client_id: str, partitions: list[str]) -> None:
        """Every event already in the partitions is in the feed: copy none of them again."""
        await self.flush()
        for partition in partitions:
            last = await self.r.xrevrange(keys.part(partition) + "events", count=1)
            if last:
                self.pipe.hset(keys.part(client_id) + "fed", partition, last[0][0])
        await self.flush()
