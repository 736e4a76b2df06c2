"""The quality process from the client's side: blocks, gold records, review in bulk, bonuses.

``Client`` and ``AsyncClient`` get these methods from the two mixins below (docs/quality.md).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from ._call import _AsyncRunner, _Call, _page_call, _query, _segment, _SyncRunner
from ._decode import _mapping, _Model, _required
from ._keyring import _list_of
from ._models import Assignment, Page

__all__ = ["Block", "Bonus", "BulkReview", "GoldRecord"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Block(_Model):
    """A worker (by the pseudonym the client sees) blocked from one project or, when
    ``project_id`` is ``None``, from all the client's projects."""

    worker_id: str
    project_id: str | None
    reason: str
    created_at: str

    _object = "block"


@dataclass(frozen=True, slots=True)
class GoldRecord(_Model):
    """A worker's answers to a project's gold tasks; ``stopped`` once accuracy fell too low."""

    worker_id: str
    gold_answered: int
    gold_correct: int
    accuracy: float | None
    stopped: bool


@dataclass(frozen=True, slots=True)
class BulkReview:
    """What a bulk approve or reject did: the reviewed assignments, and each refused id with
    its error code (e.g. ``not_reviewable``, ``not_found``)."""

    reviewed: list[Assignment]
    refused: dict[str, str]

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Self:
        """Build from the API's JSON object; raises ``ValueError`` if it has the wrong shape."""
        obj = _mapping(obj, None)
        data, refused = obj.get("data"), obj.get("refused")
        if not isinstance(data, list) or not isinstance(refused, list):
            raise ValueError("a bulk review answer has 'data' and 'refused' lists")
        return cls(
            reviewed=[Assignment.from_json(a) for a in data],
            refused={
                _required(r, "id", str): _required(_mapping(r.get("error"), None), "code", str)
                for r in refused
            },
        )


@dataclass(frozen=True, slots=True)
class Bonus(_Model):
    """A bonus credited to the worker of an assignment."""

    assignment_id: str
    worker_id: str
    amount_cents: int
    currency: str
    reason: str
    created_at: str

    _object = "bonus"


class _QualityCalls:
    def _block_worker(self, worker_id: str, reason: str, project_id: str | None) -> _Call[Block]:
        body: dict[str, str] = {"reason": reason}
        if project_id is not None:
            body["project_id"] = project_id
        path = f"/workers/{_segment(worker_id)}/block"
        return _Call("POST", path, Block.from_json, body=body)

    def _unblock_worker(self, worker_id: str, project_id: str | None) -> _Call[None]:
        path = f"/workers/{_segment(worker_id)}/block"
        return _Call("DELETE", path, lambda body: None, params=_query(project_id=project_id))

    def _list_blocks(self) -> _Call[list[Block]]:
        return _Call("GET", "/blocks", _list_of(Block.from_json))

    def _gold_records(self, project_id: str) -> _Call[list[GoldRecord]]:
        path = f"/projects/{_segment(project_id)}/gold"
        return _Call("GET", path, _list_of(GoldRecord.from_json))

    def _review_many(
        self, action: str, ids: Sequence[str], reason: str | None
    ) -> _Call[BulkReview]:
        body: dict[str, Any] = {"ids": list(ids)}
        if reason is not None:
            body["reason"] = reason
        return _Call("POST", f"/assignments/{action}", BulkReview.from_json, body=body)

    def _bonus(
        self, assignment_id: str, amount_cents: int, reason: str, idempotency_key: str | None
    ) -> _Call[Bonus]:
        return _Call(
            "POST",
            f"/assignments/{_segment(assignment_id)}/bonus",
            Bonus.from_json,
            body={"amount_cents": amount_cents, "reason": reason},
            headers=None if idempotency_key is None else {"Idempotency-Key": idempotency_key},
        )

    def _list_bonuses(
        self, task_id: str | None, assignment_id: str | None, limit: int | None, cursor: str | None
    ) -> _Call[Page[Bonus]]:
        return _page_call(
            "/bonuses",
            Bonus.from_json,
            task_id=task_id,
            assignment_id=assignment_id,
            limit=limit,
            cursor=cursor,
        )


