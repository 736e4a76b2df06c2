"""Clients of the REST API (``docs/api.md``): ``Client`` blocks, ``AsyncClient`` awaits.

Every API call is first described as data (a ``_Call``) by a mixin of its area (``_projects``,
``_tasks``, ``_assignments``, ``_webhook_admin``, ``_keyring``, ``_quality``, ...);
``_BaseClient`` (``_transport``) builds the request and turns the answer into a model or an
exception. The two clients here differ only in how they send the request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Self, TypeVar

import httpx

from ._assessments import AsyncAssessments, SyncAssessments
from ._assignments import AsyncAssignments, SyncAssignments
from ._call import _Call
from ._conversations import AsyncConversations, SyncConversations
from ._keyring import AsyncKeyring, SyncKeyring
from ._models import Page
from ._projects import AsyncProjects, SyncProjects
from ._quality import AsyncQuality, SyncQuality
from ._results import AsyncResults, SyncResults
from ._tasks import AsyncTasks, SyncTasks
from ._transport import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, _BaseClient
from ._webhook_admin import AsyncWebhookMethods, WebhookMethods

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncClient", "Client"]

T = TypeVar("T")


class Client(
    SyncProjects,
    SyncTasks,
    SyncAssignments,
    SyncKeyring,
    SyncQuality,
    SyncAssessments,
    SyncResults,
    SyncConversations,
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


class AsyncClient(
    AsyncProjects,
    AsyncTasks,
    AsyncAssignments,
    AsyncKeyring,
    AsyncQuality,
    AsyncAssessments,
    AsyncResults,
    AsyncConversations,
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
