"""The console's results: a project's answers in a table with filters, each answer's input and
result, agreement per task; approve or reject one, a selection or everything filtered (a page at
a time, with progress); a bonus; blocking a worker; the export of what is filtered; and the
project's workers with their records (docs/console.md, "Results").

Every action calls the service the REST API's handler calls (``review.assignments`` through
``review.answers``, ``review.bonuses``, ``quality.process.block_worker``; the export's
``catalog.export``), so the console and the API accept, refuse and explain the same things.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from ...catalog.export import MEDIA, ExportFormat, encode_rows, export_row
from ...core.errors import GatewayError, InvalidInput, NotFound
from ...core.records import ANSWERED, SIGNALS, Assignment, Client, ClientUser, Project, new_id
from ...core.text import N_
from ...quality import process as quality
from ...review import answers
from ...review.assignments import owned_assignment
from ...review.bonuses import pay_bonus
from ...runtime import Runtime
from .forms import count_of
from .render import page, see_other
from .session import check_csrf, runtime, signed_in_project

__all__ = [
    "answer_page",
    "block",
    "bonus",
    "export",
    "results_page",
    "review_filtered",
    "review_selection",
    "workers_page",
]

NOTICES = {
    "approved": N_("Approved."),
    "rejected": N_("Rejected: the worker reads your reason on their earnings page."),
    "bonus": N_("Bonus paid: the worker is told."),
    "blocked": N_("Worker blocked: they get no more of your tasks there."),
}


async def _answer(request: Request) -> tuple[ClientUser, Client, Project, Assignment]:
    """The client's answer on this project: another client's, or another project's, is "no
    such assignment" (404)."""
    user, client, project = await signed_in_project(request)
    assignment = await owned_assignment(
        runtime(request), client, request.path_params["assignment_id"]
    )
    if assignment.project_id != project.id:
        raise NotFound("no such assignment", field="assignment_id")
    return user, client, project, assignment


def pretty(value: Any) -> str:
    """JSON as people read it (the page escapes it)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def _base(project: Project) -> str:
    return f"/console/projects/{project.id}"


def _filter_context(project: Project, chosen: answers.AnswerFilter) -> dict[str, Any]:
    query = chosen.query()
    return {
        "project": project,
        "chosen": chosen,
        "filters": query,
        "query": urlencode(query),
        "statuses": ANSWERED,
        "signals": SIGNALS,
        "base": _base(project),
    }


async def results_page(request: Request) -> Response:
    user, client, project = await signed_in_project(request)
    rt = runtime(request)
    params = request.query_params
    try:
        chosen = answers.answer_filter(params)
    except InvalidInput as exc:
        context = {**_filter_context(project, answers.AnswerFilter()), "rows": [],
                   "agreement": {}, "next": None, "cursor": None, "pretty": pretty,
                   "error": exc, "field": exc.field}  # fmt: skip
        return page(request, "results.html", context, user=user, status=exc.status)
    cursor = params.get("cursor") or None
    found = await answers.answers_page(rt, client, project, chosen, cursor)
    agreement = await answers.agreement_of(rt, [a.assignment.task_id for a in found.items])
    context = {
        **_filter_context(project, chosen),
        "rows": found.items,
        "agreement": agreement,
        "next": found.next_cursor,
        "cursor": cursor,
        "pretty": pretty,
        "notice": NOTICES.get(params.get("notice", "")),
    }
    return page(request, "results.html", context, user=user)


def _reason(form: FormData) -> str:
    return str(form.get("reason", ""))  # read as the API reads it: empty is refused


def _approving(form: FormData) -> bool:
    action = form.get("action")
    if action not in ("approve", "reject"):
        raise InvalidInput("choose approve or reject", field="action")
    return action == "approve"


async def review_selection(request: Request) -> Response:
    """Approve or reject the answers chosen (one, from its page, or a selection of the
    table), each on its own as the API's bulk review does; back to where it was asked."""
    user, client, project = await signed_in_project(request)
    await check_csrf(request)
    form = await request.form()
    ids = [str(i) for i in form.getlist("ids")]
    back = str(form.get("back", "")) or f"{_base(project)}/results"
    if not back.startswith(f"{_base(project)}/results"):
        back = f"{_base(project)}/results"
    try:
        approving = _approving(form)
        if not ids:
            raise InvalidInput("choose at least one answer", field="ids")
        for assignment_id in ids:  # only this project's answers: another is "no such"
            found = await owned_assignment(runtime(request), client, assignment_id)
            if found.project_id != project.id:
                raise NotFound("no such assignment", field="ids")
        outcome = await answers.review_each(
            runtime(request), client, ids, approving=approving, reason=_reason(form)
        )
    except InvalidInput as exc:
        context = {"project": project, "error": exc, "field": exc.field, "back": back,
                   "outcome": None}  # fmt: skip
        return page(request, "reviewed.html", context, user=user, status=exc.status)
    if not outcome.refused:
        notice = "approved" if approving else "rejected"
        joiner = "&" if "?" in back else "?"
        return see_other(f"{back}{joiner}notice={notice}")
    context = {"project": project, "outcome": outcome, "approving": approving, "back": back}
    return page(request, "reviewed.html", context, user=user)


