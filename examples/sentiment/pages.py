"""How the sentiment example renders its pages, and the launch-token check its frame pages share.

Templates live in ``templates/`` and are rendered with autoescaping: nothing from a token, a task
input or a webhook reaches HTML unescaped. app.py loads this file from its own directory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse

import crowdframe
from crowdframe import task_page_headers

__all__ = ["NO_STORE", "html", "refused", "verified"]

HERE = Path(__file__).resolve().parent
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

_jinja = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def html(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    body = _jinja.get_template(name).render(**context)
    return HTMLResponse(body, status_code=status, headers=headers)


def refused(gateway_origin: str, reason: str, status: int) -> HTMLResponse:
    """The refusal of a frame page; the configured gateway may frame it."""
    headers = task_page_headers(gateway_origin)
    headers["Content-Security-Policy"] += "; default-src 'none'; style-src 'unsafe-inline'"
    return html("refused.html", status, headers, reason=reason)


def verified(
    request: Request, signing_secret: str, public_origin: str, gateway_origin: str
) -> tuple[crowdframe.TaskTokenClaims, str, dict[str, str]] | HTMLResponse:
    """The launch token's claims, the gateway's origin and the page headers, or the refusal."""
    try:
        claims = crowdframe.verify_task_token(
            request.query_params.get("cf_token", ""),
            signing_secret,
            audience=public_origin,
            mode=None,
        )
        # The issuer is trusted only once the signature is: never take cf_origin's word for it.
        gateway = crowdframe.origin_of(claims.iss)
        headers = task_page_headers(gateway)
    except crowdframe.TokenError as exc:
        return refused(gateway_origin, f"The task link is not valid: {exc}.", 403)
    except ValueError:
        return refused(gateway_origin, "The task link names no valid gateway.", 403)
    headers["Content-Security-Policy"] += (
        f"; default-src 'self'; script-src 'self' {gateway}; style-src 'self' 'unsafe-inline'"
    )
    return claims, gateway, headers
