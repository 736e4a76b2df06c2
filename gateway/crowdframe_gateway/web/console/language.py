"""The console's language switch: the choice is kept in this browser, as the workplace keeps
it (``i18n.switched``), so a client's people and workers see the site in one language."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .. import i18n
from .session import check_csrf

__all__ = ["choose_language"]


async def choose_language(request: Request) -> Response:
    await check_csrf(request)
    form = await request.form()
    back = str(form.get("next", ""))
    return i18n.switched(request, str(form.get("locale", "")), back, home="/console/")
