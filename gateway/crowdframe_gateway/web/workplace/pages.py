"""The worker's pages: the task list, preview, the frame, submit, return (accounts: account.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from crowdframe.signing import origin_of

from ...core.errors import InvalidInput
from ...core.limits import MAX_SUBMIT_BODY_BYTES, read_json
from ...core.records import Worker
from ...core.text import N_, Text
from ...identity import accounts
from ...mturk.external import SUBMIT_PATH, launch
from ...runtime import Runtime
from ...work import actions as work
from .. import i18n
from .session import check_csrf, csrf_token, current_worker
from .standing import confirm_next, confirmation, time_left

__all__ = ["templates"]

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    auto_reload=False,  # templates ship with the code: no stat() of each file on each page
)
i18n.install(_env)
_env.globals["time_left"] = time_left
_env.globals["country_names"] = lambda: i18n.country_names(accounts.COUNTRIES)
_env.globals["language_names"] = lambda: i18n.language_names(accounts.LANGUAGES)
templates = Jinja2Templates(env=_env)


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def locale_of(request: Request, worker: Worker | None = None) -> str:
    """The language the request's pages are in (web/i18n.py): the signed-in worker's choice,
    else this browser's, else its ``Accept-Language``."""
    chosen = (worker.locale if worker else None) or request.cookies.get(i18n.COOKIE)
    return i18n.negotiate(chosen, request.headers.get("accept-language"))


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> Response:
    """The page rendered in the visitor's language. ``error`` and ``notice`` are English (a
    ``GatewayError``, or a text marked with ``N_``): the page shows them translated."""
    base = {
        "csrf": csrf_token(request),
        "worker": None,
        "error": None,
        "field": None,
        "here": request.url.path,
    }
    context = {**base, **(context or {})}
    locale = locale_of(request, context["worker"])
    with i18n.use(locale):
        response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["content-language"] = locale
    return response


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class SignInRequired(Exception):
    """Raised by ``_worker`` so the app can send the visitor to the sign-in page."""


async def _worker(request: Request) -> Worker:
    worker = await current_worker(request)
    if worker is None:
        raise SignInRequired
    return worker


async def home(request: Request) -> Response:
    return _see_other("/work" if await current_worker(request) else "/signin")


async def task_list(request: Request) -> Response:
    """One page of the task list; ``?after=CURSOR`` (the "More projects" link) the next."""
    worker = await _worker(request)
    notice: Text | str | None = {
        "finished": N_("Thank you! There are no more tasks in that project for you right now."),
        "returned": N_("Task returned. It goes back to the pool for someone else."),
        "gone": N_("That task is no longer available."),
    }.get(request.query_params.get("notice", ""))
    after, status = request.query_params.get("after"), 200
    try:
        found = await work.offers(_rt(request), worker, after=after)
    except InvalidInput as exc:  # a hand-made or mangled link: the first page, and why
        notice = Text(
            N_("That link to more projects is not valid (%(why)s): here are the first ones."),
            {"why": f"{exc.field}: {exc.message}"},
        )
        found, after, status = await work.offers(_rt(request), worker), None, exc.status
    context = {
        "worker": worker,
        "offers": found.items,
        "more": found.next_cursor,
        "later_page": after is not None,
        "notice": notice,
        "submitted": await confirmation(_rt(request), worker, request),
    }
    return page(request, "work.html", context, status=status)


async def preview(request: Request) -> Response:
    worker = await _worker(request)
    project_id = request.path_params["project_id"]
    seat = await work.preview(_rt(request), worker, project_id)
    if seat is None:
        project = await _rt(request).store.get_project(project_id)
        if project is not None and project.spec.kind == "assessment":
            return _see_other(f"/work/tests/{project_id}")
        return _see_other("/work?notice=gone")
    return await _frame(request, worker, seat, mode="preview")


