"""API handlers of assessments: each worker's attempts, and revoking a qualification."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...core.events import attempt_data
from ...core.records import AssessmentAttempt
from ...quality import assessments
from .http import client_call, page_params, reply
from .views import page_view

__all__ = ["list_qualification_attempts", "revoke_qualification"]


def attempt_view(attempt: AssessmentAttempt) -> dict[str, Any]:
    """An attempt as the API shows it; ``passed`` is null while it is under way."""
    return {
        "object": "qualification_attempt",
        **attempt_data(attempt),
        "test_size": attempt.test_size,
        "passed": attempt.passed,
    }


async def list_qualification_attempts(request: Request) -> JSONResponse:
    """Every worker's attempts at an assessment, in the order they started."""
    call = await client_call(request)
    cursor, limit = page_params(request)
    found = await assessments.list_attempts(
        call.rt, call.client, call.id, cursor=cursor, limit=limit
    )
    return reply(page_view(found, attempt_view))


async def revoke_qualification(request: Request) -> JSONResponse:
    """Revoke the qualification an assessment granted a worker."""
    call = await client_call(request)
    await assessments.revoke(call.rt, call.client, call.id, request.path_params["worker_id"])
    return reply({"revoked": True})
