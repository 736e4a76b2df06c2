"""MTurk compatibility: SigV4 credentials and HIT types, kept in the client's partition.

Global lookups (access key id, HIT type id -> client) are written before the record, as every
lookup here is. The project a HIT type runs as on one origin is found or made in two steps: the
client's ``hit-type-projects`` entry is set if absent (HSETNX: one project wins), then the
project is written unless it exists (``new_project.lua``), so a crash in between is mended by
the next call, and two racing calls end with one project.

MTurk HITs (a HIT is a task plus its question), and tasks as HITs need them.

A HIT lives in its project (``hit:<tid>`` beside ``task:<tid>``, inserted together by
create_hit.lua); the client's partition lists it (``hits``) and holds its UniqueRequestToken
(``hit-tokens``). Creating one runs, in order: the task-id lookup, the client's hit_listing.lua
(lists the HIT and claims the token, storing the whole HIT with it), then create_hit.lua. A
token claimed before answers with the HIT it made, which is completed from what the token holds
if its request died in between, then refused. A listed HIT whose task is not there (yet) is not
shown; a disposed one is dropped from the list after dispose.lua marks it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from redis.asyncio.client import Pipeline
from redis.typing import EncodableT, FieldT

from ..catalog.redis import CatalogPart, task_row
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.page import Page, cursor_seq
from ..core.params import TaskAssignmentsQuery
from ..core.records import Assignment, Project, Task
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import (
    Fields,
    assignment_from,
    fields,
    hash_of,
    opt_text,
    record_to,
    task_from,
    texts,
)
from .records import (
    Hit,
    HitType,
    MTurkCredential,
    QualificationScore,
    QualificationType,
    hit_from,
    hit_type_from,
    qualification_type_from,
    with_auto_grants,
)

__all__ = [
    "CompatPart",
    "HitsPart",
    "credential_hash",
    "hit_made",
    "qualification_json",
    "score_json",
]


class CompatPart(CatalogPart):
    # -- credentials ----------------------------------------------------------------------------

    async def create_mturk_credential(self, credential: MTurkCredential) -> None:
        await self.r.set(keys.MTURK_KEY_INDEX + credential.access_key_id, credential.client_id)
        await self.r.hset(
            keys.part(credential.client_id) + "mturk-key:" + credential.access_key_id,
            mapping=credential_hash(credential),
        )

    async def _credential_client(self, access_key_id: str) -> str | None:
        return opt_text(await self.r.get(keys.MTURK_KEY_INDEX + access_key_id))

    async def get_mturk_credential(self, access_key_id: str) -> MTurkCredential | None:
        client_id = await self._credential_client(access_key_id)
        if client_id is None:
            return None
        found = hash_of(await self.r.hgetall(keys.part(client_id) + "mturk-key:" + access_key_id))
        if not found:
            return None
        raw = {**found, "created_at": float(found["created_at"])}
        return credential_from(json.dumps(raw))

    async def revoke_mturk_credential(self, access_key_id: str) -> bool:
        client_id = await self._credential_client(access_key_id)
        if client_id is None:
            return False
        return bool(await self._eval("revoke", client_id, access_key_id))

    # -- HIT types ------------------------------------------------------------------------------

    async def hit_type_for(self, hit_type: HitType) -> HitType:
        await self.r.set(keys.HIT_TYPE_INDEX + hit_type.id, hit_type.client_id)
        stored = _hit_type(
            await self._eval(
                "hit_type",
                hit_type.client_id,
                hit_type.fingerprint,
                hit_type.id,
                record_to(hit_type),
            )
        )
        if stored.id != hit_type.id:  # registered before: ours was never used
            await self.r.delete(keys.HIT_TYPE_INDEX + hit_type.id)
        return stored

    async def get_hit_type(self, hit_type_id: str) -> HitType | None:
        client_id = opt_text(await self.r.get(keys.HIT_TYPE_INDEX + hit_type_id))
        if client_id is None:
            return None
        found = opt_text(await self.r.hget(keys.part(client_id) + "hit-types", hit_type_id))
        return None if found is None else _hit_type(found)

    async def hit_type_project(self, hit_type_id: str, origin: str, project: Project) -> Project:
        where = keys.part(project.client_id) + "hit-type-projects"
        field = json.dumps([hit_type_id, origin])
        await self.r.hsetnx(where, field, project.id)
        project_id = opt_text(await self.r.hget(where, field))
        assert project_id is not None, "set just above, never deleted"
        # the way back, set on every call: mended by the next if a crash lost it
        await self.r.hset(
            keys.part(project.client_id) + "project-hit-types", project_id, hit_type_id
        )
        await self._new_project(replace(project, id=project_id))
        found = await self.get_project(project_id)
        assert found is not None
        return found

    async def project_requirements(self, client_id: str, project_id: str) -> list[dict[str, Any]]:
        hit_type_id = await self._project_hit_type(client_id, project_id)
        hit_type = None if hit_type_id is None else await self.get_hit_type(hit_type_id)
        return list(hit_type.requirements) if hit_type is not None else []

    async def _project_hit_type(self, client_id: str, project_id: str) -> str | None:
        p = keys.part(client_id)
        found = opt_text(await self.r.hget(p + "project-hit-types", project_id))
        if found is not None:
            return found
        # a project made before the way back was kept: look it up, and keep it
        for field, value in (await self.r.hgetall(p + "hit-type-projects")).items():
            if opt_text(value) == project_id:
                hit_type_id = str(json.loads(opt_text(field) or "[]")[0])
                await self.r.hset(p + "project-hit-types", project_id, hit_type_id)
                return hit_type_id
        return None

    # -- qualification types ------------------------------------------------------------------

    async def create_qualification_type(self, qualification: QualificationType) -> None:
        p = keys.part(qualification.client_id)
        if not await self.r.hsetnx(p + "qual-type-names", qualification.name, qualification.id):
            holder = opt_text(await self.r.hget(p + "qual-type-names", qualification.name))
            # a name whose type was never written (its request died in between) is free
            if holder is not None and await self.r.hexists(p + "qual-types", holder):
                raise Conflict(
                    "You have already created a QualificationType with this name:"
                    f" {qualification.name}",
                    field="Name",
                    code="name_taken",
                )
            await self.r.hset(p + "qual-type-names", qualification.name, qualification.id)
        await self.r.hset(p + "qual-types", qualification.id, qualification_json(qualification))

    async def get_qualification_type(
        self, client_id: str, type_id: str
    ) -> QualificationType | None:
        found = opt_text(await self.r.hget(keys.part(client_id) + "qual-types", type_id))
        return None if found is None else qualification_type_from(found)

    async def list_qualification_types(self, client_id: str) -> list[QualificationType]:
        stored = await self.r.hvals(keys.part(client_id) + "qual-types")
        found = [qualification_type_from(opt_text(v) or "") for v in stored]
        return sorted(found, key=lambda q: (q.created_at, q.id))

    async def update_qualification_type(self, qualification: QualificationType) -> None:
        p = keys.part(qualification.client_id)
        await self.r.hset(p + "qual-types", qualification.id, qualification_json(qualification))
        if qualification.status == "Disposing":
            await self.r.delete(p + "qscores:" + qualification.id)

    async def set_qualification_score(self, client_id: str, score: QualificationScore) -> None:
        await self.r.hset(
            keys.part(client_id) + "qscores:" + score.type_id, score.worker_pseudonym,
            score_json(score),
        )  # fmt: skip

    async def remove_qualification_score(
        self, client_id: str, type_id: str, worker_pseudonym: str
    ) -> bool:
        where = keys.part(client_id) + "qscores:" + type_id
        return bool(await self.r.hdel(where, worker_pseudonym))

    async def qualification_scores(self, client_id: str, type_id: str) -> list[QualificationScore]:
        stored = await self.r.hvals(keys.part(client_id) + "qscores:" + type_id)
        found = [QualificationScore(**json.loads(opt_text(v) or "")) for v in stored]
        return sorted(found, key=lambda s: s.worker_pseudonym)

    async def qualification_score(
        self, client_id: str, type_id: str, worker_pseudonym: str
    ) -> QualificationScore | None:
        stored = await self.r.hget(keys.part(client_id) + "qscores:" + type_id, worker_pseudonym)
        if stored is None:
            return None
        return QualificationScore(**json.loads(opt_text(stored) or ""))

    async def worker_scores(
        self, client_id: str, worker_pseudonym: str, type_ids: Sequence[str]
    ) -> dict[str, int]:
        p = keys.part(client_id)
        pipe = self.r.pipeline(transaction=False)
        for type_id in type_ids:
            pipe.hget(p + "qscores:" + type_id, worker_pseudonym)
        found: list[Any] = await pipe.execute()
        held = {
            type_id: int(json.loads(opt_text(value) or "")["value"])
            for type_id, value in zip(type_ids, found, strict=True)
            if value is not None
        }
        types = [await self.get_qualification_type(client_id, t) for t in type_ids]
        return with_auto_grants(held, types)


def score_json(score: QualificationScore) -> str:
    """A worker's score as its type's ``qscores:<type>`` keeps it."""
    return json.dumps(asdict(score))


def qualification_json(qualification: QualificationType) -> str:
    """A qualification type as its client's ``qual-types`` keeps it."""
    return json.dumps(asdict(qualification))


