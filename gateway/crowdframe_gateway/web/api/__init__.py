"""The client REST API, mounted at /api/v1 (docs/api.md)."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount, Route, WebSocketRoute
from starlette.types import ASGIApp

from ...core.errors import GatewayError
from . import assessments as a
from . import conversations as c
from . import handlers as h
from . import keyring as k
from . import live
from . import quality as q
from . import results as r
from . import webhooks as wh
from .http import error_response

__all__ = ["API_PREFIX", "api_exception_handlers", "api_mount", "api_routes"]

API_PREFIX = "/api/v1"

api_routes = [
    Route("/projects", h.create_project, methods=["POST"]),
    Route("/projects", h.list_projects, methods=["GET"]),
    Route("/projects/{id}", h.get_project, methods=["GET"]),
    Route("/projects/{id}", h.update_project, methods=["PATCH"]),
    Route("/projects/{id}/tasks", h.add_tasks, methods=["POST"]),
    Route("/projects/{id}/results", r.export_results, methods=["GET"]),
    Route("/tasks/{id}", h.get_task, methods=["GET"]),
    Route("/tasks/{id}/cancel", h.cancel_task, methods=["POST"]),
    Route("/assignments", h.list_assignments, methods=["GET"]),
    Route("/assignments/approve", q.bulk_review, methods=["POST"]),
    Route("/assignments/reject", q.bulk_review, methods=["POST"]),
    Route("/assignments/{id}", h.get_assignment, methods=["GET"]),
    Route("/assignments/{id}/approve", h.approve_assignment, methods=["POST"]),
    Route("/assignments/{id}/reject", h.reject_assignment, methods=["POST"]),
    Route("/assignments/{id}/submit", h.submit_assignment, methods=["POST"]),
    Route("/assignments/{id}/bonus", q.bonus, methods=["POST"]),
    Route("/bonuses", q.list_bonuses, methods=["GET"]),
    Route("/disputes", c.list_disputes, methods=["GET"]),
    Route("/disputes/{id}", c.get_dispute, methods=["GET"]),
    Route("/disputes/{id}/overturn", c.overturn_dispute, methods=["POST"]),
    Route("/disputes/{id}/uphold", c.uphold_dispute, methods=["POST"]),
    Route("/messages", c.send_message, methods=["POST"]),
    Route("/messages", c.list_messages, methods=["GET"]),
    Route("/threads", c.list_threads, methods=["GET"]),
    Route("/threads/{id}", c.get_thread, methods=["GET"]),
    Route("/threads/{id}/messages", c.reply_in_thread, methods=["POST"]),
    Route("/tokens/verify", h.verify_token, methods=["POST"]),
    Route("/webhook-endpoints", h.create_endpoint, methods=["POST"]),
    Route("/webhook-endpoints", h.list_endpoints, methods=["GET"]),
    Route("/webhook-endpoints/{id}/test", h.test_endpoint, methods=["POST"]),
    Route("/webhook-endpoints/{id}", wh.get_endpoint, methods=["GET"]),
    Route("/webhook-endpoints/{id}", wh.update_endpoint, methods=["PATCH"]),
    Route("/webhook-endpoints/{id}/rotate-secret", wh.rotate_secret, methods=["POST"]),
    Route("/webhook-endpoints/{id}/messages", wh.list_messages, methods=["GET"]),
    Route("/webhook-endpoints/{id}/replay-failed", wh.replay_failed, methods=["POST"]),
    Route("/webhook-messages/{id}", wh.get_message, methods=["GET"]),
    Route("/webhook-messages/{id}/attempts", wh.list_attempts, methods=["GET"]),
    Route("/webhook-messages/{id}/replay", wh.replay_message, methods=["POST"]),
    WebSocketRoute("/events/live", live.live_events),
    Route("/api-keys", k.create_api_key, methods=["POST"]),
    Route("/api-keys", k.list_api_keys, methods=["GET"]),
    Route("/api-keys/{id}", k.revoke_api_key, methods=["DELETE"]),
    Route("/signing-secrets", k.create_signing_secret, methods=["POST"]),
    Route("/signing-secrets", k.list_signing_secrets, methods=["GET"]),
    Route("/signing-secrets/{kid}", k.delete_signing_secret, methods=["DELETE"]),
    Route("/projects/{id}/gold", q.gold_records, methods=["GET"]),
    Route("/projects/{id}/qualifications", a.list_qualification_attempts, methods=["GET"]),
    Route("/projects/{id}/qualifications/{worker_id}", a.revoke_qualification, methods=["DELETE"]),
    Route("/blocks", q.list_blocks, methods=["GET"]),
    Route("/workers/{worker_id}/block", q.block_worker, methods=["POST"]),
    Route("/workers/{worker_id}/block", q.unblock_worker, methods=["DELETE"]),
]


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    return error_response(exc)


def api_mount(api: ASGIApp) -> Mount:
    """The API under ``/api/v1``, for every path below it: Starlette's mount matches the rest
    of the path with ``.``, which stops at a newline (``%0A``), and such a path would fall
    through to the workplace's HTML 404."""
    mount = Mount(API_PREFIX, app=api)
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount


def _allowed(request: Request) -> str:
    """The methods the request's path answers, across every route of that path (one route a
    method, so Starlette's own ``Allow`` names only the first route's)."""
    methods: set[str] = set()
    for route in api_routes:
        if (
            isinstance(route, Route)
            and route.methods
            and route.matches(request.scope)[0] != Match.NONE
        ):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    error = GatewayError(str(exc.detail), code=code)
    error.status = exc.status_code
    response = error_response(error)
    if exc.status_code == 405:
        response.headers["allow"] = _allowed(request)
    return response


api_exception_handlers = {GatewayError: _gateway_error, HTTPException: _http_error}
