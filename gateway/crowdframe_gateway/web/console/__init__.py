"""The client console at ``/console``: the pages a client's people use in the browser
(docs/console.md). A Starlette app of its own, mounted by the gateway, with its own session
cookie and its own error pages."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ...core.errors import GatewayError
from ...core.text import N_
from ...runtime import Runtime
from . import batches as b
from . import charts as ch
from . import developers as d
from . import money as m
from . import people as u
from . import projects as p
from . import results as r
from .language import choose_language
from .render import page
from .session import ConsoleSession, SignInRequired, current_user

__all__ = ["console_app"]

console_routes = [
    Route("/", u.home, methods=["GET"]),
    Route("/signin", u.signin_form, methods=["GET"]),
    Route("/signin", u.signin, methods=["POST"]),
    Route("/signout", u.signout, methods=["POST"]),
    Route("/language", choose_language, methods=["POST"]),
    Route("/invite/{token}", u.invitation_form, methods=["GET"]),
    Route("/invite/{token}", u.accept_invitation, methods=["POST"]),
    Route("/members", u.members_page, methods=["GET"]),
    Route("/members", u.invite, methods=["POST"]),
    Route("/members/{user_id}/remove", u.remove_member, methods=["POST"]),
    # the developers' page and the project's charts (docs/console.md, "Developers", "Charts")
    Route("/developers", d.overview, methods=["GET"]),
    Route("/developers/api-keys", d.create_api_key, methods=["POST"]),
    Route("/developers/api-keys/{key_id}/revoke", d.revoke_api_key, methods=["POST"]),
    Route("/developers/signing-secrets", d.add_signing_secret, methods=["POST"]),
    Route("/developers/signing-secrets/{kid}/delete", d.delete_signing_secret, methods=["POST"]),
    Route("/developers/endpoints", d.create_endpoint, methods=["POST"]),
    Route("/developers/endpoints/{endpoint_id}", d.endpoint_page, methods=["GET"]),
    Route(
        "/developers/endpoints/{endpoint_id}/rotate-secret",
        d.rotate_endpoint_secret,
        methods=["POST"],
    ),
    Route("/developers/endpoints/{endpoint_id}/disable", d.disable_endpoint, methods=["POST"]),
    Route("/developers/endpoints/{endpoint_id}/enable", d.enable_endpoint, methods=["POST"]),
    Route("/developers/endpoints/{endpoint_id}/replay-failed", d.replay_failed, methods=["POST"]),
    Route("/developers/messages/{message_id}", d.message_page, methods=["GET"]),
    Route("/developers/messages/{message_id}/attempts", d.attempts_fragment, methods=["GET"]),
    Route("/developers/messages/{message_id}/replay", d.replay_message, methods=["POST"]),
    Route("/projects/{project_id}/charts", ch.charts_page, methods=["GET"]),
    Route("/projects/{project_id}/charts.json", ch.charts_data, methods=["GET"]),
    Route("/projects", p.list_page, methods=["GET"]),
    Route("/projects", p.create, methods=["POST"]),
    Route("/projects/board", p.board, methods=["GET"]),
    Route("/projects/new", p.new_form, methods=["GET"]),
    Route("/projects/pay", p.pay_check, methods=["POST"]),
    Route("/projects/{project_id}", p.detail, methods=["GET"]),
    Route("/projects/{project_id}/progress", p.progress_fragment, methods=["GET"]),
    Route("/projects/{project_id}/edit", p.edit_form, methods=["GET"]),
    Route("/projects/{project_id}/edit", p.update, methods=["POST"]),
    Route("/projects/{project_id}/pause", p.pause, methods=["POST"]),
    Route("/projects/{project_id}/resume", p.resume, methods=["POST"]),
    Route("/projects/{project_id}/batches/new", b.new_form, methods=["GET"]),
    Route("/projects/{project_id}/batches", b.upload, methods=["POST"]),
    Route("/projects/{project_id}/batches/{upload_id}", b.rows_page, methods=["GET"]),
    Route("/projects/{project_id}/batches/{upload_id}/check", b.check, methods=["POST"]),
    Route("/projects/{project_id}/batches/{upload_id}/preview", b.preview, methods=["GET"]),
    Route("/projects/{project_id}/batches/{upload_id}/publish", b.publish, methods=["POST"]),
    # results and money (docs/console.md, "Results", "Money")
    Route("/money", m.money_page, methods=["GET"]),
    Route("/projects/{project_id}/money", m.project_money_page, methods=["GET"]),
    Route("/projects/{project_id}/workers", r.workers_page, methods=["GET"]),
    Route("/projects/{project_id}/results", r.results_page, methods=["GET"]),
    Route("/projects/{project_id}/results/export", r.export, methods=["GET"]),
    Route("/projects/{project_id}/results/review", r.review_selection, methods=["POST"]),
    Route("/projects/{project_id}/results/review-all", r.review_filtered, methods=["POST"]),
    Route("/projects/{project_id}/results/{assignment_id}", r.answer_page, methods=["GET"]),
    Route("/projects/{project_id}/results/{assignment_id}/bonus", r.bonus, methods=["POST"]),
    Route("/projects/{project_id}/results/{assignment_id}/block", r.block, methods=["POST"]),
    Mount("/static", app=StaticFiles(directory=Path(__file__).parent / "static"), name="static"),
]


def _fragment(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def _gateway_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GatewayError)
    user = await current_user(request)
    return page(request, "error.html", {"refusal": exc}, user=user, status=exc.status)


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if _fragment(request):  # a poll from a page signed out meanwhile: htmx swaps nothing
        return Response(status_code=401)
    return RedirectResponse("/console/signin", status_code=303)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = N_("There is no such page.") if exc.status_code == 404 else str(exc.detail)
    user = await current_user(request)
    return page(request, "error.html", {"refusal": message}, user=user, status=exc.status_code)


def console_app(rt: Runtime, *, session_key: str) -> Starlette:
    """The console, for the gateway to mount at ``/console``."""
    app = Starlette(
        routes=console_routes,
        middleware=[Middleware(ConsoleSession, secret_key=session_key, https=rt.settings.https)],
        exception_handlers={
            GatewayError: _gateway_error,
            SignInRequired: _sign_in_required,
            HTTPException: _http_error,
        },
    )
    app.state.runtime = rt
    return app
