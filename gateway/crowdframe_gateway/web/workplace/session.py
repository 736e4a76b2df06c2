"""The worker's session (a signed cookie) and CSRF protection for everything that changes state."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request

from ...core.errors import Forbidden
from ...core.records import Worker
from ...runtime import Runtime

__all__ = ["check_csrf", "csrf_token", "current_worker", "sign_in", "sign_out"]

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"


def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def current_worker(request: Request) -> Worker | None:
    worker_id = request.session.get("worker_id")
    if not isinstance(worker_id, str):
        return None
    return await _runtime(request).store.get_worker(worker_id)


def sign_in(request: Request, worker: Worker) -> None:
    request.session.clear()  # a new session on sign-in: no fixation
    request.session["worker_id"] = worker.id
    request.session["csrf"] = secrets.token_urlsafe(24)


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


async def check_csrf(request: Request) -> None:
    """A state-changing request must carry the session's CSRF token (form field or header)."""
    expected = request.session.get("csrf")
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise Forbidden("this form has expired; reload the page and try again", code="csrf")
