"""The worker's side: the ExternalQuestion frame URL, and ``POST /mturk/externalSubmit``.

The form post comes from the task page inside the iframe, a cross-site request, so it carries no
session cookie and no CSRF token: the ``assignmentId`` credential is what authenticates it. The
answer page renders inside the iframe, on the gateway's origin, and tells the frame page (same
origin) where the worker goes next; crowdframe-host.js then moves the top page on, exactly as
after a native submit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jinja2
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ..core.errors import Conflict, TooLarge
from ..core.limits import MAX_RESULT_BYTES
from ..quality import record_submission
from ..work import Seat, next_assignment
from .ids import (
    PREVIEW_ASSIGNMENT_ID,
    assignment_credential,
    assignment_from_credential,
    hit_id,
    worker_id,
)

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["SUBMIT_PATH", "Launch", "answer_page", "external_submit", "launch"]

SUBMIT_PATH = "/mturk/externalSubmit"
# the form's encoding is larger than the answer it carries: the answer itself is checked after
MAX_FORM_BYTES = 2 * MAX_RESULT_BYTES
_TOO_LARGE = "This answer is larger than 1 MB and was not saved."
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)


@dataclass(frozen=True, slots=True)
class Launch:
    """How the frame page shows an ExternalQuestion: its URL and height (0: fill)."""

    src: str
    frame_height: int


async def launch(rt: Runtime, seat: Seat, mode: str) -> Launch:
    hit = await rt.store.get_hit(seat.task.id)
    url = hit.external_url if hit is not None else seat.project.spec.task_url
    height = hit.frame_height if hit is not None else (seat.project.spec.frame_height or 0)
    params = {
        "assignmentId": PREVIEW_ASSIGNMENT_ID,
        "hitId": hit_id(seat.task.id),
        "turkSubmitTo": rt.settings.public_origin,
    }
    if seat.assignment is not None and mode == "work":
        params["assignmentId"] = assignment_credential(rt.secret_key, seat.assignment.id)
        params["workerId"] = worker_id(seat.assignment.worker_pseudonym)
    separator = "&" if "?" in url else "?"
    return Launch(url + separator + urlencode(params), height)


def answer_page(
    request: Request, message: str, *, status: int, next_url: str | None = None
) -> Response:
    response = templates.TemplateResponse(
        request,
        "submitted.html",
        {"message": message, "next_url": next_url or "", "ok": 200 <= status < 300},
        status_code=status,
    )
    # Shown inside the frame page's iframe: framable by the gateway itself, nothing else.
    response.headers["content-security-policy"] = (
        "default-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none';"
        " object-src 'none'"
    )
    response.headers["x-frame-options"] = "SAMEORIGIN"
    response.headers["cache-control"] = "no-store"
    return response


def _answer(form: Any) -> dict[str, Any] | None:
    """Every field but assignmentId; None if a file was attached (ExternalQuestion has none)."""
    answer: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name == "assignmentId":
            continue
        if isinstance(value, UploadFile):
            if value.filename:
                return None
            continue  # an empty file input
        if name in answer:
            previous = answer[name]
            answer[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            answer[name] = value
    return answer


def _credential(form: Any, request: Request) -> str | None:
    """The assignmentId: the form's field first, then the URL's query (an experiment library's
    MTurk submit posts to ``externalSubmit?assignmentId=…`` with only the answers in the form,
    which MTurk accepted)."""
    for found in (form.get("assignmentId"), request.query_params.get("assignmentId")):
        if isinstance(found, str) and found:
            return found
    return None


async def _next_url(rt: Runtime, worker_id: str, project_id: str, *, claim: bool) -> str:
    worker = await rt.store.get_worker(worker_id)
    if worker is None:
        return "/work"
    if claim:
        following = await next_assignment(rt, worker, project_id)
    else:  # a repeat: go where the first submission went, changing nothing
        following = await rt.store.live_assignment(project_id, worker.id)
    return f"/work/assignments/{following.id}" if following else "/work?notice=finished"


async def external_submit(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    if not request.headers.get("content-type", "").startswith(_FORMS):
        return answer_page(
            request,
            "Submit the task page's form (application/x-www-form-urlencoded or"
            " multipart/form-data).",
            status=415,
        )
    if len(await request.body()) > MAX_FORM_BYTES:
        return answer_page(request, _TOO_LARGE, status=413)
    form = await request.form()
    credential = _credential(form, request)
    if credential is None:
        return answer_page(
            request, "Neither the form nor the URL included an assignmentId.", status=400
        )
    if credential == PREVIEW_ASSIGNMENT_ID:
        return answer_page(
            request, "This is a preview: accept the task before submitting an answer.", status=403
        )
    assignment_id = assignment_from_credential(rt.secret_key, credential)
    assignment = None if assignment_id is None else await rt.store.get_assignment(assignment_id)
    if assignment is None:
        return answer_page(request, "This assignmentId is not one Crowdframe issued.", status=404)
    answer = _answer(form)
    if answer is None:
        return answer_page(
            request, "File uploads are not supported; nothing was saved.", status=400
        )
    try:
        address = request.client.host if request.client else None
        done = await record_submission(rt, assignment, answer, address=address)
    except TooLarge:
        return answer_page(request, _TOO_LARGE, status=413)
    except Conflict as exc:
        if exc.code == "already_submitted":
            next_url = await _next_url(rt, assignment.worker_id, assignment.project_id, claim=False)
            return answer_page(
                request,
                "This answer was already received; nothing changed.",
                status=409,
                next_url=next_url,
            )
        state = exc.message.removeprefix("this assignment is ")
        return answer_page(
            request,
            f"This task can no longer be submitted ({state}); nothing was saved.",
            status=409,
        )
    next_url = await _next_url(rt, done.worker_id, done.project_id, claim=True)
    return answer_page(
        request, "Thank you! Your answer was received.", status=200, next_url=next_url
    )
