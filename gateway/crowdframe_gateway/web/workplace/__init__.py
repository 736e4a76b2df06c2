"""The workplace: the pages workers use, on a phone as on a desktop."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ...core.errors import GatewayError
from ...core.text import N_
from . import account as a
from . import pages as p
from .earnings import earnings_page
from .inbox import dispute, inbox_page, mute_thread, reply_in_thread, save_notices, thread_page
from .language import choose_language
from .profile import profile_form, save_profile
from .tests_page import test_page

__all__ = ["workplace_exception_handlers", "workplace_routes"]

workplace_routes = [
    Route("/", p.home, methods=["GET"]),
    Route("/signup", a.signup_form, methods=["GET"]),
    Route("/signup", a.signup, methods=["POST"]),
    Route("/signin", a.signin_form, methods=["GET"]),
    Route("/signin", a.signin, methods=["POST"]),
    Route("/signout", a.signout, methods=["POST"]),
    Route("/password/forgot", a.forgot_form, methods=["GET"]),
    Route("/password/forgot", a.forgot_password, methods=["POST"]),
    Route("/password/reset/{token}", a.reset_form, methods=["GET"]),
    Route("/password/reset/{token}", a.reset_password, methods=["POST"]),
    Route("/password/changed", a.password_changed, methods=["GET"]),
    Route("/verify/again", a.send_verification_again, methods=["POST"]),
    Route("/verify/{token}", a.verify_email, methods=["GET"]),
    Route("/work", p.task_list, methods=["GET"]),
    Route("/work/projects/{project_id}/preview", p.preview, methods=["GET"]),
    Route("/work/projects/{project_id}/accept", p.accept, methods=["POST"]),
    Route("/work/assignments/{assignment_id}", p.frame, methods=["GET"]),
    Route("/work/assignments/{assignment_id}/submit", p.submit, methods=["POST"]),
    Route("/work/assignments/{assignment_id}/token", p.fresh_token, methods=["POST"]),
    Route("/work/assignments/{assignment_id}/heartbeat", p.heartbeat, methods=["POST"]),
    Route("/work/assignments/{assignment_id}/return", p.return_task, methods=["POST"]),
    Route("/earnings", earnings_page, methods=["GET"]),
    Route("/earnings/assignments/{assignment_id}/dispute", dispute, methods=["POST"]),
    Route("/inbox", inbox_page, methods=["GET"]),
    Route("/inbox/threads/{thread_id}", thread_page, methods=["GET"]),
    Route("/inbox/threads/{thread_id}/reply", reply_in_thread, methods=["POST"]),
    Route("/inbox/threads/{thread_id}/mute", mute_thread, methods=["POST"]),
    Route("/profile/notices", save_notices, methods=["POST"]),
    Route("/profile", profile_form, methods=["GET"]),
    Route("/profile", save_profile, methods=["POST"]),
    Route("/work/tests/{project_id}", test_page, methods=["GET"]),
    Route("/language", choose_language, methods=["POST"]),
]


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("content-type", "") or (
        "x-csrf-token" in request.headers
    )


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    if _wants_json(request):
        return JSONResponse(exc.to_json(), status_code=exc.status, headers=exc.headers)
    response = p.page(request, "error.html", {"message": exc}, status=exc.status)
    response.headers.update(exc.headers)
    return response


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if _wants_json(request):
        return JSONResponse(
            {"error": {"code": "signed_out", "message": "sign in again to continue"}},
            status_code=401,
        )
    # a page opened while signed out (a deep link, an expired session) is the one to come back
    # to; a form posted meanwhile is not (its page is: the browser goes back to it)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(
        a.sign_in_path(target) if request.method == "GET" else "/signin", status_code=303
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = N_("There is no such page.") if exc.status_code == 404 else str(exc.detail)
    return p.page(request, "error.html", {"message": message}, status=exc.status_code)


workplace_exception_handlers = {
    GatewayError: _gateway_error,
    p.SignInRequired: _sign_in_required,
    HTTPException: _http_error,
}
