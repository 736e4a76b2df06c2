"""A real gateway process with a hostile client: its task pages are served from their own
origin (``http://localhost:P``, another site than the gateway on 127.0.0.1), and a stranger's
site (a third origin) is at hand. Used by e2e/test_hostile_task_page.py."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

import crowdframe
from flows import sign_up
from services import ClientAccount, Service, create_client, start_gateway
from widget_harness import Request, Site, html

__all__ = ["Arena", "open_arena"]

# Every message the real frame page receives, kept where the test can read it. An init script
# is Playwright's, outside the page's CSP: it observes the page, it changes nothing in it.
SPY = """
if (location.pathname.startsWith('/work/assignments/')) {
  window.__seen = [];
  addEventListener('message', (e) => window.__seen.push({
    origin: e.origin, type: e.data && e.data.type, requestId: e.data && e.data.request_id,
  }));
}
"""


@dataclass
class Arena:
    gateway: Service
    account: ClientAccount
    hostile: Site  # the client's task server, from which its hostile pages come
    stranger: Site  # a third origin
    emails: Iterator[int] = field(default_factory=lambda: iter(range(1_000_000)))

    def api(self) -> crowdframe.Client:
        return crowdframe.Client(self.account.api_key, base_url=self.gateway.origin)

    @staticmethod
    def path_of(title: str) -> str:
        """Where the task page of the project ``title`` is served."""
        return "/" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")

    def project(self, title: str, page: str, *, tasks: int = 3, **settings: Any) -> str:
        """A project whose task page is ``page`` (HTML), served at its own path, with
        ``settings`` as the API takes them; its id."""
        path = self.path_of(title)
        self.hostile.get(path, html(page, {"Referrer-Policy": "no-referrer"}))
        with self.api() as api:
            project = api.create_project(  # 18 USD an hour: fair pay shows it to everyone
                title=title,
                task_url=self.hostile.origin + path,
                reward_cents=5,
                estimated_seconds=10,
                **settings,
            )
            api.add_tasks(
                project.id, [{"external_id": f"t{n}", "input": {"n": n}} for n in range(tasks)]
            )
        return project.id

    def worker(self, context: BrowserContext) -> Page:
        """A new worker signed up in ``context`` (which spies on the frame page's messages)."""
        context.add_init_script(SPY)
        page = context.new_page()
        sign_up(page, self.gateway.origin, f"worker{next(self.emails)}@example.org")
        return page

    def accept(self, page: Page, title: str) -> str:
        """Accept a task of the project ``title``; the assignment id."""
        page.goto(self.gateway.origin + "/work")
        offer = page.get_by_role("listitem").filter(has_text=title)
        offer.get_by_role("button", name=re.compile("Accept")).click()
        expect(page.locator("#cf-task-frame")).to_be_attached()
        return page.url.rsplit("/", 1)[1]

    def reports(self, title: str, name: str = "report", timeout: float = 10) -> list[Any]:
        """What the task page of ``title`` posted home to ``{its path}/{name}`` (JSON bodies)."""
        path, count = f"{self.path_of(title)}/{name}", 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received: list[Request] = self.hostile.received("POST", path)
            if len(received) >= count:
                return [r.json() for r in received]
            time.sleep(0.05)
        raise AssertionError(f"the hostile page never reported to {path}")


@contextmanager
def open_arena(tmp_path: Path) -> Iterator[Arena]:
    """Start the gateway process and the two sites; stop them on exit."""
    data = tmp_path / "gateway"
    env = {"CROWDFRAME_LAUNCH_TOKEN_SECONDS": "120", "PYTHONUNBUFFERED": "1"}
    account = create_client("Hostile Labs", data, env)
    gateway = start_gateway(data, tmp_path, env)
    hostile, stranger = Site("localhost"), Site("localhost")
    try:
        yield Arena(gateway, account, hostile, stranger)
    finally:
        for site in (hostile, stranger):
            site.close()
        gateway.stop()
