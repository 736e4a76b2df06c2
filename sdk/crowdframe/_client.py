"""Clients of the REST API (``docs/api.md``): ``Client`` blocks, ``AsyncClient`` awaits.

Every API call is first described as data (a ``_Call``: the request, and how to read a
successful answer); ``_BaseClient`` builds the request and turns the answer into a model or an
exception. The two clients differ only in how they send the request.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, Unpack

import httpx

from . import __version__
from ._assessments import AsyncAssessments, SyncAssessments
from ._call import _Call, _query, _segment
from ._exceptions import APIError, CrowdframeError, TokenError, TransportError, _error_from_answer
from ._keyring import AsyncKeyring, SyncKeyring
from ._models import (
    Assignment,
    Page,
    Project,
    ProjectCreateParams,
    ProjectUpdateParams,
    Task,
    TaskBatch,
    WebhookEndpoint,
)
from ._quality import AsyncQuality, SyncQuality
from ._results import AsyncResults, SyncResults
from ._tasks import AsyncTasks, SyncTasks
from ._token import TaskTokenClaims, _claims_from
from ._webhook_admin import AsyncWebhookMethods, WebhookMethods

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncClient", "Client"]

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 10.0
_API_ROOT = "/api/v1"
_REDACTED = "[redacted]"

T = TypeVar("T")
_HTTP = TypeVar("_HTTP", httpx.Client, httpx.AsyncClient)


def _api_root(base_url: str) -> str:
    root = base_url.rstrip("/")
    return root if root.endswith(_API_ROOT) else root + _API_ROOT


def _verified_claims(body: Any) -> TaskTokenClaims:
    if not isinstance(body, Mapping):
        raise ValueError("expected a JSON object")
    if body.get("valid") is not True:
        raise TokenError("the gateway did not confirm the token")
    return _claims_from(body.get("claims"))


def _message_id(body: Any) -> str:
    message_id = body.get("message_id") if isinstance(body, Mapping) else None
    if not isinstance(message_id, str):
        raise ValueError("missing field 'message_id'")
    return message_id


class _BaseClient(Generic[_HTTP]):
    """Request building and answer reading, shared by ``Client`` and ``AsyncClient``."""

    _http: _HTTP

    def __init__(self, api_key: str, base_url: str) -> None:
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError("api_key must be a non-empty string")
        self._api_key = api_key
        self._base_url = _api_root(base_url)

    def _http_options(self, timeout: float) -> dict[str, Any]:
        return {
            "base_url": self._base_url,
            "timeout": timeout,
            "headers": {
                "Authorization": f"Bearer {self._api_key}",
                "User-Agent": f"crowdframe-python/{__version__}",
                "Accept": "application/json",
            },
        }

    def __repr__(self) -> str:
        return f"<{type(self).__module__}.{type(self).__qualname__} base_url={self._base_url!r}>"

    # -- request building and answer reading ------------------------------------------------

    def _request(self, call: _Call[Any]) -> httpx.Request:
        return self._http.build_request(
            call.method, call.path, params=call.params, json=call.body, headers=call.headers
        )

    def _redact(self, text: str) -> str:
        # A misbehaving proxy or debug server may echo the request headers back.
        return text.replace(self._api_key, _REDACTED)

    @contextmanager
    def _reaching(self, request: httpx.Request) -> Iterator[None]:
        """Turn httpx's transport failures into the SDK's ``TransportError``."""
        try:
            yield
        except httpx.TimeoutException as exc:
            where = f"{request.method} {request.url}"
            raise TransportError(self._redact(f"{where} timed out: {exc!r}")) from exc
        except httpx.RequestError as exc:
            where = f"{request.method} {request.url}"
            raise TransportError(self._redact(f"{where} failed: {exc!r}")) from exc

    def _result(self, call: _Call[T], response: httpx.Response) -> T:
        if not response.is_success:
            raise self._error(call, response)
        try:
            return call.parse(response.json())
        except ValueError as exc:  # not JSON, or JSON of the wrong shape
            raise APIError(
                self._redact(f"unexpected answer to {call.method} {call.path}: {exc}"),
                status_code=response.status_code,
                code="invalid_response",
            ) from None

    def _error(self, call: _Call[Any], response: httpx.Response) -> CrowdframeError:
        text = self._redact(response.text)
        return _error_from_answer(
            response.status_code, response.reason_phrase, text, token_errors=call.token_errors
        )

    # -- the calls, one per API operation ---------------------------------------------------

    def _create_project(self, fields: Mapping[str, Any]) -> _Call[Project]:
        return _Call("POST", "/projects", Project.from_json, body=dict(fields))

    def _list_projects(self, limit: int | None, cursor: str | None) -> _Call[Page[Project]]:
        return _Call(
            "GET",
            "/projects",
            lambda body: Page.from_json(body, Project.from_json),
            params=_query(limit=limit, cursor=cursor),
        )

    def _get_project(self, project_id: str) -> _Call[Project]:
        return _Call("GET", f"/projects/{_segment(project_id)}", Project.from_json)

    def _update_project(self, project_id: str, fields: Mapping[str, Any]) -> _Call[Project]:
        path = f"/projects/{_segment(project_id)}"
        return _Call("PATCH", path, Project.from_json, body=dict(fields))

    def _add_tasks(
        self, project_id: str, tasks: Sequence[Mapping[str, Any]], idempotency_key: str | None
    ) -> _Call[TaskBatch]:
        key = str(uuid.uuid4()) if idempotency_key is None else idempotency_key
        return _Call(
            "POST",
            f"/projects/{_segment(project_id)}/tasks",
            TaskBatch.from_json,
            body={"tasks": [dict(task) for task in tasks]},
            headers={"Idempotency-Key": key},
        )

    def _get_task(self, task_id: str) -> _Call[Task]:
        return _Call("GET", f"/tasks/{_segment(task_id)}", Task.from_json)

    def _list_assignments(
        self,
        project_id: str | None,
        status: str | None,
        limit: int | None,
        cursor: str | None,
        signal: str | None = None,
    ) -> _Call[Page[Assignment]]:
        return _Call(
            "GET",
            "/assignments",
            lambda body: Page.from_json(body, Assignment.from_json),
            params=_query(
                project_id=project_id, status=status, limit=limit, cursor=cursor, signal=signal
            ),
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

    def _create_webhook_endpoint(
        self, url: str, event_types: Sequence[str] | None
    ) -> _Call[WebhookEndpoint]:
        types = None if event_types is None else list(event_types)
        body = {"url": url, "event_types": types}
        return _Call("POST", "/webhook-endpoints", WebhookEndpoint.from_json, body=body)

    def _list_webhook_endpoints(
        self, limit: int | None, cursor: str | None
    ) -> _Call[Page[WebhookEndpoint]]:
        return _Call(
            "GET",
            "/webhook-endpoints",
            lambda body: Page.from_json(body, WebhookEndpoint.from_json),
            params=_query(limit=limit, cursor=cursor),
        )

    def _send_test_event(self, endpoint_id: str) -> _Call[str]:
        path = f"/webhook-endpoints/{_segment(endpoint_id)}/test"
        return _Call("POST", path, _message_id, body={})


class Client(
    SyncKeyring,
    SyncQuality,
    SyncAssessments,
    SyncResults,
    SyncTasks,
    WebhookMethods,
    _BaseClient[httpx.Client],
):
    """A blocking client of the Crowdframe REST API.

    >>> with crowdframe.Client("cfk_…") as client:  # doctest: +SKIP
    ...     project = client.create_project(title="Label", task_url="https://…", reward_cents=5)

    ``base_url`` is the gateway's origin (``/api/v1`` is added). Errors are ``APIError``
    subclasses (by status) or ``TransportError``; the API key appears in neither, nor in
    ``repr(client)``. ``transport`` replaces the network, e.g. with ``httpx.MockTransport``.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(api_key, base_url)
        self._http = httpx.Client(**self._http_options(timeout), transport=transport)

    def _run(self, call: _Call[T]) -> T:
        request = self._request(call)
        with self._reaching(request):
            response = self._http.send(request)
        return self._result(call, response)

    def _stream_bytes(self, call: _Call[None]) -> Iterator[bytes]:
        request = self._request(call)
        with self._reaching(request):
            response = self._http.send(request, stream=True)
            try:
                if not response.is_success:
                    response.read()
                    raise self._error(call, response)
                yield from response.iter_bytes()
            finally:
                response.close()

    def _iterate(self, page: Callable[[str | None], _Call[Page[T]]]) -> Iterator[T]:
        cursor: str | None = None
        while True:
            current = self._run(page(cursor))
            yield from current.data
            if current.next_cursor is None:
                return
            cursor = current.next_cursor

    def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def create_project(self, **fields: Unpack[ProjectCreateParams]) -> Project:
        """Create a project (``title``, ``task_url`` and ``reward_cents`` are required)."""
        return self._run(self._create_project(fields))

    def list_projects(self, limit: int | None = None, cursor: str | None = None) -> Page[Project]:
        """One page of the client's projects; pass ``cursor=page.next_cursor`` for the next."""
        return self._run(self._list_projects(limit, cursor))

    def iter_projects(self, *, limit: int | None = None) -> Iterator[Project]:
        """Every project, fetching page after page (``limit`` per page) as the loop goes."""
        return self._iterate(lambda cursor: self._list_projects(limit, cursor))

    def get_project(self, project_id: str) -> Project:
        """The project with this id (``NotFoundError`` if it is not the client's)."""
        return self._run(self._get_project(project_id))

    def update_project(self, project_id: str, **fields: Unpack[ProjectUpdateParams]) -> Project:
        """Change some of a project's fields; ``status="paused"`` stops new assignments."""
        return self._run(self._update_project(project_id, fields))

    def add_tasks(
        self,
        project_id: str,
        tasks: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str | None = None,
    ) -> TaskBatch:
        """Add 1 to 1000 tasks ``{"external_id": ..., "input": {...}}`` to a project at once.

        The request always carries an ``Idempotency-Key``: the gateway answers a repeated key
        with the first answer and creates nothing. When ``idempotency_key`` is ``None`` a fresh
        uuid4 is generated for this call only, so to retry safely after a ``TransportError`` or
        ``ServerError`` (did the batch land or not?) pass your own key, e.g. derived from the
        batch, and send it again with the same key.
        """
        return self._run(self._add_tasks(project_id, tasks, idempotency_key))

    def get_task(self, task_id: str) -> Task:
        """The task with this id."""
        return self._run(self._get_task(task_id))

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

    def create_webhook_endpoint(
        self, url: str, *, event_types: Sequence[str] | None = None
    ) -> WebhookEndpoint:
        """Register a URL for events (all types when ``event_types`` is ``None``).

        The answer's ``secret`` is shown this once: store it to verify deliveries.
        """
        return self._run(self._create_webhook_endpoint(url, event_types))

    def list_webhook_endpoints(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WebhookEndpoint]:
        """One page of the client's webhook endpoints (without their secrets)."""
        return self._run(self._list_webhook_endpoints(limit, cursor))

    def send_test_event(self, endpoint_id: str) -> str:
        """Have the gateway send an ``endpoint.test`` event; returns its message id."""
        return self._run(self._send_test_event(endpoint_id))


