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

from ...records import ApiKey, Assignment, Client, Endpoint, Project, Task, Worker
from . import keys
from .codec import client_to, endpoint_to, spec_to, worker_to

__all__ = ["RedisImporter"]

_DONE = ("submitted", "approved", "rejected")


class RedisImporter:
    """Queues writes and sends them in pipelines of ``batch`` commands."""

    def __init__(self, r: redis.Redis, *, batch: int = 2000) -> None:
        self.r = r
        self.pipe = r.pipeline(transaction=False)
        self.batch = batch
        self.queued = 0
        self.message_seqs: dict[str, int] = {}  # partition -> messages imported so far

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
        self.pipe.hset(
            keys.part(project.id) + "project",
            mapping={
                "id": project.id,
                "client_id": project.client_id,
                "status": project.status,
                "created_at": repr(project.created_at),
                "spec": spec_to(project.spec),
                "per_task": project.spec.assignments_per_task,
                "seq": seq,
            },
        )
        self.pipe.zadd(keys.part(project.client_id) + "projects", {project.id: seq})
        self.pipe.zadd(keys.PROJECTS, {project.id: seq})
        self.pipe.set(keys.PROJECT_SEQ, seq)  # rows come in seq order: the last one wins
        self.pipe.sadd(keys.PARTITIONS, project.id)
        await self._queued(5)

    async def task(self, task: Task, *, seq: int, per_task: int, assigned: int) -> None:
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
        self.pipe.zadd(p + "tasks", {task.id: seq})
        self.pipe.hset(p + "ext", task.external_id, task.id)
        self.pipe.set(keys.TASK_INDEX + task.id, task.project_id)
        self.pipe.set(p + "taskseq", seq)  # new tasks sort after every imported one
        self.pipe.hincrby(p + "counts", "tasks", 1)
        if task.status in ("open", "completed"):
            self.pipe.hincrby(p + "counts", task.status, 1)
        if task.status == "open" and assigned < per_task:
            self.pipe.zadd(p + "pool", {task.id: seq})
            self.pipe.zadd(p + "poolexp", {task.id: task.expires_at})
        await self._queued(9)

    async def assignment(self, a: Assignment, seq: int) -> None:
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
        self.pipe.hset(p + "asg:" + a.id, mapping=record)
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
        await self._queued(8)

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
