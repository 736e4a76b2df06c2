"""Projects, tasks and idempotent task batches.

A project is a partition (``cf:{prj_…}:``): its record, counts, tasks, the pool of tasks still
short of assignments, and every assignment. ``add_tasks`` with an Idempotency-Key crosses two
partitions (the key belongs to the client, the tasks to the project); see ``add_tasks``.

Closing tasks outside the answers: a client's cancel (``ClosingPart``, as on SQLite; work's
parts build on it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, replace

from redis.asyncio.client import Pipeline
from redis.typing import EncodableT, FieldT

from ..core.errors import Conflict, NotFound
from ..core.page import Page, cursor_seq
from ..core.records import Project, ProjectSpec, Task
from ..core.stored import spec_to_json
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import fields, hash_of, opt_text, task_from
from .store import FileUpload, PreviewTask, TaskBatch, TaskBatchResult

__all__ = ["CatalogPart", "ClosingPart", "DraftsPart", "project_hash", "task_row"]


class CatalogPart(RedisBase):
    async def create_project(self, project: Project) -> None:
        await self._new_project(project)

    async def _new_project(self, project: Project) -> None:
        """Write the project unless it exists, then the lists that lead to it: safe to repeat
        (a repeat mends lists a crash left unwritten) and to race (the first record wins)."""
        stored = opt_text(await self.r.hget(keys.part(project.id) + "project", "seq"))
        if stored is None:
            record = project_hash(project, int(await self.r.incr(keys.PROJECT_SEQ)))
            flat = [str(item) for pair in record.items() for item in pair]
            seq = int(await self._eval("new_project", project.id, *flat))
        else:
            seq = int(stored)
        pipe = self.r.pipeline(transaction=False)
        pipe.zadd(keys.part(project.client_id) + "projects", {project.id: seq}, nx=True)
        pipe.zadd(keys.PROJECTS, {project.id: seq}, nx=True)
        pipe.sadd(keys.PARTITIONS, project.id)
        await pipe.execute()
        await self._index_active([project.id])  # by the stored status: a repeat may find it paused
        self._project_clients[project.id] = project.client_id

    async def _index_active(self, partitions: Sequence[str]) -> None:
        """Bring the task list's index (``keys.ACTIVE_PROJECTS``) in line with each project's
        stored status, after a change to it (or in the sweeper's repair; a partition that is no
        project is left alone): listed while active, dropped otherwise. A dropped project's
        status is read again and a project activated meanwhile is listed again, so whichever of
        two status changes at once lands last, the index agrees with it."""
        states = await self._statuses(partitions)
        pipe = self.r.pipeline(transaction=False)
        dropped = []
        for project_id, state in zip(partitions, states, strict=True):
            if state is None:
                continue
            status, seq = state
            if status == "active":
                pipe.zadd(keys.ACTIVE_PROJECTS, {project_id: seq})
            else:
                pipe.zrem(keys.ACTIVE_PROJECTS, project_id)
                dropped.append(project_id)
        await pipe.execute()
        if dropped:
            again = await self._statuses(dropped)
            active = {p: state[1] for p, state in zip(dropped, again, strict=True)
                      if state is not None and state[0] == "active"}  # fmt: skip
            if active:
                await self.r.zadd(keys.ACTIVE_PROJECTS, active)

    async def _statuses(self, partitions: Sequence[str]) -> list[tuple[str, int] | None]:
        """(status, seq) of each project; None for a partition with no project record."""
        pipe = self.r.pipeline(transaction=False)
        for partition in partitions:
            pipe.hmget(keys.part(partition) + "project", ["status", "seq"])
        return [
            None if status is None or seq is None else (status, int(seq))
            for status, seq in await pipe.execute()
        ]

    async def get_project(self, project_id: str) -> Project | None:
        return (await self._projects([project_id]))[0]

    async def list_projects(
        self, client_id: str, *, cursor: str | None, limit: int
    ) -> Page[Project]:
        after = cursor_seq(cursor)
        rows: list[tuple[str, float]] = await self.r.zrangebyscore(  # type: ignore[assignment]
            keys.part(client_id) + "projects",
            f"({after}",
            "+inf",
            start=0,
            num=limit + 1,
            withscores=True,
        )
        found = await self._projects([project_id for project_id, _ in rows[:limit]])
        items = [p for p in found if p is not None]
        return Page(items, str(int(rows[limit - 1][1])) if len(rows) > limit else None)

    async def update_project(self, project_id: str, spec: ProjectSpec, status: str) -> Project:
        key = keys.part(project_id) + "project"
        if not await self.r.exists(key):
            raise NotFound("no such project", field="project_id")
        fields = {
            "spec": spec_to_json(spec),
            "status": status,
            "per_task": spec.assignments_per_task,
        }
        await self.r.hset(key, mapping=fields)  # type: ignore[arg-type]
        await self._index_active([project_id])
        # a shorter auto-approve delay makes submissions due sooner: lower the hint to match
        first: list[tuple[str, float]] = await self.r.zrange(  # type: ignore[assignment]
            keys.part(project_id) + "approvals", 0, 0, withscores=True
        )
        if first:
            await self._hint(keys.DUE_APPROVALS, project_id, spec.approval_due_at(first[0][1]))
        project = await self.get_project(project_id)
        assert project is not None
        return project

    async def add_tasks(self, client_id: str, project_id: str, batch: TaskBatch) -> TaskBatchResult:
        """Insert a batch, all or nothing; with an idempotency key, at most once.

        The key is reserved in the client's partition first, with the batch's task ids; the
        batch script then inserts the tasks unless its first task exists. A request that finds
        the key reserved (a retry, or a concurrent twin) runs the batch script with the
        reserved ids: it completes a batch whose first request died in between, or finds it
        done. A refused batch (an external_id clash) releases the key again.
        """
        tasks, idempotency_key = batch.tasks, batch.idempotency_key
        ids = json.dumps([t.id for t in tasks])
        replayed = False
        if idempotency_key is not None:
            seen = await self._eval(
                "idempotency",
                client_id,
                idempotency_key,
                batch.request_hash,
                project_id,
                ids,
                "reserve",
            )
            if seen is not None:
                if seen[0] != batch.request_hash:
                    raise Conflict(
                        "this Idempotency-Key was used with a different request",
                        field="Idempotency-Key",
                        code="idempotency_mismatch",
                    )
                reserved = json.loads(seen[1])
                tasks = [_with_id(t, i) for t, i in zip(tasks, reserved, strict=True)]
                replayed = True
        answer = await self._insert(project_id, tasks)
        if answer[0] == "error":
            if idempotency_key is not None and not replayed:
                await self._eval("idempotency", client_id, idempotency_key, "", "", ids, "release")
            if answer[1] == "not_found":
                raise NotFound("no such project", field="project_id")
            index = int(answer[2])
            raise Conflict(
                f"external_id {tasks[index].external_id!r} already exists in this project",
                field=f"tasks[{index}].external_id",
            )
        if answer[0] == "replayed":  # done before: by our first request or a concurrent twin
            stored = await self._tasks(project_id, [t.id for t in tasks])
            return TaskBatchResult([t for t in stored if t is not None], replayed=replayed)
        return TaskBatchResult(list(tasks), replayed=replayed)

    async def _insert(self, project_id: str, tasks: Sequence[Task]) -> list[str]:
        rows = [task_row(t) for t in tasks]
        indexes = {keys.TASK_INDEX + t.id: project_id for t in tasks}

        def build(pipe: Pipeline) -> None:
            for key, value in indexes.items():  # the lookups first: never a dangling task
                pipe.set(key, value)
            if tasks:  # the sweep of lifetimes looks at the project when the first one ends
                first = min(t.expires_at for t in tasks)
                pipe.zadd(keys.DUE_LIFETIMES, {project_id: first}, lt=True)
            self._queue(pipe, "add_tasks", project_id, json.dumps(rows))

        answer: list[str] = (await self._pipeline(build))[-1]
        return answer

    async def _tasks(self, project_id: str, task_ids: Sequence[str]) -> list[Task | None]:
        pipe = self.r.pipeline(transaction=False)
        for task_id in task_ids:
            pipe.hgetall(keys.part(project_id) + "task:" + task_id)
        return [task_from(hash_of(h)) if h else None for h in await pipe.execute()]

    async def get_task(self, task_id: str) -> Task | None:
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        if project_id is None:
            return None
        return (await self._tasks(project_id, [task_id]))[0]

    async def get_tasks(self, task_ids: Sequence[str]) -> dict[str, Task]:
        """Two round trips however many: the projects of the ids not cached (one MGET), then
        every task's hash (one pipeline)."""
        homes = await self._projects_of(keys.TASK_INDEX, task_ids)
        pipe = self.r.pipeline(transaction=False)
        for task_id, project_id in homes.items():
            pipe.hgetall(keys.part(project_id) + "task:" + task_id)
        found = [task_from(hash_of(h)) for h in await pipe.execute() if h]
        return {t.id: t for t in found}


