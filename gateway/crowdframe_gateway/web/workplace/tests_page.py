"""The worker's page of one qualification test: how to take it, the last result, what next."""

from __future__ import annotations

import math

from starlette.requests import Request
from starlette.responses import Response

from ...core.errors import NotFound
from ...core.records import now
from ...quality import assessments
from ...quality.rules import needed_correct
from ...runtime import Runtime
from .. import i18n
from .pages import _worker, page, templates

__all__ = ["retry_time", "test_page"]


def retry_time(at: float | None) -> str:
    """``"10:03:05 UTC (in 5 seconds)"``: when a cool-down ends, for the worker, in their
    language (the date too when it is half a day off or more)."""
    if at is None:
        return i18n.gettext("a later time")
    left = max(0, math.ceil(at - now()))
    if left < 120:
        wait = i18n.ngettext("in %(num)s second", "in %(num)s seconds", left) % {"num": left}
    elif left < 2 * 3600:
        wait = i18n.gettext("in %(num)s minutes") % {"num": round(left / 60)}
    else:
        wait = i18n.gettext("in %(num)s hours") % {"num": round(left / 3600)}
    return f"{i18n.time_of_day(at, with_date=left >= 12 * 3600)} ({wait})"


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