class SyncQuality(_QualityCalls, _SyncRunner):
    """The quality methods of ``Client``."""

    def block_worker(
        self, worker_id: str, *, reason: str = "", project_id: str | None = None
    ) -> Block:
        """Block a worker (by the ``worker_id`` your assignments show) from one project or,
        without ``project_id``, from all your projects. The task in hand may be finished."""
        return self._run(self._block_worker(worker_id, reason, project_id))

    def unblock_worker(self, worker_id: str, *, project_id: str | None = None) -> None:
        """Lift a block (``NotFoundError`` if there is none there)."""
        self._run(self._unblock_worker(worker_id, project_id))

    def list_blocks(self) -> list[Block]:
        """Every block you have in place."""
        return self._run(self._list_blocks())

    def gold_records(self, project_id: str) -> list[GoldRecord]:
        """Each worker's answers to the project's gold tasks, and who was stopped."""
        return self._run(self._gold_records(project_id))

    def approve_many(self, assignment_ids: Sequence[str]) -> BulkReview:
        """Approve up to 500 submitted assignments at once; each is reviewed on its own."""
        return self._run(self._review_many("approve", assignment_ids, None))

    def reject_many(self, assignment_ids: Sequence[str], reason: str) -> BulkReview:
        """Reject up to 500 submitted assignments at once, with one reason."""
        return self._run(self._review_many("reject", assignment_ids, reason))

    def bonus(
        self,
        assignment_id: str,
        amount_cents: int,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Bonus:
        """Pay the worker of a submitted assignment a bonus. Pass an ``idempotency_key`` when
        you may retry: a repeat with the same key pays nothing more."""
        return self._run(self._bonus(assignment_id, amount_cents, reason, idempotency_key))

    def list_bonuses(
        self,
        *,
        task_id: str | None = None,
        assignment_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Bonus]:
        """One page of the bonuses you paid, oldest first, optionally of one task or one
        assignment (``NotFoundError`` if it is not yours)."""
        return self._run(self._list_bonuses(task_id, assignment_id, limit, cursor))

    def iter_bonuses(
        self,
        *,
        task_id: str | None = None,
        assignment_id: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Bonus]:
        """Every bonus you paid (optionally of one task or assignment), page after page."""
        return self._iterate(
            lambda cursor: self._list_bonuses(task_id, assignment_id, limit, cursor)
        )


class AsyncQuality(_QualityCalls, _AsyncRunner):
    """The quality methods of ``AsyncClient``."""

    async def block_worker(
        self, worker_id: str, *, reason: str = "", project_id: str | None = None
    ) -> Block:
        """Block a worker; see ``Client.block_worker``."""
        return await self._run(self._block_worker(worker_id, reason, project_id))

    async def unblock_worker(self, worker_id: str, *, project_id: str | None = None) -> None:
        """Lift a block; see ``Client.unblock_worker``."""
        await self._run(self._unblock_worker(worker_id, project_id))

    async def list_blocks(self) -> list[Block]:
        """Every block you have in place."""
        return await self._run(self._list_blocks())

    async def gold_records(self, project_id: str) -> list[GoldRecord]:
        """Workers' gold records; see ``Client.gold_records``."""
        return await self._run(self._gold_records(project_id))

    async def approve_many(self, assignment_ids: Sequence[str]) -> BulkReview:
        """Approve in bulk; see ``Client.approve_many``."""
        return await self._run(self._review_many("approve", assignment_ids, None))

    async def reject_many(self, assignment_ids: Sequence[str], reason: str) -> BulkReview:
        """Reject in bulk; see ``Client.reject_many``."""
        return await self._run(self._review_many("reject", assignment_ids, reason))

    async def bonus(
        self,
        assignment_id: str,
        amount_cents: int,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> Bonus:
        """Pay a bonus; see ``Client.bonus``."""
        return await self._run(self._bonus(assignment_id, amount_cents, reason, idempotency_key))

    async def list_bonuses(
        self,
        *,
        task_id: str | None = None,
        assignment_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Bonus]:
        """One page of your bonuses; see ``Client.list_bonuses``."""
        return await self._run(self._list_bonuses(task_id, assignment_id, limit, cursor))

    def iter_bonuses(
        self,
        *,
        task_id: str | None = None,
        assignment_id: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Bonus]:
        """Every bonus (``async for``); see ``Client.iter_bonuses``."""
        return self._iterate(
            lambda cursor: self._list_bonuses(task_id, assignment_id, limit, cursor)
        )
