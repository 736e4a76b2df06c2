"""The worker's profile page: the languages and skills projects choose workers by."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...catalog.eligibility import worker_languages
from ...conversations import notices
from ...core.errors import GatewayError
from ...core.records import Worker
from ...identity import accounts
from ...mail import mail_enabled
from ...runtime import Runtime
from .pages import _worker, page
from .session import check_csrf

__all__ = ["profile_form", "save_profile"]


def _form_of(worker: Worker) -> dict[str, Any]:
    levels = worker_languages(worker)
    native = next((code for code, level in levels.items() if level == "native"), "")
    return {
        "native": native,
        "languages": [code for code, level in levels.items() if level != "native"],
        "skills": ", ".join(worker.skills),
    }


async def _context(
    rt: Runtime, worker: Worker, form: dict[str, Any], **more: Any
) -> dict[str, Any]:
    return {
        "notice_labels": notices.NOTICE_LABELS,
        "optouts": await rt.store.notice_optouts(worker.id),
        # notices are emailed to a confirmed address only (conversations/email.py)
        "email_notices": mail_enabled(rt.settings) and worker.email_verified_at is not None,
        "worker": worker,
        "form": form,
        "saved": False,
        **more,
    }


async def profile_form(request: Request) -> Response:
    worker = await _worker(request)
    saved = request.query_params.get("saved") == "1"
    rt: Runtime = request.app.state.runtime
    context = await _context(rt, worker, _form_of(worker), saved=saved)
    return page(request, "profile.html", context)


async def save_profile(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    form = await request.form()
    values = {
        "native": str(form.get("native", "")),
        "languages": [str(v) for v in form.getlist("languages")],
        "skills": str(form.get("skills", "")),
    }
    rt: Runtime = request.app.state.runtime
    try:
        await accounts.update_profile(rt, worker, **values)  # type: ignore[arg-type]
    except GatewayError as exc:
        context = await _context(rt, worker, values, error=exc, field=exc.field)
        return page(request, "profile.html", context, status=exc.status)
    return RedirectResponse("/profile?saved=1", status_code=303)
