"""The worker's page of one qualification test: how to take it, the last result, what next."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response

from ...core.errors import NotFound
from ...core.records import now
from ...quality import assessments
from ...quality.rules import needed_correct
from ...runtime import Runtime
from .pages import _worker, page, templates

__all__ = ["retry_time", "test_page"]


def retry_time(at: float | None) -> str:
    """``"10:03:05 UTC (in 5 seconds)"``: when a cool-down ends, for the worker."""
    if at is None:
        return "a later time"
    left = max(0, math.ceil(at - now()))
    clock = datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S UTC")
    if left < 120:
        wait = f"{left} second{'' if left == 1 else 's'}"
    elif left < 2 * 3600:
        wait = f"{round(left / 60)} minutes"
    else:
        wait = f"{round(left / 3600)} hours"
    day = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d ")
    return f"{day if left >= 12 * 3600 else ''}{clock} (in {wait})"


templates.env.globals["retry_time"] = retry_time


async def test_page(request: Request) -> Response:
    worker = await _worker(request)
    rt: Runtime = request.app.state.runtime
    step = await assessments.step(rt, worker, request.path_params["project_id"])
    if step is None:
        raise NotFound("there is no such test", field="project_id")
    spec = step.assessment.spec
    return page(
        request,
        "test.html",
        {
            "worker": worker,
            "step": step,
            "spec": spec,
            "latest": step.latest,
            "needed": needed_correct(spec.pass_score, spec.test_size),
        },
    )
