"""A gateway where every page has something to show, for the accessibility check and the
screenshots in docs/: a worker who passed the reading test, had an answer rejected with a
reason, has one pending and one task in progress, and a message from the client; a newcomer in
the middle of the test; a console owner with an uploaded batch and an invitation made.

Every page they look at is one line of ``WORKPLACE`` or ``CONSOLE``: its name, who looks (a
``Showcase.session``) and the path, whose ``{names}`` are filled from ``Showcase.ids``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

import crowdframe
from flows import SENTIMENT, answer_a_task, expect_the_next_task, sign_up
from services import World, running_world
from test_assessments import answer_the_test
from test_console import accept_the_invitation
from test_console_batches import upload_and_choose, write_csv

__all__ = [
    "CONSOLE",
    "LANGUAGES",
    "SIZES",
    "WORKPLACE",
    "Showcase",
    "Visit",
    "open_showcase",
    "showing",
]

SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
LANGUAGES = {"en": "en-US", "de": "de-DE"}  # the page's language: Chromium's locale


@dataclass(frozen=True)
class Visit:
    """A page as someone sees it: ``who`` is ``visitor`` (signed out), ``newcomer`` (a worker
    taking the reading test), ``worker`` or ``owner`` (the client's console owner)."""

    name: str
    who: str
    path: str
    status: int = 200
    refused: bool = False  # then submit the page's form empty, to see how a refusal reads


WORKPLACE = [
    Visit("sign-in", "visitor", "/signin"),
    Visit("sign-in, refused", "visitor", "/signin", refused=True),
    Visit("sign-up", "visitor", "/signup"),
    Visit("sign-up, refused", "visitor", "/signup", refused=True),
    Visit("forgotten password", "visitor", "/password/forgot"),
    Visit("forgotten password, refused", "visitor", "/password/forgot", refused=True),
    Visit("a reset link that never was", "visitor", "/password/reset/cfl_nothing", status=404),
    Visit("task list, locked by a test", "newcomer", "/work"),
    Visit("qualification test", "newcomer", "/work/tests/{test}"),
    Visit("test question", "newcomer", "/work/assignments/{question}"),
    Visit("task list", "worker", "/work"),
    Visit("preview", "worker", "/work/projects/{project}/preview"),
    Visit("task", "worker", "/work/assignments/{assignment}"),
    Visit("test result", "worker", "/work/tests/{test}"),
    Visit("earnings and rejections", "worker", "/earnings"),
    Visit("inbox", "worker", "/inbox"),
    Visit("message thread", "worker", "/inbox/threads/{thread}"),
    Visit("profile", "worker", "/profile"),
    Visit("no such page", "worker", "/work/nowhere", status=404),
]

CONSOLE = [
    Visit("sign-in", "visitor", "/console/signin"),
    Visit("sign-in, refused", "visitor", "/console/signin", refused=True),
    Visit("invitation", "visitor", "{invitation}"),
    Visit("invitation, refused", "visitor", "{invitation}", refused=True),
    Visit("invitation gone", "visitor", "/console/invite/no-such-token", status=404),
    Visit("projects", "owner", "/console/projects"),
    Visit("project", "owner", "/console/projects/{project}"),
    Visit("new project", "owner", "/console/projects/new"),
    Visit("new project, refused", "owner", "/console/projects/new", refused=True),
    Visit("project settings", "owner", "/console/projects/{project}/edit"),
    Visit("batch upload", "owner", "/console/projects/{project}/batches/new"),
    Visit("batch rows", "owner", "{batch}"),
    Visit("batch preview", "owner", "{batch_preview}"),
    Visit("members", "owner", "/console/members"),
    Visit("results", "owner", "/console/projects/{project}/results"),
    Visit("one answer", "owner", "/console/projects/{project}/results/{answer}"),
    Visit("workers", "owner", "/console/projects/{project}/workers"),
    Visit("charts", "owner", "/console/projects/{project}/charts"),
    Visit("project money", "owner", "/console/projects/{project}/money"),
    Visit("money", "owner", "/console/money"),
    Visit("developers", "owner", "/console/developers"),
    Visit("no such page", "owner", "/console/projects/nowhere", status=404),
]


@dataclass
class Showcase:
    world: World
    browser: Browser
    ids: dict[str, str]
    states: dict[str, Any]  # each signed-in person's cookies (Playwright's storage state)
    contexts: dict[tuple[str, str], BrowserContext] = field(default_factory=dict)

    def url(self, visit: Visit) -> str:
        return self.world.gateway.origin + visit.path.format(**self.ids)

    def session(self, who: str, language: str) -> Page:
        """The page ``who`` browses with in ``language`` (one browser context each, kept)."""
        key = (who, language)
        if key not in self.contexts:
            context = self.browser.new_context(
                locale=LANGUAGES[language],
                storage_state=self.states.get(who),
            )
            context.new_page()
            self.contexts[key] = context
        return self.contexts[key].pages[0]


def showing(showcase: Showcase, visit: Visit, language: str, size: str) -> Page:
    """Open ``visit`` in ``language`` at ``size``; a worker's page in another language than
    their profile's is switched with the switch at its foot, as a worker would (the console's
    people likewise)."""
    page = showcase.session(visit.who, language)
    page.set_viewport_size(SIZES[size])
    response = page.goto(showcase.url(visit))
    assert response is not None and response.status == visit.status, f"{visit.name}: status"
    html = page.locator("html")
    if html.get_attribute("lang") != language:
        page.locator(f'footer form.languages button[value="{language}"]').click()
        expect(html).to_have_attribute("lang", language)
    if visit.refused:
        _submit_as_it_is(page)
    page.wait_for_load_state("load")
    return page


def _submit_as_it_is(page: Page) -> None:
    """Send the page's form as it is, past the browser's own checks (``required``), so the
    gateway's refusal shows: a message, the field marked."""
    form = page.locator("main form:has(button[type=submit])").first
    form.evaluate("form => { form.noValidate = true; }")
    form.locator("button[type=submit]").first.click()
    expect(page.locator("[role=alert], [aria-invalid=true]").first).to_be_visible()


def _answer_here(page: Page, sentiment: str) -> str:
    """Answer the task on the page; the answered assignment's id, once the next task is up."""
    answered = page.url.rsplit("/", 1)[1]
    task = page.frame_locator("#cf-task-frame")
    task.get_by_label(sentiment).check()
    task.get_by_role("button", name="Submit").click()
    expect_the_next_task(page, after=answered)
    return answered


def _the_worker(page: Page, world: World, ids: dict[str, str]) -> None:
    gateway = world.gateway.origin
    sign_up(page, gateway, "everywhere.worker@example.org")
    offer = page.get_by_role("listitem").filter(has_text=SENTIMENT)
    offer.get_by_role("link", name="Take the qualification test").click()
    ids["test"] = page.url.rsplit("/", 1)[1]
    page.get_by_role("button", name="Start the test").click()
    answer_the_test(page, right=True)
    page.goto(gateway + "/work")
    rejected = answer_a_task(page, SENTIMENT, "Positive")
    expect_the_next_task(page, after=rejected)
    disputed, approved = _answer_here(page, "Neutral"), _answer_here(page, "Positive")
    _answer_here(page, "Negative")  # left pending
    ids["assignment"] = page.url.rsplit("/", 1)[1]  # left in progress
    with crowdframe.Client(world.account.api_key, base_url=gateway) as api:
        api.reject(rejected, "The review praises the food: it is positive.")
        api.reject(disputed, "The review is clearly negative.")
        api.approve(approved)
        api.bonus(approved, 25, "Careful work, thank you", idempotency_key="showcase")
        [project] = [p for p in api.iter_projects() if p.title == SENTIMENT]
        api.send_message("About your answers", "Thank you! One more thing…", project_id=project.id)
    ids["project"], ids["answer"] = project.id, approved
    page.goto(gateway + "/earnings")
    rejection = page.locator(f'li.rejection[data-assignment="{disputed}"]')
    rejection.get_by_label("Dispute this rejection (once)").fill("It reads neutral to me.")
    rejection.get_by_role("button", name="Send dispute").click()
    expect(page.get_by_role("status")).to_have_text("Your dispute was sent to the client.")
    page.goto(gateway + "/inbox")
    link = page.get_by_role("link", name="About your answers", exact=True)
    ids["thread"] = str(link.get_attribute("href")).rsplit("/", 1)[1]


def _the_newcomer(page: Page, world: World, ids: dict[str, str]) -> None:
    sign_up(page, world.gateway.origin, "new.worker@example.org")
    page.goto(world.gateway.origin + f"/work/tests/{ids['test']}")
    page.get_by_role("button", name="Start the test").click()
    page.wait_for_url(re.compile("/work/assignments/"))
    ids["question"] = page.url.rsplit("/", 1)[1]


def _the_owner(page: Page, world: World, ids: dict[str, str], tmp: Path) -> None:
    accept_the_invitation(page, world)
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email").fill("colleague@sentiment.example")
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("Invitation link").input_value()
    ids["invitation"] = "/console/invite/" + link.rsplit("/", 1)[1]
    page.goto(world.gateway.origin + f"/console/projects/{ids['project']}")
    upload_and_choose(page, write_csv(tmp / "reviews.csv"))
    ids["batch"] = page.url.removeprefix(world.gateway.origin).removesuffix("/check")
    preview = page.get_by_role("link", name="Preview the first row as a worker sees it")
    ids["batch_preview"] = str(preview.get_attribute("href"))


@contextmanager
def open_showcase(browser: Browser, tmp: Path) -> Iterator[Showcase]:
    """The gateway (on SQLite) and the sentiment example with its reading test, everyone
    signed in once; each person's browser contexts are closed at the end."""
    with running_world(tmp, [], {}) as world:
        ids: dict[str, str] = {}
        states: dict[str, Any] = {}
        people: list[tuple[str, Callable[[Page], None]]] = [
            ("worker", lambda page: _the_worker(page, world, ids)),
            ("newcomer", lambda page: _the_newcomer(page, world, ids)),
            ("owner", lambda page: _the_owner(page, world, ids, tmp)),
        ]
        for who, steps in people:
            context = browser.new_context(locale=LANGUAGES["en"])
            steps(context.new_page())
            states[who] = context.storage_state()
            context.close()
        showcase = Showcase(world, browser, ids, states)
        try:
            yield showcase
        finally:
            for context in showcase.contexts.values():
                context.close()
