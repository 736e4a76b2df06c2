"""The assignment methods of ``Client`` and ``AsyncClient``: list and read assignments, review
them, submit one server-to-server, and have the gateway verify the task token that goes with it.

Each call is described once as a ``_Call`` (``_AssignmentCalls``); ``SyncAssignments`` and
``AsyncAssignments`` run them through the client's own ``_run`` and ``_iterate``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from ._call import _AsyncRunner, _Call, _page_call, _segment, _SyncRunner
from ._exceptions import TokenError
from ._models import Assignment, Page
from ._token import TaskTokenClaims, _claims_from

__all__: list[str] = []


def _verified_claims(body: Any) -> TaskTokenClaims:
    if not isinstance(body, Mapping):
        raise ValueError("expected a JSON object")
    if body.get("valid") is not True:
        raise TokenError("the gateway did not confirm the token")
    return _claims_from(body.get("claims"))


class _AssignmentCalls:
    def _list_assignments(
        self,
        project_id: str | None,
        status: str | None,
        limit: int | None,
        cursor: str | None,
        signal: str | None = None,
    ) -> _Call[Page[Assignment]]:
        return _page_call(
            "/assignments",
            Assignment.from_json,
            project_id=project_id,
            status=status,
            limit=limit,
            cursor=cursor,
            signal=signal,
        )

    def _get_assignment(self, assignment_id: str) -> _Call[Assignment]:
        return _Call("GET", f"/assignments/{_segment(assignment_id)}", Assignment.from_json)

    def _assignment_action(
        self, assignment_id: str, action: str, body: Mapping[str, Any]
    ) -> _Call[Assignment]:
        path = f"/assignments/{_segment(assignment_id)}/{action}"
        return _Call("POST", path, Assignment.from_json, body=dict(body))

    def _verify_token(self, token: str) -> _Call[TaskTokenClaims]:
        return _Call(
            "POST", "/tokens/verify", _verified_claims, body={"token": token}, token_errors=True
        )


class SyncAssignments(_AssignmentCalls, _SyncRunner):
    """The assignment methods of ``Client``."""

    def list_assignments(
        self,
        *,
        project_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        signal: str | None = None,
    ) -> Page[Assignment]:
        """One page of assignments, optionally of one project, in one ``status``, or carrying
        one fraud ``signal`` (``too_fast``, ``same_answer``, ``shared_address``)."""
        return self._run(self._list_assignments(project_id, status, limit, cursor, signal))

    def iter_assignments(
        self,
        *,
        project_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Assignment]:
        """Every matching assignment, fetching page after page as the loop goes."""
        return self._iterate(
            lambda cursor: self._list_assignments(project_id, status, limit, cursor)
        )

    def get_assignment(self, assignment_id: str) -> Assignment:
        """The assignment with this id."""
        return self._run(self._get_assignment(assignment_id))

    def approve(self, assignment_id: str) -> Assignment:
        """Approve a submitted assignment (approving twice is harmless)."""
        return self._run(self._assignment_action(assignment_id, "approve", {}))

    def reject(self, assignment_id: str, reason: str) -> Assignment:
        """Reject a submitted assignment; the worker sees ``reason`` (1 to 1000 characters)."""
        return self._run(self._assignment_action(assignment_id, "reject", {"reason": reason}))

    def submit(self, assignment_id: str, token: str, result: Mapping[str, Any]) -> Assignment:
        """Submit ``result`` server-to-server with the assignment's ``work`` task token.

        A second submit raises ``ConflictError`` (``already_submitted``) and changes nothing.
        """
        body = {"token": token, "result": dict(result)}
        return self._run(self._assignment_action(assignment_id, "submit", body))

    def verify_token(self, token: str) -> TaskTokenClaims:
        """Have the gateway verify a task token; raises the ``TokenError`` of the failed check.

        ``crowdframe.verify_task_token`` does the same offline, without a request.
        """
        return self._run(self._verify_token(token))


class AsyncAssignments(_AssignmentCalls, _AsyncRunner):
    """The assignment methods of ``AsyncClient``."""

    async def list_assignments(
        self,
        *,
        project_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        signal: str | None = None,
    ) -> Page[Assignment]:
        """One page of assignments; see ``Client.list_assignments``."""
        return await self._run(self._list_assignments(project_id, status, limit, cursor, signal))

    def iter_assignments(
        self,
        *,
        project_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Assignment]:
        """Every matching assignment (``async for``); see ``Client.iter_assignments``."""
        return self._iterate(
            lambda cursor: self._list_assignments(project_id, status, limit, cursor)
        )

    async def get_assignment(self, assignment_id: str) -> Assignment:
        """The assignment with this id; see ``Client.get_assignment``."""
        return await self._run(self._get_assignment(assignment_id))

    async def approve(self, assignment_id: str) -> Assignment:
        """Approve a submitted assignment; see ``Client.approve``."""
        return await self._run(self._assignment_action(assignment_id, "approve", {}))

    async def reject(self, assignment_id: str, reason: str) -> Assignment:
        """Reject a submitted assignment with a reason; see ``Client.reject``."""
        return await self._run(self._assignment_action(assignment_id, "reject", {"reason": reason}))

    async def submit(self, assignment_id: str, token: str, result: Mapping[str, Any]) -> Assignment:
        """Submit a result server-to-server; see ``Client.submit``."""
        body = {"token": token, "result": dict(result)}
        return await self._run(self._assignment_action(assignment_id, "submit", body))

    async def verify_token(self, token: str) -> TaskTokenClaims:
        """Have the gateway verify a task token; see ``Client.verify_token``."""
        return await self._run(self._verify_token(token))