class AsyncClient(
    AsyncKeyring,
    AsyncQuality,
    AsyncAssessments,
    AsyncResults,
    AsyncTasks,
    AsyncWebhookMethods,
    _BaseClient[httpx.AsyncClient],
):
    """The asyncio twin of ``Client``: the same methods, as coroutines.

    >>> async with crowdframe.AsyncClient("cfk_…") as client:  # doctest: +SKIP
    ...     async for assignment in client.iter_assignments(status="submitted"):
    ...         await client.approve(assignment.id)
    """

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(api_key, base_url)
        self._http = httpx.AsyncClient(**self._http_options(timeout), transport=transport)

    async def _run(self, call: _Call[T]) -> T:
        request = self._request(call)
        with self._reaching(request):
            response = await self._http.send(request)
        return self._result(call, response)

    async def _stream_bytes(self, call: _Call[None]) -> AsyncIterator[bytes]:
        request = self._request(call)
        with self._reaching(request):
            response = await self._http.send(request, stream=True)
            try:
                if not response.is_success:
                    await response.aread()
                    raise self._error(call, response)
                async for chunk in response.aiter_bytes():
                    yield chunk
            finally:
                await response.aclose()

    async def _iterate(self, page: Callable[[str | None], _Call[Page[T]]]) -> AsyncIterator[T]:
        cursor: str | None = None
        while True:
            current = await self._run(page(cursor))
            for item in current.data:
                yield item
            if current.next_cursor is None:
                return
            cursor = current.next_cursor

    async def aclose(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def create_project(self, **fields: Unpack[ProjectCreateParams]) -> Project:
        """Create a project; see ``Client.create_project``."""
        return await self._run(self._create_project(fields))

    async def list_projects(
        self, limit: int | None = None, cursor: str | None = None
    ) -> Page[Project]:
        """One page of projects; see ``Client.list_projects``."""
        return await self._run(self._list_projects(limit, cursor))

    def iter_projects(self, *, limit: int | None = None) -> AsyncIterator[Project]:
        """Every project, page after page (``async for``); see ``Client.iter_projects``."""
        return self._iterate(lambda cursor: self._list_projects(limit, cursor))

    async def get_project(self, project_id: str) -> Project:
        """The project with this id; see ``Client.get_project``."""
        return await self._run(self._get_project(project_id))

    async def update_project(
        self, project_id: str, **fields: Unpack[ProjectUpdateParams]
    ) -> Project:
        """Change some of a project's fields; see ``Client.update_project``."""
        return await self._run(self._update_project(project_id, fields))

    async def add_tasks(
        self,
        project_id: str,
        tasks: Sequence[Mapping[str, Any]],
        *,
        idempotency_key: str | None = None,
    ) -> TaskBatch:
        """Add tasks to a project; see ``Client.add_tasks``.

        A uuid4 ``Idempotency-Key`` is generated when none is given, for this call only: pass
        your own key to retry a failed call safely.
        """
        return await self._run(self._add_tasks(project_id, tasks, idempotency_key))

    async def get_task(self, task_id: str) -> Task:
        """The task with this id; see ``Client.get_task``."""
        return await self._run(self._get_task(task_id))

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

    async def create_webhook_endpoint(
        self, url: str, *, event_types: Sequence[str] | None = None
    ) -> WebhookEndpoint:
        """Register a URL for events; see ``Client.create_webhook_endpoint``."""
        return await self._run(self._create_webhook_endpoint(url, event_types))

    async def list_webhook_endpoints(
        self, *, limit: int | None = None, cursor: str | None = None
    ) -> Page[WebhookEndpoint]:
        """One page of webhook endpoints; see ``Client.list_webhook_endpoints``."""
        return await self._run(self._list_webhook_endpoints(limit, cursor))

    async def send_test_event(self, endpoint_id: str) -> str:
        """Send an ``endpoint.test`` event; see ``Client.send_test_event``."""
        return await self._run(self._send_test_event(endpoint_id))
