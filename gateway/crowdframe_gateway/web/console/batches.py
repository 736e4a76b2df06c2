"""The console's batches from a file: upload (CSV or JSON Lines), the first rows as tasks, the
choice of columns, the whole file checked by the API's rules, a preview of the first row as a
worker sees it, and publishing part by part with progress (docs/console.md, "Batches").

The rules are ``catalog.batch_file``'s (which calls the API's own services); this module only
reads forms, keeps the uploaded file (``uploads.py``) and renders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from crowdframe.signing import origin_of

from ...catalog import batch_file, previews, projects
from ...catalog.batch_file import MAX_FILE_BYTES, MAX_ROWS, BatchFile, Columns
from ...core.errors import GatewayError, InvalidInput, NotFound
from ...core.records import Client, ClientUser, Project, Task, new_id, now
from ...core.text import N_
from ...mturk.external import launch
from ...work.actions import Seat
from .. import i18n
from . import uploads
from .forms import count_of
from .render import page, see_other
from .session import check_csrf, runtime, signed_in_project
from .uploads import Upload

__all__ = ["check", "new_form", "preview", "publish", "rows_page", "upload"]

SHOWN_ROWS = 10  # the first rows shown as tasks
PREVIEW_PSEUDONYM = "console-preview"  # the worker a client's preview token names: nobody


async def _upload(request: Request) -> tuple[ClientUser, Client, Project, Upload]:
    user, client, project = await signed_in_project(request)
    found = await uploads.find(
        runtime(request), request.path_params["upload_id"], client.id, project.id
    )
    if found is None:
        raise NotFound(
            N_("no such upload: it may have expired; upload the file again"), field="file"
        )
    return user, client, project, found


def _limits() -> dict[str, Any]:
    return {
        "max_mb": MAX_FILE_BYTES // 1_000_000,
        "max_bytes": MAX_FILE_BYTES,
        "max_rows": MAX_ROWS,
    }


def _upload_page(
    request: Request, user: ClientUser, project: Project, error: GatewayError | None = None
) -> Response:
    context = {"project": project, **_limits(), "error": error}
    return page(
        request, "batch_upload.html", context, user=user, status=error.status if error else 200
    )


async def new_form(request: Request) -> Response:
    user, _, project = await signed_in_project(request)
    return _upload_page(request, user, project)


async def upload(request: Request) -> Response:
    user, client, project = await signed_in_project(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILE_BYTES + 64_000:  # the form's envelope
        # refused before the body is read; its CSRF token is not needed to refuse
        return _upload_page(request, user, project, batch_file.file_too_large())
    form = await request.form(max_files=1)
    try:
        await check_csrf(request)
        sent = form.get("file")
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise InvalidInput(N_("choose a file"), field="file")
        name, raw = sent.filename, await sent.read(MAX_FILE_BYTES + 1)
        batch_file.parse(name, raw)  # refused here, or kept
    except GatewayError as exc:
        return _upload_page(request, user, project, exc)
    finally:
        await form.close()
    upload_id = await uploads.keep(runtime(request), client.id, project.id, name, raw)
    return see_other(f"/console/projects/{project.id}/batches/{upload_id}")


def _guess(file: BatchFile) -> Columns:
    """The form's first choice: a column named like an id, every other column input."""
    named = [c for c in file.columns if c.lower() in ("external_id", "id", "key")]
    external_id = named[0] if named else file.columns[0]
    gold = next((c for c in file.columns if c.lower().startswith("gold")), None)
    inputs = tuple(c for c in file.columns if c not in (external_id, gold))
    return Columns(external_id, inputs, gold)


def _columns_of(form: FormData | Any) -> Columns:
    gold = str(form.get("gold", "") or "")
    return Columns(
        external_id=str(form.get("external_id", "")),
        inputs=tuple(str(v) for v in form.getlist("input")),
        gold=gold or None,
    )


def _columns_query(columns: Columns) -> str:
    items = [("external_id", columns.external_id), *(("input", c) for c in columns.inputs)]
    if columns.gold:
        items.append(("gold", columns.gold))
    return urlencode(items)


def _rows_page(
    request: Request,
    user: ClientUser,
    project: Project,
    upload: Upload,
    columns: Columns,
    *,
    error: GatewayError | None = None,
    checked: int | None = None,
) -> Response:
    file = upload.file
    shown = file.rows[:SHOWN_ROWS]
    context = {
        "project": project,
        "upload": upload,
        "file": file,
        "shown": shown,
        "bodies": batch_file.task_bodies(file, columns, limit=SHOWN_ROWS),
        "columns": columns,
        "error": error,
        "checked": checked,
        "parts": batch_file.part_count(len(file.rows)),
        "query": _columns_query(columns),
        "base": f"/console/projects/{project.id}/batches/{upload.id}",
    }
    return page(request, "batch.html", context, user=user, status=error.status if error else 200)


