"""Request reading and response writing shared by every API handler."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse

from ...core.errors import GatewayError, InvalidJSON, Unauthorized
from ...core.limits import MAX_BODY_BYTES, read_json, too_large
from ...core.records import Client
from ...core.validation import read
from ...identity.credentials import hash_api_key
from ...runtime import Runtime
from .bodies import Empty, PageQuery, Query

Q = TypeVar("Q", bound=Query)
B = TypeVar("B", bound=BaseModel)

__all__ = [
    "Call",
    "client_call",
    "current_client",
    "error_response",
    "json_body",
    "page_params",
    "query",
    "reply",
    "runtime",
]


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def current_client(request: Request) -> Client:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send the API key as 'Authorization: Bearer <key>'")
    client = await runtime(request).store.client_by_key_hash(hash_api_key(key.strip()))
    if client is None:
        raise Unauthorized("unknown or revoked API key")
    return client


@dataclass(frozen=True, slots=True)
class Call:
    """A request from a known client: the runtime, the client whose API key it carries, and
    the request itself (its path's ``{id}``, its body)."""

    rt: Runtime
    client: Client
    request: Request

    @property
    def id(self) -> str:
        """The id the path names (``/projects/{id}``)."""
        return str(self.request.path_params["id"])

    async def body(self) -> dict[str, Any]:
        """The JSON object the request carries (``{}`` for none), for a service to read."""
        return await json_body(self.request)

    async def read(self, model: type[B]) -> B:
        """The body read into ``model``."""
        return read(model, await self.body())

    async def nothing(self) -> None:
        """A body with nothing in it (an action's), refused if it carries any member."""
        await self.read(Empty)

    def query(self, model: type[Q]) -> Q:
        """The query string read into ``model``."""
        return query(self.request, model)


async def client_call(request: Request) -> Call:
    """The request's client (refused without a valid API key), with the runtime."""
    return Call(runtime(request), await current_client(request), request)


async def json_body(request: Request) -> dict[str, Any]:
    raw = await _bounded_body(request, MAX_BODY_BYTES)
    if not raw.strip():
        return {}
    body = read_json(raw)
    if not isinstance(body, dict):
        raise InvalidJSON("the body must be a JSON object")
    return body


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The body, read only as far as ``limit``: a larger one is refused before it is all in
    memory (``TooLarge``), whether it declares its length or not."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large("body", limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large("body", limit)
        chunks.append(chunk)
    return b"".join(chunks)


def query(request: Request, model: type[Q]) -> Q:
    """The query string read into ``model`` (a repeated parameter: its last value)."""
    return read(model, dict(request.query_params))


def page_params(request: Request) -> tuple[str | None, int]:
    page = query(request, PageQuery)
    return page.cursor, page.limit


def reply(body: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status)


def error_response(error: GatewayError) -> JSONResponse:
    return JSONResponse(error.to_json(), status_code=error.status, headers=error.headers)
