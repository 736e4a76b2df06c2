"""The console's templates (Jinja2, autoescaped) and the context every page gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from ...core.records import ClientUser
from .. import i18n
from .session import csrf_token

__all__ = ["HTMX_VERSION", "page", "see_other", "templates"]

HTMX_VERSION = "2.0.11"  # static/vendor/htmx/ (its LICENSE beside it)

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
i18n.install(_env)  # _() and the money, date and number filters (web/i18n.py)
templates = Jinja2Templates(env=_env)


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    user: ClientUser | None = None,
    status: int = 200,
) -> Response:
    base = {
        "csrf": csrf_token(request),
        "user": user,
        "error": None,
        "field": None,
        "notice": None,
        "htmx_version": HTMX_VERSION,
    }
    response = templates.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status
    )
    response.headers["cache-control"] = "no-store"
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
