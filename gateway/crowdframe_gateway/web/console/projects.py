"""The console's projects: the list with live progress, create, edit, detail, pause, resume.

Every change calls the service the REST API's handler calls (``catalog.projects``), so the
console and the API accept, refuse and explain the same things; another client's project is
``NotFound``, as in the API.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ...catalog import projects
from ...core.errors import GatewayError, InvalidInput
from ...core.records import ClientUser, Project
from ...core.text import N_
from ...review.progress import Progress, progress
from . import forms
from .render import page, see_other
from .session import check_csrf, runtime, signed_in_client, signed_in_project

__all__ = [
    "board",
    "create",
    "detail",
    "edit_form",
    "list_page",
    "new_form",
    "pause",
    "pay_check",
    "progress_fragment",
    "resume",
    "update",
]

PAGE_SIZE = 50
POLL_SECONDS = 3  # how often an open list or project page asks for its progress

NOTICES = {
    "welcome": N_("Welcome! You are signed in to your team's console."),
    "created": N_("Project created."),
    "saved": N_("Changes saved."),
    "paused": N_("Project paused: workers no longer get its tasks."),
    "resumed": N_("Project resumed: workers get its tasks again."),
    "published": N_("Tasks from the file published."),
}


async def _board_context(request: Request, client_id: str) -> dict[str, Any]:
    rt = runtime(request)
    cursor = request.query_params.get("cursor") or None
    found = await rt.store.list_projects(client_id, cursor=cursor, limit=PAGE_SIZE)
    rows: list[tuple[Project, Progress]] = [(p, await progress(rt, p)) for p in found.items]
    query = f"?{urlencode({'cursor': cursor})}" if cursor else ""
    return {"rows": rows, "more": found.next_cursor, "board_url": f"/console/projects/board{query}",
            "poll": POLL_SECONDS}  # fmt: skip


async def list_page(request: Request) -> Response:
    user, client = await signed_in_client(request)
    context = await _board_context(request, client.id)
    context["notice"] = NOTICES.get(request.query_params.get("notice", ""))
    return page(request, "projects.html", context, user=user)


async def board(request: Request) -> Response:
    """The list's progress, every few seconds (htmx): the same rows, counted afresh."""
    _, client = await signed_in_client(request)
    return page(request, "_board.html", await _board_context(request, client.id))


def _form_page(
    request: Request,
    user: ClientUser,
    *,
    values: forms.Values,
    project: Project | None = None,
    error: GatewayError | None = None,
) -> Response:
    context = {
        "groups": forms.PROJECT_FIELDS,
        "crowd_fields": forms.CROWD_REVIEW_FIELDS,
        "values": values,
        "project": project,
        "error": error,
        "field": error.field if error else None,
        "pay": _pay_context(forms.body_from_form(forms.form_data(values), editing=False)),
    }
    status = error.status if error else 200
    return page(request, "project_form.html", context, user=user, status=status)


def _pay_context(body: dict[str, Any]) -> dict[str, Any]:
    try:
        preview = projects.pay_preview(body)
    except InvalidInput as exc:
        return {"preview": None, "problem": exc}
    return {"preview": preview, "problem": None}


async def new_form(request: Request) -> Response:
    user, _ = await signed_in_client(request)
    return _form_page(request, user, values=forms.blank_values())


async def create(request: Request) -> Response:
    user, client = await signed_in_client(request)
    await check_csrf(request)
    form = await request.form()
    try:
        project = await projects.create_project(
            runtime(request), client, forms.body_from_form(form, editing=False)
        )
    except GatewayError as exc:
        values = forms.values_from_form(form, forms.blank_values())
        return _form_page(request, user, values=values, error=exc)
    return see_other(f"/console/projects/{project.id}?notice=created")


async def pay_check(request: Request) -> Response:
    """The fair-pay check of the form as it is now, before saving (htmx, on every change)."""
    await signed_in_client(request)
    await check_csrf(request)
    form = await request.form()
    body = forms.body_from_form(form, editing=False)
    return page(request, "_pay.html", {"pay": _pay_context(body)})


async def detail(request: Request) -> Response:
    user, _, project = await signed_in_project(request)
    context = {
        "project": project,
        "progress": await progress(runtime(request), project),
        "poll": POLL_SECONDS,
        "values": forms.values_from_spec(project.spec),
        "groups": forms.PROJECT_FIELDS,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return page(request, "project.html", context, user=user)


async def progress_fragment(request: Request) -> Response:
    _, _, project = await signed_in_project(request)
    context = {"project": project, "progress": await progress(runtime(request), project),
               "poll": POLL_SECONDS}  # fmt: skip
    return page(request, "_progress.html", context)


async def edit_form(request: Request) -> Response:
    user, _, project = await signed_in_project(request)
    return _form_page(request, user, values=forms.values_from_spec(project.spec), project=project)


async def update(request: Request) -> Response:
    user, client, project = await signed_in_project(request)
    await check_csrf(request)
    form = await request.form()
    try:
        await projects.update_project(
            runtime(request), client, project.id, forms.body_from_form(form, editing=True)
        )
    except GatewayError as exc:
        stored = forms.values_from_spec(project.spec)
        values = forms.values_from_form(form, stored)
        for field in forms.every_field():
            if field.fixed:  # never changed here: shown as they are
                values[field.name] = stored[field.name]
        return _form_page(request, user, values=values, project=project, error=exc)
    return see_other(f"/console/projects/{project.id}?notice=saved")


async def _set_status(request: Request, status: str, notice: str) -> Response:
    _, client, project = await signed_in_project(request)
    await check_csrf(request)
    # PATCH /projects/{id} {"status": ...}: the API's own service call
    await projects.update_project(runtime(request), client, project.id, {"status": status})
    return see_other(f"/console/projects/{project.id}?notice={notice}")


async def pause(request: Request) -> Response:
    return await _set_status(request, "paused", "paused")


async def resume(request: Request) -> Response:
    return await _set_status(request, "active", "resumed")
