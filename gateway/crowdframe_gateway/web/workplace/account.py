"""The worker's account pages: sign-up, sign-in (back to the page they asked for), sign-out,
a forgotten password (a link by email, then a new password), and confirming their address.

A page that needs a signed-in worker sends a signed-out visitor to ``/signin?next=<path>``
(``__init__.py``); sign-in and sign-up go on to ``next`` when ``identity.rules.landing_path``
lets them (a path on this site), else to ``/work``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ...core.errors import GatewayError, InvalidInput, TooManyRequests, Unauthorized
from ...core.records import Worker
from ...identity import accounts, links, throttle
from ...identity.rules import landing_path
from ...mail import mail_enabled
from ...runtime import Runtime
from .pages import _worker, locale_of, page, templates
from .session import check_csrf, current_worker, sign_in, sign_out

__all__ = [
    "forgot_form",
    "forgot_password",
    "password_changed",
    "reset_form",
    "reset_password",
    "send_verification_again",
    "sign_in_path",
    "signin",
    "signin_form",
    "signout",
    "signup",
    "signup_form",
    "verify_email",
]

HOME = "/work"


def _rt(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def asks_verification(request: Request, worker: Worker | None) -> bool:
    """Whether the page asks the worker to confirm their address (the notice in base.html)."""
    return (
        worker is not None
        and worker.email_verified_at is None
        and mail_enabled(_rt(request).settings)
    )


templates.env.globals["asks_verification"] = asks_verification


def sign_in_path(target: str) -> str:
    """The sign-in page, coming back to ``target`` afterwards."""
    landing = landing_path(target)
    return "/signin" + (f"?{urlencode({'next': landing})}" if landing else "")


def _ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _private(response: Response) -> Response:
    """A page with a password or a link in it: kept in no cache."""
    response.headers["cache-control"] = "no-store"
    return response


# -- sign-up, sign-in, sign-out ------------------------------------------------------------------


async def signup_form(request: Request) -> Response:
    landing = landing_path(request.query_params.get("next"))
    return page(request, "signup.html", {"form": {}, "next": landing})


async def signup(request: Request) -> Response:
    await check_csrf(request)
    form = await request.form()
    landing = landing_path(str(form.get("next", "")))
    values = {
        "email": str(form.get("email", "")),
        "country": str(form.get("country", "")),
        "languages": [str(v) for v in form.getlist("languages")],
        "native": str(form.get("native", "")),
        "skills": str(form.get("skills", "")),
    }
    rt = _rt(request)
    try:
        worker = await accounts.sign_up(
            rt,
            password=str(form.get("password", "")),
            **values,  # type: ignore[arg-type]
        )
    except GatewayError as exc:  # the answers come back, the password too (so it is not retyped)
        kept = {**values, "password": str(form.get("password", ""))}
        context = {"form": kept, "error": exc, "field": exc.field, "next": landing}
        return _private(page(request, "signup.html", context, status=exc.status))
    sign_in(request, worker)
    await links.send_verification(rt, worker, locale=locale_of(request))
    return _see_other(landing or HOME)


async def signin_form(request: Request) -> Response:
    landing = landing_path(request.query_params.get("next"))
    return page(request, "signin.html", {"form": {}, "next": landing})


async def signin(request: Request) -> Response:
    await check_csrf(request)
    form = await request.form()
    email = str(form.get("email", ""))
    landing = landing_path(str(form.get("next", "")))
    context: dict[str, Any] = {"form": {"email": email}, "next": landing}
    try:
        await throttle.check_signin(_rt(request), email=email, ip=_ip(request))
    except TooManyRequests as exc:
        response = page(request, "signin.html", {**context, "error": exc}, status=429)
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    try:
        worker = await accounts.authenticate(_rt(request), email, str(form.get("password", "")))
    except Unauthorized as exc:
        context = {**context, "error": exc, "field": exc.field}
        return page(request, "signin.html", context, status=401)
    sign_in(request, worker)
    return _see_other(landing or HOME)


async def signout(request: Request) -> Response:
    await check_csrf(request)
    sign_out(request)
    return _see_other("/signin")


# -- a forgotten password ------------------------------------------------------------------------


async def forgot_form(request: Request) -> Response:
    return page(request, "password_forgot.html", {"form": {}, "sent": False})


async def forgot_password(request: Request) -> Response:
    """The same answer whether an account has the address or not; throttled as sign-in is
    (per address and per client IP), so it neither tells nor floods a mailbox."""
    await check_csrf(request)
    form = await request.form()
    email = str(form.get("email", "")).strip()
    context: dict[str, Any] = {"form": {"email": email}, "sent": False}
    try:
        accounts.checked_email(email)
        await throttle.check_signin(_rt(request), email=email, ip=_ip(request), realm="reset")
    except GatewayError as exc:
        response = page(request, "password_forgot.html", {**context, "error": exc}, exc.status)
        response.headers.update(exc.headers)
        return response
    await links.request_reset(_rt(request), email, locale=locale_of(request))
    return page(request, "password_forgot.html", {**context, "sent": True})


async def _link_problem(request: Request, exc: GatewayError) -> Response:
    context = {"error": exc, "worker": await current_worker(request)}
    return _private(page(request, "link_problem.html", context, status=exc.status))


async def reset_form(request: Request) -> Response:
    token = request.path_params["token"]
    try:
        worker = await links.open_reset_link(_rt(request), token)
    except GatewayError as exc:
        return await _link_problem(request, exc)
    return _private(page(request, "password_reset.html", {"token": token, "email": worker.email}))


async def reset_password(request: Request) -> Response:
    """Use the link (once): the new password, the address confirmed, and signed in."""
    await check_csrf(request)
    token = request.path_params["token"]
    form = await request.form()
    try:
        worker = await links.reset_password(
            _rt(request), token, password=str(form.get("password", ""))
        )
    except InvalidInput as exc:  # the link is still good: the form again, saying why
        try:
            found = await links.open_reset_link(_rt(request), token)
        except GatewayError as gone:
            return await _link_problem(request, gone)
        context = {"token": token, "email": found.email, "error": exc, "field": exc.field}
        return _private(page(request, "password_reset.html", context, status=exc.status))
    except GatewayError as exc:
        return await _link_problem(request, exc)
    sign_in(request, worker)
    return _see_other("/password/changed")


async def password_changed(request: Request) -> Response:
    return page(request, "password_changed.html", {"worker": await _worker(request)})


# -- confirming the address ----------------------------------------------------------------------


async def verify_email(request: Request) -> Response:
    """The link in the email after sign-up: the address confirmed, signed in or not."""
    signed_in = await current_worker(request)
    try:
        worker = await links.verify_email(_rt(request), request.path_params["token"])
    except GatewayError as exc:
        if signed_in is None or signed_in.email_verified_at is None:
            return await _link_problem(request, exc)
        worker = signed_in  # a link used before, by someone whose address is confirmed
    if signed_in is not None and signed_in.id == worker.id:
        signed_in = worker  # the page no longer asks to confirm it
    return page(request, "verified.html", {"worker": signed_in, "email": worker.email})


async def send_verification_again(request: Request) -> Response:
    worker = await _worker(request)
    await check_csrf(request)
    rt = _rt(request)
    try:
        await throttle.check_signin(rt, email=worker.email, ip=_ip(request), realm="verify")
    except TooManyRequests as exc:
        response = page(request, "error.html", {"worker": worker, "message": exc}, status=429)
        response.headers["retry-after"] = str(exc.retry_after)
        return response
    if not await links.send_verification(rt, worker, locale=locale_of(request, worker)):
        return _see_other(HOME)  # confirmed meanwhile (another tab), or no email at all
    return page(request, "verify_sent.html", {"worker": worker})