async def accept(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    assignment = await work.accept(_rt(request), worker, request.path_params["project_id"])
    if assignment is None:
        return _see_other("/work?notice=gone")
    return _see_other(f"/work/assignments/{assignment.id}")


async def frame(request: Request) -> Response:
    worker = await _worker(request)
    seat = await work.seat(_rt(request), worker, request.path_params["assignment_id"])
    return await _frame(request, worker, seat, mode="work")


async def _frame(request: Request, worker: Worker, seat: work.Seat, *, mode: str) -> Response:
    rt = _rt(request)
    spec = seat.project.spec
    task_origin = origin_of(spec.task_url)
    separator = "&" if "?" in spec.task_url else "?"
    src = (
        spec.task_url
        + separator
        + urlencode(
            {
                "cf_token": seat.token,
                "cf_mode": mode,
                "cf_origin": rt.settings.public_origin,
                "cf_locale": locale_of(request, worker),
            }
        )
    )
    frame_height, frame_src = spec.frame_height, task_origin
    question = None  # in a qualification test: (this question's number, the test's size)
    if spec.kind == "assessment" and seat.assignment is not None:
        attempt = await rt.store.latest_attempt(seat.project.id, worker.id)
        if attempt is not None and attempt.finished_at is None:
            question = (min(attempt.answered + 1, attempt.test_size), attempt.test_size)
    if spec.protocol == "mturk":  # MTurk's ExternalQuestion parameters instead of cf_*
        external = await launch(rt, seat, mode)
        src, frame_height = external.src, external.frame_height
        # the page's form posts to externalSubmit, whose answer page shows in the same iframe
        frame_src = f"{task_origin} {rt.settings.public_origin}{SUBMIT_PATH}"
    response = page(
        request,
        "frame.html",
        {
            "worker": worker,
            "project": seat.project,
            "seat": seat,
            "mode": mode,
            "src": src,
            "task_origin": task_origin,
            "allow": "; ".join(f"{feature} {task_origin}" for feature in spec.allow),
            "frame_height": frame_height,
            "question": question,
            "submitted": await confirmation(rt, worker, request, shown=seat.project),
        },
    )
    response.headers["content-security-policy"] = (
        f"default-src 'self'; frame-src {frame_src}; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'; object-src 'none'"
    )
    features = ("camera", "microphone", "geolocation")
    response.headers["permissions-policy"] = ", ".join(
        f'{f}=(self "{task_origin}")' if f in spec.allow else f"{f}=()" for f in features
    )
    response.headers["cache-control"] = "no-store"
    return response


async def submit(request: Request) -> Response:
    """The host widget relays the task page's submission here (JSON, CSRF header)."""
    worker = await _worker(request)
    await check_csrf(request)
    body = read_json(await request.body(), max_bytes=MAX_SUBMIT_BODY_BYTES, what="result")
    rt = _rt(request)
    address = request.client.host if request.client else None
    done = await work.submit(
        rt, worker, request.path_params["assignment_id"], body, address=address
    )
    if not isinstance(done.after, work.TestResult):  # a test's result is its own confirmation
        confirm_next(request, done.assignment)
    return JSONResponse({"status": done.assignment.status, "next_url": _next_url(done.after)})


def _next_url(after: work.AfterSubmission) -> str:
    """Where the frame page sends the worker after a submission."""
    match after:
        case work.NextTask(assignment):
            return f"/work/assignments/{assignment.id}"
        case work.TestResult(project_id):
            return f"/work/tests/{project_id}"
        case work.Finished():
            return "/work?notice=finished"


async def fresh_token(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    token = await work.fresh_token(_rt(request), worker, request.path_params["assignment_id"])
    return JSONResponse({"token": token}, headers={"cache-control": "no-store"})


async def heartbeat(request: Request) -> Response:
    """The host widget relays the task page's heartbeat here (JSON, CSRF header): the
    assignment's deadline as it is then, in Unix seconds (later, when the project extends
    leases, docs/widgets.md)."""
    worker = await _worker(request)
    await check_csrf(request)
    live = await work.heartbeat(_rt(request), worker, request.path_params["assignment_id"])
    return JSONResponse({"deadline": int(live.deadline)}, headers={"cache-control": "no-store"})


async def return_task(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    await work.return_assignment(_rt(request), worker, request.path_params["assignment_id"])
    return _see_other("/work?notice=returned")