class ClosingPart(RedisBase):
    """Closing a task outside the answers: a client's cancel (cancel_task.lua, which also
    writes the ``project.completed`` of the project's last open task)."""

    async def cancel_task(
        self, task_id: str, *, now: float, untaken_only: bool = False
    ) -> Task | None:
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        client_id = None if project_id is None else await self._client_of_project(project_id)
        if project_id is None or client_id is None:
            return None
        targets = await self._targets(client_id, ["task.cancelled", "project.completed"])
        ctx = self._ctx(client_id, project_id, now, targets)
        found, cancelled = await self._eval(
            "cancel_task", project_id, ctx, task_id, "1" if untaken_only else "0"
        )
        if cancelled and any(targets.values()):
            await self._hint(keys.DUE_OUTBOX, project_id, now)
        return task_from(fields(found)) if found else None


def project_hash(project: Project, seq: int) -> dict[FieldT, EncodableT]:
    """A project's record as new_project.lua keeps it, ``seq`` its place in the listings."""
    return {
        "id": project.id,
        "client_id": project.client_id,
        "status": project.status,
        "created_at": repr(project.created_at),
        "spec": spec_to_json(project.spec),
        "per_task": str(project.spec.assignments_per_task),
        "seq": str(seq),
    }


def task_row(task: Task, seats: int | None = None) -> list[str]:
    """A task as tasks.lua inserts it; ``seats`` overrides the project's assignments_per_task."""
    return [
        task.id,
        task.external_id,
        json.dumps(task.input),
        task.status,
        repr(task.created_at),
        repr(task.expires_at),
        "" if task.gold is None else json.dumps(task.gold),
        "" if seats is None else str(seats),
    ]