async def rows_page(request: Request) -> Response:
    user, _, project, found = await _upload(request)
    return _rows_page(request, user, project, found, _guess(found.file))


async def check(request: Request) -> Response:
    """The whole file judged as tasks with the chosen columns; nothing is created."""
    user, _, project, found = await _upload(request)
    await check_csrf(request)
    columns = _columns_of(await request.form())
    try:
        bodies = uploads.checked(project, found, columns)
    except GatewayError as exc:
        return _rows_page(request, user, project, found, columns, error=exc)
    return _rows_page(request, user, project, found, columns, checked=len(bodies))


async def preview(request: Request) -> Response:
    """The first row framed as the workplace frames a preview (``cf_mode=preview``), with a
    preview token: the page can show it, nothing can submit with it (a submit needs a work
    token for an assignment). The row is not a task yet: its token names a task id that is
    never stored."""
    user, client, project, found = await _upload(request)
    columns = _columns_of(request.query_params)
    first = uploads.checked(project, found, columns)[0]
    created = now()
    task = Task(id=new_id("tsk"), project_id=project.id, external_id=first["external_id"],
                input=first["input"], gold=None, status="open", created_at=created,
                expires_at=created + project.spec.task_lifetime)  # fmt: skip
    rt = runtime(request)
    await previews.keep_preview(rt, client, task)
    token = rt.tokens.issue(
        client, project, task, mode="preview", worker_pseudonym=PREVIEW_PSEUDONYM
    )
    spec = project.spec
    task_origin = origin_of(spec.task_url)
    separator = "&" if "?" in spec.task_url else "?"
    params = {"cf_token": token, "cf_mode": "preview", "cf_origin": rt.settings.public_origin,
              "cf_locale": i18n.locale_of(request)}  # fmt: skip
    src, frame_height = spec.task_url + separator + urlencode(params), spec.frame_height
    if spec.protocol == "mturk":  # MTurk's ExternalQuestion parameters, as the workplace does
        external = await launch(rt, Seat(project, task, token, None), "preview")
        src, frame_height = external.src, external.frame_height
    context = {
        "project": project,
        "first": first,
        "src": src,
        "frame_height": frame_height,
        "token": token,
        "task_origin": task_origin,
        "allow": "; ".join(f"{feature} {task_origin}" for feature in spec.allow),
        "back": f"/console/projects/{project.id}/batches/{found.id}",
    }
    response = page(request, "batch_preview.html", context, user=user)
    response.headers["content-security-policy"] = (
        f"default-src 'self'; frame-src {task_origin}; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'; object-src 'none'"
    )
    return response


async def publish(request: Request) -> Response:
    """Publish a part of the file (htmx: one part a request, the answer shows the progress and
    asks for the next); without JavaScript, every part, then the project's page. The whole
    file is checked first: nothing of a file with a bad row is ever published. A refusal
    while publishing (an ``external_id`` already in the project from another file) stops it
    there and says so; the parts before it stay published."""
    user, client, project, found = await _upload(request)
    await check_csrf(request)
    form = await request.form()
    columns = _columns_of(form)
    created, part = count_of(form, "created"), count_of(form, "part")
    rt = runtime(request)
    stepwise = request.headers.get("hx-request") == "true"
    bodies: list[dict[str, Any]] = []
    try:
        bodies = uploads.checked(project, found, columns)
        for each in [part] if stepwise else range(batch_file.part_count(len(bodies))):
            result = await batch_file.publish_part(rt, client, project.id, found.file, bodies, each)
            created += 0 if result.replayed else len(result.tasks)
    except GatewayError as exc:
        if not stepwise:
            return _rows_page(request, user, project, found, columns, error=exc)
        error: GatewayError | None = exc
    else:
        if not stepwise:
            return see_other(f"/console/projects/{project.id}?notice=published")
        error = None
    parts = batch_file.part_count(len(bodies))
    context = {
        "project": project,
        "published": 0 if error else min(len(bodies), (part + 1) * projects.MAX_BATCH),
        "total": len(bodies),
        "created": created,
        "next_part": part + 1 if part + 1 < parts and not error else None,
        "columns": columns,
        "error": error,
        "base": f"/console/projects/{project.id}/batches/{found.id}",
    }
    return page(request, "_publishing.html", context)  # 200 even so: htmx swaps only those
