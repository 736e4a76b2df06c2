"""HTMLQuestion pages, served from the content origin (``CROWDFRAME_CONTENT_ORIGIN``) and never
from the gateway's own: a requester's inline HTML is a task page from elsewhere, exactly as an
ExternalQuestion page on the requester's server.

The content origin is another host name (or port) that reaches this gateway; ``ContentOrigin``
hands its requests to ``content_app``, which serves ``/mturk/content/<task id>`` and nothing
else, before any other middleware: no session is read there and no cookie set. Each page is
sent with a CSP ``sandbox`` (scripts and forms, not ``allow-same-origin``): the document has an
opaque origin, so it reads no cookie or storage, not even the content origin's own; only the
gateway's frame page may frame it; its forms may post only to the gateway's externalSubmit.
MTurk's templates post to ``https://www.mturk.com/mturk/externalSubmit``: a script put before
the requester's HTML points any form posting to ``…/mturk/externalSubmit`` at the gateway's, and
defines ``turkGetParam`` and ``turkSetAssignmentID`` as MTurk's ``externalHIT_v1.js`` did, so a
template calling them works whether or not that script still loads from MTurk's bucket.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .questions import HtmlQuestion, QuestionError, parse_question

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["CONTENT_PATH", "ContentOrigin", "content_app", "content_url"]

CONTENT_PATH = "/mturk/content/"
_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)
_POINT_AT_GATEWAY = """<script>(function () {
  var target = %s;
  function point(form) {
    var action = form.getAttribute("action") || "";
    if (/\\/mturk\\/externalSubmit\\/?(\\?.*)?$/.test(action)) {
      form.action = target + action.replace(/^[^?]*/, "");
    }
  }
  var submit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () { point(this); return submit.call(this); };
  document.addEventListener("submit", function (e) { point(e.target); }, true);
})();
function turkGetParam(name, defaultValue) {
  var found = new RegExp("[?&]" + name + "=([^&#]*)").exec(window.location.href);
  return found == null ? defaultValue : found[1];
}
function turkSetAssignmentID(elementId, assignmentId) {
  var field = document.getElementById(elementId || "assignmentId");
  assignmentId = assignmentId || turkGetParam("assignmentId", "");
  field.value = assignmentId;
  var button = document.getElementById("submitButton");
  if (assignmentId == "ASSIGNMENT_ID_NOT_AVAILABLE" && button) {
    button.disabled = true;  // a preview: the frame page says to accept first
  }
}</script>
"""


def content_url(content_origin: str, task_id: str) -> str:
    """Where the HIT of ``task_id`` is served: its ExternalURL, as it were."""
    return f"{content_origin}{CONTENT_PATH}{task_id}"


def _page(rt: Runtime, html: str) -> str:
    gateway_submit = json.dumps(f"{rt.settings.public_origin}/mturk/externalSubmit")
    script = _POINT_AT_GATEWAY % gateway_submit.replace("<", "\\u003c")
    doctype = _DOCTYPE.match(html)
    head = doctype.group(0) if doctype else "<!doctype html>"
    return head + script + html[doctype.end() if doctype else 0 :]


async def _html_question(request: Request) -> Response:
    rt: Runtime = request.app.state.runtime
    hit = await rt.store.get_hit(request.path_params["task_id"])
    question = None
    if hit is not None and not hit.disposed:
        try:
            question = parse_question(hit.question)
        except QuestionError:
            question = None
    if not isinstance(question, HtmlQuestion):
        return PlainTextResponse("no such page", status_code=404)
    gateway = rt.settings.public_origin
    return HTMLResponse(
        _page(rt, question.html),
        headers={
            "content-security-policy": (
                "sandbox allow-scripts allow-forms allow-modals; "
                f"frame-ancestors {gateway}; form-action {gateway}/mturk/externalSubmit; "
                "base-uri 'none'; object-src 'none'"
            ),
            "cache-control": "no-store",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        },
    )


async def _nothing_here(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("no such page", status_code=404)


def content_app(rt: Runtime) -> Starlette:
    app = Starlette(
        routes=[Route(CONTENT_PATH + "{task_id}", _html_question, methods=["GET"])],
        exception_handlers={404: _nothing_here, 405: _nothing_here},
    )
    app.state.runtime = rt
    return app


class ContentOrigin:
    """Requests for the content origin's host go to ``content``, all others on to the app."""

    def __init__(self, app: ASGIApp, *, content_origin: str, content: ASGIApp) -> None:
        self.app = app
        self.host = urlsplit(content_origin).netloc.lower()
        self.content = content

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            if host == self.host:
                await self.content(scope, receive, send)
                return
        await self.app(scope, receive, send)