async def review_filtered(request: Request) -> Response:
    """Approve or reject everything the filter keeps that waits for review: a page of the
    filter a request (htmx: each answer shows the progress and asks for the next page);
    without JavaScript every page, then the table. Never more than a page in memory."""
    user, client, project = await signed_in_project(request)
    await check_csrf(request)
    form = await request.form()
    rt = runtime(request)
    stepwise = request.headers.get("hx-request") == "true"
    done, refused = count_of(form, "done"), count_of(form, "refused")
    cursor = str(form.get("cursor", "")) or None
    error: GatewayError | None = None
    try:
        chosen = answers.answer_filter({k: str(v) for k, v in form.items()})
        approving = _approving(form)
        reason = _reason(form)
        while True:
            outcome, cursor = await answers.review_page(
                rt, client, project, chosen, cursor, approving=approving, reason=reason
            )
            done, refused = done + len(outcome.done), refused + len(outcome.refused)
            if stepwise or cursor is None:
                break
    except InvalidInput as exc:
        if not stepwise:
            context = {"project": project, "error": exc, "field": exc.field,
                       "back": f"{_base(project)}/results", "outcome": None}  # fmt: skip
            return page(request, "reviewed.html", context, user=user, status=exc.status)
        error, chosen, approving = exc, answers.AnswerFilter(), False
    if not stepwise:
        query = urlencode({**chosen.query(), "notice": "approved" if approving else "rejected"})
        return see_other(f"{_base(project)}/results?{query}")
    context = {
        "project": project,
        "filters": chosen.query(),
        "action": "approve" if approving else "reject",
        "reason": str(form.get("reason", "")),
        "done": done,
        "refused": refused,
        "cursor": cursor,
        "error": error,
        "base": _base(project),
    }
    return page(request, "_reviewing.html", context)  # 200 even so: htmx swaps only those


async def answer_page(request: Request) -> Response:
    user, _, project, assignment = await _answer(request)
    rt = runtime(request)
    task = await rt.store.get_task(assignment.task_id)
    agreement = await answers.agreement_of(rt, [assignment.task_id])
    context = {
        "project": project,
        "assignment": assignment,
        "task": task,
        "agreement": agreement.get(assignment.task_id),
        "pretty": pretty,
        "base": _base(project),
        "once": new_id("once"),
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return page(request, "answer.html", context, user=user)


def _amount(text: str) -> Any:
    text = text.strip()
    return int(text) if text.isdigit() else text  # not a number: the API says so


async def bonus(request: Request) -> Response:
    """A bonus on the answer, as ``POST /assignments/{id}/bonus`` pays it; the form's own
    token is the request's idempotency key, so sending the form twice pays once."""
    user, client, project, assignment = await _answer(request)
    await check_csrf(request)
    form = await request.form()
    body = {"amount_cents": _amount(str(form.get("amount_cents", ""))),
            "reason": str(form.get("reason", ""))}  # fmt: skip
    key = str(form.get("once", "")) or None
    try:
        await pay_bonus(runtime(request), client, assignment.id, body, key)
    except GatewayError as exc:
        return await _answer_again(request, user, project, assignment, exc)
    return see_other(f"{_base(project)}/results/{assignment.id}?notice=bonus")


async def _answer_again(
    request: Request, user: ClientUser, project: Project, assignment: Assignment,
    exc: GatewayError,
) -> Response:  # fmt: skip
    rt = runtime(request)
    task = await rt.store.get_task(assignment.task_id)
    agreement = await answers.agreement_of(rt, [assignment.task_id])
    context = {"project": project, "assignment": assignment, "task": task,
               "agreement": agreement.get(assignment.task_id), "pretty": pretty,
               "base": _base(project), "once": new_id("once"), "error": exc,
               "field": exc.field}  # fmt: skip
    return page(request, "answer.html", context, user=user, status=exc.status)


async def block(request: Request) -> Response:
    """Block the answer's worker from this project, or from every project of the client
    (``scope=all``), as ``POST /workers/{id}/block`` does."""
    user, client, project, assignment = await _answer(request)
    await check_csrf(request)
    form = await request.form()
    scope = "" if form.get("scope") == "all" else project.id
    body = {"reason": str(form.get("reason", "")), "project_id": scope}
    try:
        await quality.block_worker(runtime(request), client, assignment.worker_pseudonym, body)
    except GatewayError as exc:
        return await _answer_again(request, user, project, assignment, exc)
    return see_other(f"{_base(project)}/results/{assignment.id}?notice=blocked")


async def _export_rows(
    rt: Runtime, client: Client, project: Project, chosen: answers.AnswerFilter
) -> AsyncIterator[list[dict[str, Any]]]:
    async for page_of in answers.every_answer(rt, client, project, chosen):
        yield [export_row(a.assignment, a.task) for a in page_of]


def _format(params: Mapping[str, str]) -> ExportFormat:
    match params.get("format") or "csv":
        case "csv":
            return "csv"
        case "jsonl":
            return "jsonl"
    raise InvalidInput("format must be one of: csv, jsonl", field="format")


async def export(request: Request) -> StreamingResponse:
    """What the filter keeps, streamed in the export's format (``GET /projects/{id}/results``
    rows, CSV or JSON Lines), a page at a time."""
    _, client, project = await signed_in_project(request)
    # everything that can refuse the request is checked before the first byte is sent
    fmt = _format(request.query_params)
    chosen = answers.answer_filter(request.query_params)
    rows = _export_rows(runtime(request), client, project, chosen)
    return StreamingResponse(
        encode_rows(rows, fmt),
        media_type=MEDIA[fmt],
        headers={
            "content-disposition": f'attachment; filename="{project.id}-results.{fmt}"',
            "cache-control": "no-store",
        },
    )


async def workers_page(request: Request) -> Response:
    user, client, project = await signed_in_project(request)
    records = await answers.worker_records(runtime(request), client, project)
    context = {"project": project, "records": records, "base": _base(project)}
    return page(request, "workers.html", context, user=user)
