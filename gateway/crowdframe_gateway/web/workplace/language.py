"""The language switch every page has: the choice is kept in a cookie for a year."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...identity import accounts
from ...identity.rules import same_site_path
from .. import i18n
from .session import check_csrf, current_worker

__all__ = ["choose_language"]

_YEAR = 365 * 24 * 3600


def _back_to(target: str) -> str:
    """The page to go back to: a path on this site only (never another origin)."""
    return same_site_path(target) or "/"


async def choose_language(request: Request) -> Response:
    """Keep the language chosen: in this browser, and in the profile of a signed-in worker
    (so their other devices, and what is written to them, follow)."""
    await check_csrf(request)
    form = await request.form()
    response = RedirectResponse(_back_to(str(form.get("next", "/"))), status_code=303)
    chosen = str(form.get("locale", ""))
    if chosen in i18n.LOCALES:
        secure = request.url.scheme == "https"
        response.set_cookie(
            i18n.COOKIE, chosen, max_age=_YEAR, samesite="lax", secure=secure, httponly=True
        )
        worker = await current_worker(request)
        if worker is not None:
            await accounts.set_locale(request.app.state.runtime, worker, chosen)
    return response