def _with_id(task: Task, task_id: str) -> Task:
    return replace(task, id=task_id)


def _ttl_ms(expires_at: float, now: float) -> int:
    return max(1, int((expires_at - now) * 1000))


class DraftsPart(RedisBase):
    """Each a key of its own that Redis drops when it expires (``PX``); read, it is also
    checked against ``now``, so both stores answer the same at the edge of its time."""

    async def keep_file_upload(self, upload: FileUpload, *, now: float) -> None:
        await self.r.set(
            keys.FILE_UPLOAD + upload.id,
            json.dumps(asdict(upload)),
            px=_ttl_ms(upload.expires_at, now),
        )

    async def get_file_upload(self, upload_id: str, *, now: float) -> FileUpload | None:
        raw = opt_text(await self.r.get(keys.FILE_UPLOAD + upload_id))
        found = None if raw is None else FileUpload(**json.loads(raw))
        return found if found is not None and found.expires_at > now else None

    async def keep_preview_task(self, preview: PreviewTask, *, now: float) -> None:
        value = {**asdict(preview), "task": asdict(preview.task)}
        await self.r.set(
            keys.PREVIEW_TASK + preview.task.id,
            json.dumps(value),
            px=_ttl_ms(preview.expires_at, now),
        )

    async def get_preview_task(self, task_id: str, *, now: float) -> PreviewTask | None:
        raw = opt_text(await self.r.get(keys.PREVIEW_TASK + task_id))
        if raw is None:
            return None
        value = json.loads(raw)
        found = PreviewTask(value["client_id"], Task(**value["task"]), value["expires_at"])
        return found if found.expires_at > now else None
