"""The main flow works in a Chromium that blocks third-party cookies, and the task page really
gets none: the token is the credential, nothing inside the frame needs a cookie.

Blocking is switched on explicitly, twice over: Chromium's ``--test-third-party-cookie-phaseout``
switch and the DevTools ``Network.setCookieControls`` restriction on the context (Playwright
itself has no option for it). A probe proves the task page gets no third-party cookie: a
``SameSite=None; Secure`` cookie the task origin set as a first party is neither sent with the
framed request nor visible to the framed page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserType, Page, Request, expect

from flows import expect_the_next_task, sign_up, wait_for_results
from services import World

pytestmark = pytest.mark.e2e

BLOCK_THIRD_PARTY_COOKIES = "--test-third-party-cookie-phaseout"
PROBE = "cf_probe=first-party-only"


@pytest.fixture
def blocking_browser(
    browser_type: BrowserType, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    # Debian's Chromium with the suite's launch arguments (e2e/conftest.py), plus the switch.
    args = [*browser_type_launch_args["args"], BLOCK_THIRD_PARTY_COOKIES]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


@pytest.fixture
def page_without_third_party_cookies(blocking_browser: Browser) -> Iterator[Page]:
    context = blocking_browser.new_context()
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send(
        "Network.setCookieControls",
        {
            "enableThirdPartyCookieRestriction": True,
            "disableThirdPartyCookieMetadata": True,
            "disableThirdPartyCookieHeuristics": True,
        },
    )
    yield page
    context.close()


def test_the_main_flow_without_third_party_cookies(
    page_without_third_party_cookies: Page, world: World
) -> None:
    page = page_without_third_party_cookies
    # the task origin sets a cookie as a first party, one that would be sent cross-site if allowed
    page.goto(world.example.origin + "/results")
    page.evaluate(f"document.cookie = '{PROBE}; SameSite=None; Secure; Path=/; Max-Age=600'")
    assert PROBE in page.evaluate("document.cookie")
    framed: list[Request] = []
    page.on(
        "request",
        lambda r: framed.append(r) if r.url.startswith(world.example.origin + "/task?") else None,
    )

    sign_up(page, world.gateway.origin, "no.cookies@example.org")
    page.get_by_role("button", name=re.compile("Accept")).first.click()
    first_assignment = page.url.rsplit("/", 1)[1]
    task = page.frame_locator("#cf-task-frame")
    submit = task.get_by_role("button", name="Submit")
    expect(submit).to_be_enabled()

    # the task page, in the frame, has no cookie of its own origin: not sent, not readable
    assert framed, "the task page was requested"
    assert all(PROBE not in (r.all_headers().get("cookie") or "") for r in framed)
    assert task.locator("body").evaluate("() => document.cookie") == ""

    task.get_by_label("Negative").check()
    submit.click()
    expect_the_next_task(page, first_assignment)

    seen = wait_for_results(world, 1)
    assert seen["results"][0]["sentiment"] == "negative"
    events = [json.loads(str(d["body"])) for d in seen["deliveries"]]
    assert any(
        e["type"] == "assignment.submitted" and e["data"]["assignment_id"] == first_assignment
        for e in events
    )
