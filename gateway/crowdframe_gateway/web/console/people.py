"""The console's people: sign-in and sign-out, accepting an invitation, the team page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...core.errors import Conflict, GatewayError, NotFound, TooManyRequests, Unauthorized
from ...core.text import N_
from ...identity import members, throttle
from .render import page, see_other
from .session import check_csrf, current_user, runtime, sign_in, sign_out, signed_in_user

__all__ = [
    "accept_invitation",
    "home",
    "invitation_form",
    "invite",
    "members_page",
    "remove_member",
    "signin",
    "signin_form",
    "signout",
]

THROTTLE_REALM = "console-signin"  # the console's email counts, apart from workers'
NOTICES = {"removed": N_("Removed from the team.")}


async def home(request: Request) -> Response:
    return see_other("/console/projects" if await current_user(request) else "/console/signin")


async def signin_form(request: Request) -> Response:
    return page(request, "signin.html", {"form": {}})


async def signin(request: Request) -> Response:
    await check_csrf(request)
    form = await request.form()
    email = str(form.get("email", ""))
    ip = request.client.host if request.client else "unknown"
    try:
        await throttle.check_signin(runtime(request), email=email, ip=ip, realm=THROTTLE_REALM)
        user = await members.authenticate(runtime(request), email, str(form.get("password", "")))
    except (TooManyRequests, Unauthorized) as exc:
        context = {"form": {"email": email}, "error": exc, "field": exc.field}
        response = page(request, "signin.html", context, status=exc.status)
        if isinstance(exc, TooManyRequests):
            response.headers["retry-after"] = str(exc.retry_after)
        return response
    sign_in(request, user)
    return see_other("/console/projects")


async def signout(request: Request) -> Response:
    await check_csrf(request)
    sign_out(request)
    return see_other("/console/signin")


async def _invitation_page(
    request: Request, token: str, *, error: GatewayError | None = None
) -> Response:
    try:
        invitation = await members.invitation(runtime(request), token)
    except (NotFound, Conflict) as gone:
        return page(request, "invitation_gone.html", {"refusal": gone}, status=gone.status)
    context = {
        "invitation": invitation,
        "token": token,
        "error": error,
        "field": error.field if error else None,
    }
    return page(request, "invitation.html", context, status=error.status if error else 200)


async def invitation_form(request: Request) -> Response:
    return await _invitation_page(request, request.path_params["token"])


async def accept_invitation(request: Request) -> Response:
    await check_csrf(request)
    token = request.path_params["token"]
    form = await request.form()
    try:
        user = await members.accept(
            runtime(request),
            token,
            password=str(form.get("password", "")),
            repeated=str(form.get("repeated", "")),
        )
    except GatewayError as exc:
        return await _invitation_page(request, token, error=exc)
    sign_in(request, user)
    return see_other("/console/projects?notice=welcome")


async def _members_page(
    request: Request,
    *,
    error: GatewayError | None = None,
    link: str | None = None,
    invited: str = "",
    email: str = "",
) -> Response:
    user = await signed_in_user(request)
    context = {
        "people": await members.members(runtime(request), user),
        "link": link,
        "invited": invited,
        "form": {"email": email},
        "error": error,
        "field": error.field if error else None,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return page(request, "members.html", context, user=user, status=error.status if error else 200)


async def members_page(request: Request) -> Response:
    return await _members_page(request)


async def invite(request: Request) -> Response:
    user = await signed_in_user(request)
    await check_csrf(request)
    form = await request.form()
    email = str(form.get("email", ""))
    try:
        made = await members.invite(
            runtime(request), user, email=email, role=str(form.get("role", "member"))
        )
    except GatewayError as exc:
        return await _members_page(request, error=exc, email=email)
    # no mail is sent (the gateway has no SMTP settings): the owner passes the link on
    return await _members_page(request, link=made.link, invited=made.invitation.email)


async def remove_member(request: Request) -> Response:
    user = await signed_in_user(request)
    await check_csrf(request)
    await members.remove(runtime(request), user, request.path_params["user_id"])
    return see_other("/console/members?notice=removed")
