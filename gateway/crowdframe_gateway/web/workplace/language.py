"""The language switch every page has (kept in this browser by ``i18n.switched``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...identity import accounts
from .. import i18n
from .session import check_csrf, current_worker

__all__ = ["choose_language"]


async def choose_language(request: Request) -> Response:
    """Keep the language chosen: in this browser, and in the profile of a signed-in worker
    (so their other devices, and what is written to them, follow)."""
    await check_csrf(request)
    form = await request.form()
    chosen = str(form.get("locale", ""))
    response = i18n.switched(request, chosen, str(form.get("next", "/")))
    if chosen in i18n.LOCALES:
        worker = await current_worker(request)
        if worker is not None:
            await accounts.set_locale(request.app.state.runtime, worker, chosen)
    return response