_CURSOR = re.compile(r"^\d{16}:[A-Za-z0-9_.-]{1,100}$")


def hit_made(hit: Hit) -> str:
    """The HIT as create_hit.lua takes it (every value text, floats with every digit)."""
    record = {
        "client_id": hit.client_id,
        "hit_type_id": hit.hit_type_id,
        "question": hit.question,
        "external_url": hit.external_url,
        "frame_height": str(hit.frame_height),
        "annotation": hit.annotation,
        "created_at": repr(hit.created_at),
    }
    row = task_row(hit.task, seats=hit.max_assignments)
    return json.dumps({"project_id": hit.task.project_id, "row": row, "hit": record})


class HitsPart(RedisBase):
    async def create_hit(self, hit: Hit, unique_request_token: str | None) -> Hit:
        task = hit.task
        made = hit_made(hit)
        await self.r.set(keys.TASK_INDEX + task.id, task.project_id)  # before: never dangling
        seen = await self._eval(
            "hit_listing", hit.client_id, task.id, unique_request_token or "", made
        )
        if seen is not None:
            await self.r.delete(keys.TASK_INDEX + task.id)
            earlier = json.loads(seen)
            await self._insert_hit(earlier["project_id"], seen)  # its request may have died
            raise Conflict(
                f"a HIT with this UniqueRequestToken exists: {earlier['row'][0]}",
                field="UniqueRequestToken",
                code="hit_exists",
            )
        await self._insert_hit(task.project_id, made)
        self._partitions[task.id] = task.project_id
        return hit

    async def _insert_hit(self, project_id: str, made: str) -> None:
        answer = await self._eval("create_hit", project_id, made)
        if answer[0] == "error":
            if answer[1] == "not_found":
                raise NotFound("no such project", field="project_id")
            raise Conflict("a task with this external_id exists in the project")

    async def _hits(self, task_ids: Sequence[str]) -> list[Hit | None]:
        project_ids = [await self._project_of(keys.TASK_INDEX, t) for t in task_ids]

        def build(pipe: Pipeline) -> None:
            for task_id, project_id in zip(task_ids, project_ids, strict=True):
                if project_id is not None:
                    self._queue(pipe, "hit", project_id, task_id)

        answers = iter(await self._pipeline(build))
        found: list[Hit | None] = []
        for project_id in project_ids:
            answer = None if project_id is None else next(answers)
            found.append(_hit(fields(answer[0]), fields(answer[1]), answer[2]) if answer else None)
        return found

    async def get_hit(self, task_id: str) -> Hit | None:
        return (await self._hits([task_id]))[0]

    async def list_hits(self, client_id: str, *, cursor: str | None, limit: int) -> Page[Hit]:
        index = keys.part(client_id) + "hits"
        after = cursor_seq(cursor)
        kept: list[tuple[Hit, int]] = []
        while len(kept) <= limit:
            rows: list[tuple[str, float]] = await self.r.zrangebyscore(  # type: ignore[assignment]
                index, f"({after}", "+inf", start=0, num=limit + 1, withscores=True
            )
            if not rows:
                break
            hits = await self._hits([str(task_id) for task_id, _ in rows])
            kept.extend(
                (h, int(seq))
                for h, (_, seq) in zip(hits, rows, strict=True)
                if h is not None and not h.disposed
            )
            after = int(rows[-1][1])
        page = kept[:limit]
        return Page([h for h, _ in page], str(page[-1][1]) if len(kept) > limit else None)

    async def dispose_hit(self, task_id: str, *, now: float) -> Hit:
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        if project_id is None:
            raise NotFound("no such HIT", field="HITId")
        answer = await self._eval("dispose", project_id, task_id, repr(now))
        if answer[0] == "error":
            if answer[1] == "not_found":
                raise NotFound("no such HIT", field="HITId")
            raise Conflict(
                "only a HIT that has expired or is complete, with every submitted assignment"
                " approved or rejected, can be deleted",
                field="HITId",
                code="hit_not_disposable",
            )
        hit = await self.get_hit(task_id)
        assert hit is not None
        await self.r.zrem(keys.part(hit.client_id) + "hits", task_id)
        return hit

    async def set_hit_reviewing(self, task_id: str, reviewing: bool) -> None:
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        key = keys.part(project_id or "") + "hit:" + task_id
        if project_id is not None and await self.r.exists(key):
            await self.r.hset(key, "reviewing", "1" if reviewing else "0")

    async def add_hit_assignments(self, task_id: str, more: int, *, now: float) -> None:
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        if project_id is None:
            raise NotFound("no such HIT", field="HITId")
        answer = await self._eval("more_seats", project_id, task_id, more, repr(now))
        if answer[0] == "error":
            if answer[1] == "not_found":
                raise NotFound("no such HIT", field="HITId")
            raise Conflict("this HIT was cancelled", field="HITId", code="task_cancelled")

    # -- tasks, as HITs need them ---------------------------------------------------------------

    async def set_task_expiry(
        self, task_id: str, expires_at: float, *, reopen: bool = False
    ) -> Task:
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        found = None
        if project_id is not None:
            found = await self._eval(
                "expiry", project_id, task_id, repr(expires_at), "1" if reopen else "0"
            )
        if found is None:
            raise NotFound("no such task", field="task_id")
        return task_from(fields(found))

    async def list_task_assignments(
        self, task_id: str, query: TaskAssignmentsQuery
    ) -> Page[Assignment]:
        cursor, limit = query.cursor, query.limit
        if cursor is not None and not _CURSOR.match(cursor):
            raise InvalidInput("not a cursor from a previous page", field="cursor")
        project_id = await self._project_of(keys.TASK_INDEX, task_id)
        if project_id is None:
            return Page([], None)
        p = keys.part(project_id)
        low = "-" if cursor is None else f"({cursor}"
        kept: list[tuple[str, Assignment]] = []
        while len(kept) <= limit:
            sorts = texts(
                await self.r.zrange(p + "tasgs:" + task_id, low, "+", bylex=True, offset=0,
                                    num=limit + 1)
            )  # fmt: skip
            if not sorts:
                break
            pipe = self.r.pipeline(transaction=False)
            for sort in sorts:
                pipe.hgetall(p + "asg:" + sort[17:])
            found: list[Any] = await pipe.execute()
            for sort, h in zip(sorts, found, strict=True):
                assignment = assignment_from(hash_of(h)) if h else None
                if assignment is not None and assignment.status in query.statuses:
                    kept.append((sort, assignment))
            low = f"({sorts[-1]}"
        page = kept[:limit]
        return Page([a for _, a in page], page[-1][0] if len(kept) > limit else None)


def credential_from(text: str) -> MTurkCredential:
    return MTurkCredential(**json.loads(text))


def credential_hash(credential: MTurkCredential) -> dict[FieldT, EncodableT]:
    """An MTurk credential as its hash keeps it."""
    record: dict[FieldT, EncodableT] = {k: v for k, v in asdict(credential).items()}
    record["created_at"] = repr(credential.created_at)
    return record


def _hit_type(text: str) -> HitType:
    return hit_type_from(json.loads(text))


def _hit(task: Fields, hit: Fields, counts: Sequence[int]) -> Hit:
    """A HIT from its task, its HIT record and its assignment counts."""
    return hit_from(task_from(task), hit, task["per_task"], counts)
