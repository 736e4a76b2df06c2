"""The console's templates (Jinja2, autoescaped) and the context every page gets, in the
visitor's language (web/i18n.py): the one chosen on a page of the site, else the browser's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from ...core.errors import GatewayError
from ...core.records import ClientUser
from ...core.text import N_, Text
from .. import i18n
from .session import csrf_token

__all__ = ["HTMX_VERSION", "page", "see_other", "shown", "templates"]

HTMX_VERSION = "2.0.11"  # static/vendor/htmx/ (its LICENSE beside it)
UPLOT_VERSION = "1.6.32"  # static/vendor/uplot/ (its LICENSE and README beside it)
TRANSLATED = (
    "error",
    "notice",
    "refusal",
    "delivery_error",
    "delivery_notice",
)  # English in the context; shown translated
ROLES = {"owner": N_("owner"), "member": N_("member")}  # a client user's role, as shown
STATUSES = {"active": N_("active"), "paused": N_("paused")}  # a project's status, as shown


def shown(what: GatewayError | Text | str | None) -> str | None:
    """An English message (an error, a ``Text``, a text marked with ``N_``) in the current
    language; the API's messages as they are written (phrases that name the field)."""
    if what is None:
        return None
    if isinstance(what, GatewayError):
        return i18n.say(Text(what.template, what.params))
    return i18n.say(what)


def amount(value: float, currency: str) -> str:
    """An amount in a currency's units (``9.0``, ``EUR``), as the current language writes it."""
    return i18n.money(round(value * 100), currency)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)
i18n.install(_env)  # _() and the money, date and number filters (web/i18n.py)
_env.filters["amount"] = amount
_env.globals["shown"] = shown
_env.globals["role_name"] = lambda role: i18n.say(ROLES[role])
_env.globals["status_name"] = lambda status: i18n.say(STATUSES[status])
templates = Jinja2Templates(env=_env)


def page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    user: ClientUser | None = None,
    status: int = 200,
) -> Response:
    """The page rendered in the visitor's language. ``error``, ``notice`` and ``refusal`` are
    English (a ``GatewayError``, or a text marked with ``N_``): the page gets them translated."""
    base = {
        "csrf": csrf_token(request),
        "user": user,
        "error": None,
        "field": None,
        "notice": None,
        "here": request.url.path,
        "htmx_version": HTMX_VERSION,
        "uplot_version": UPLOT_VERSION,
        "moment": _moment,
    }
    context = {**base, **(context or {})}
    locale = i18n.locale_of(request)
    with i18n.use(locale):
        for key in TRANSLATED:
            context[key] = shown(context.get(key))
        response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers["content-language"] = locale
    response.headers["cache-control"] = "no-store"
    return response


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _moment(at: float) -> str:
    """A date and time (UTC) as the page's language writes them."""
    return i18n.time_of_day(at, with_date=True)
