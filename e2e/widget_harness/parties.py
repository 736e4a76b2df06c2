"""The three parties of the widget tests and the pages they serve.

- the *gateway* (http://127.0.0.1:A) serves the frame page, the widgets from ``widgets/``, and
  the submit and token endpoints (both check the CSRF header);
- the *client* (http://localhost:B, another site) serves the task page, which loads
  crowdframe-task.js from the gateway;
- a *stranger* (http://localhost:C) serves pages that try to talk to either side.
"""

from __future__ import annotations

import html as html_escape
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from crowdframe._token import TaskTokenClaims, TokenMode, sign_task_token

from .sites import Request, Response, Route, Site, html, json_answer

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"
PAGES = Path(__file__).resolve().parent / "pages"

ASSIGNMENT = "asg_123"
SUBMIT_URL = f"/work/assignments/{ASSIGNMENT}/submit"
TOKEN_URL = f"/work/assignments/{ASSIGNMENT}/token"
HEARTBEAT_URL = f"/work/assignments/{ASSIGNMENT}/heartbeat"
LEASE_SECONDS = 300  # how far the gateway's heartbeat endpoint moves the deadline here
CSRF = "csrf-" + secrets.token_urlsafe(16)
FRESH_TOKEN = "fresh-token-from-gateway"
_NONCE = secrets.token_urlsafe(12)


def page_html(name: str, **values: str) -> str:
    """A page from ``pages/`` with its ``{{name}}`` placeholders filled in (values are trusted)."""
    text = (PAGES / name).read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _attr(value: str) -> str:
    return html_escape.escape(value, quote=True)


def _widget(name: str, release: threading.Event | None = None) -> Route:
    def answer(_request: Request) -> Response:
        if release is not None:
            release.wait(timeout=10)
        body = (WIDGETS / name).read_bytes()
        return 200, {"Content-Type": "text/javascript; charset=utf-8"}, body

    return answer


def _csrf_checked(route: Route) -> Route:
    refusal = json_answer(403, {"error": {"code": "csrf", "message": "CSRF check failed"}})

    def checked(request: Request) -> Response:
        return route(request) if request.headers.get("x-csrf-token") == CSRF else refusal(request)

    return checked


def _extended_lease(_request: Request) -> Response:
    """The heartbeat endpoint of a project that extends leases: the deadline, moved on."""
    deadline = int(time.time()) + LEASE_SECONDS
    return json_answer(200, {"deadline": deadline})(_request)


@dataclass
class World:
    gateway: Site
    client: Site
    stranger: Site
    secret: str = field(default_factory=lambda: "cfts_k1_" + secrets.token_urlsafe(32))
    host_widget_release: threading.Event = field(default_factory=threading.Event)

    def token(self, mode: TokenMode = "work") -> str:
        """A launch token as the gateway signs it: issued by the gateway for the client."""
        now = int(time.time())
        claims = TaskTokenClaims(
            v=1,
            kid="k1",
            iss=self.gateway.origin,
            aud=self.client.origin,
            cid="cli_1",
            pid="prj_1",
            tid="tsk_1",
            aid=ASSIGNMENT if mode == "work" else "",
            wid="wrk_1",
            mode=mode,
            iat=now,
            exp=now + 120,
            jti=secrets.token_hex(8),
        )
        return sign_task_token(claims, [self.secret])

    def task_src(self, token: str, mode: str = "work", cf_origin: str | None = None) -> str:
        """The iframe's src: the task URL with the launch parameters."""
        query = {
            "lang": "en",
            "cf_token": token,
            "cf_mode": mode,
            "cf_origin": cf_origin or self.gateway.origin,
        }
        return f"{self.client.origin}/task?{urlencode(query)}"

    def frame_page(
        self,
        *,
        mode: TokenMode = "work",
        token: str | None = None,
        src: str | None = None,
        frame_height: str = "auto",
        deadline: int | None = None,
        heartbeat: bool = False,
        extra: str = "",
        slow_host_widget: bool = False,
    ) -> str:
        """Serve the gateway's frame page at /frame and return its URL.

        ``slow_host_widget`` holds crowdframe-host.js back until ``host_widget_release`` is set;
        ``heartbeat``: the project extends leases (the frame names the heartbeat endpoint).
        """
        token = token or self.token(mode)
        data = {
            "data-task-origin": self.client.origin,
            "data-assignment": ASSIGNMENT if mode == "work" else "",
            "data-mode": mode,
            "data-token": token,
            "data-locale": "en",
            "data-frame-height": frame_height,
            "data-csrf": CSRF,
        }
        if mode == "work":
            data["data-submit-url"] = SUBMIT_URL
            data["data-token-url"] = TOKEN_URL
            if deadline is not None:
                data["data-deadline"] = str(deadline)
            if heartbeat:
                data["data-heartbeat-url"] = HEARTBEAT_URL
        host_widget = "/widgets/crowdframe-host.js"
        if slow_host_widget:
            self.gateway.get(
                "/widgets/slow/crowdframe-host.js",
                _widget("crowdframe-host.js", self.host_widget_release),
            )
            host_widget = "/widgets/slow/crowdframe-host.js"
        page = page_html(
            "frame.html",
            nonce=_NONCE,
            host_widget=host_widget,
            src=_attr(src or self.task_src(token, mode)),
            data=" ".join(f'{name}="{_attr(value)}"' for name, value in data.items()),
            extra=extra,
        )
        # What the real gateway sends, with the stranger allowed in so it can try its luck.
        csp = "; ".join(
            [
                "default-src 'self'",
                f"script-src 'self' 'nonce-{_NONCE}'",
                f"style-src 'nonce-{_NONCE}'",
                f"frame-src 'self' {self.client.origin} {self.stranger.origin}",
                "connect-src 'self'",
                "frame-ancestors 'none'",
                "require-trusted-types-for 'script'",
            ]
        )
        headers = {"Content-Security-Policy": csp, "Referrer-Policy": "no-referrer"}
        self.gateway.get("/frame", html(page, headers))
        return f"{self.gateway.origin}/frame"

    def serve(self, site: Site, name: str, **values: str) -> str:
        """Serve ``pages/{name}`` on ``site`` and return its URL."""
        path = "/" + name.removesuffix(".html")
        site.get(path, html(page_html(name, **values)))
        return site.origin + path

    def embed(self, site: Site, src: str) -> str:
        """Serve a page on ``site`` that frames ``src`` and return its URL."""
        return self.serve(site, "embed.html", src=_attr(src))


@contextmanager
def open_world() -> Iterator[World]:
    """Start the three parties' servers; stop them on exit."""
    world = World(gateway=Site("127.0.0.1"), client=Site("localhost"), stranger=Site("localhost"))
    gateway = world.gateway
    for name in ("crowdframe-host.js", "crowdframe-task.js"):
        gateway.get(f"/widgets/{name}", _widget(name))
    gateway.post(SUBMIT_URL, _csrf_checked(json_answer(200, {"next_url": "/next"})))
    gateway.post(TOKEN_URL, _csrf_checked(json_answer(200, {"token": FRESH_TOKEN})))
    gateway.post(HEARTBEAT_URL, _csrf_checked(_extended_lease))
    gateway.get("/next", html("<!doctype html><title>Next task</title><h1>Next task</h1>"))
    task_headers = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}
    world.client.get("/task", html(page_html("task.html", gateway=gateway.origin), task_headers))
    try:
        yield world
    finally:
        world.host_widget_release.set()
        for site in (world.gateway, world.client, world.stranger):
            site.close()
