"""The frame protocol in a real Chromium: widgets/crowdframe-host.js with crowdframe-task.js.

A fake gateway (http://127.0.0.1:A) shows a client's task page (http://localhost:B, another
site) in its frame; a stranger (http://localhost:C) tries to talk to either side. The parties
live in e2e/widget_harness/. Each test tells what a worker, a client developer or an attacker
would notice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Frame, Page, expect

from widget_harness import World, html, json_answer, open_world
from widget_harness.parties import (
    ASSIGNMENT,
    CSRF,
    FRESH_TOKEN,
    HEARTBEAT_URL,
    SUBMIT_URL,
    TOKEN_URL,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def world() -> Iterator[World]:
    with open_world() as world:
        yield world


def frame_in(page: Page, selector: str) -> Frame:
    """The document inside the iframe `selector` of `page`."""
    element = page.wait_for_selector(selector)
    frame = element.content_frame() if element else None
    assert frame is not None
    return frame


def task_frame(page: Page) -> Frame:
    return frame_in(page, "#cf-task-frame")


def connected_task(page: Page, url: str, mode: str = "work") -> Frame:
    """Open the frame page at `url` and wait until the task page says it is connected."""
    page.goto(url)
    frame = task_frame(page)
    expect(frame.locator("#state")).to_have_text(f"connected {mode}")
    return frame


def wait_for_more_messages(page: Page, origin: str, more: int, *, from_task: bool) -> None:
    """Wait until the frame page's spy has seen `more` new messages from `origin`."""
    predicate = "(m) => m.origin === origin && m.fromTask === fromTask"
    baseline = page.evaluate(
        f"([origin, fromTask]) => seen.filter({predicate}).length", [origin, from_task]
    )
    page.wait_for_function(
        f"([origin, fromTask, count]) => seen.filter({predicate}).length >= count",
        arg=[origin, from_task, baseline + more],
    )


def frame_height(page: Page) -> float:
    box = page.locator("#cf-task-frame").bounding_box()
    assert box is not None
    return box["height"]


# --- the handshake ----------------------------------------------------------------------------


def test_handshake_gives_the_task_page_its_token_and_mode(page: Page, world: World) -> None:
    token = world.token()
    frame = connected_task(page, world.frame_page(token=token))

    task = frame.evaluate(
        "({token: task.token, mode: task.mode, assignment: task.assignment, locale: task.locale,"
        " iss: task.claims.iss, aud: task.claims.aud})"
    )
    assert task == {
        "token": token,
        "mode": "work",
        "assignment": ASSIGNMENT,
        "locale": "en",
        "iss": world.gateway.origin,
        "aud": world.client.origin,
    }


def test_the_launch_token_leaves_the_address_bar(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())

    location = frame.evaluate("location.href")
    assert "cf_token" not in location
    assert location.startswith(f"{world.client.origin}/task?lang=en&cf_mode=work&cf_origin=")


# --- what the worker sees in the gateway's chrome ---------------------------------------------


def test_auto_resize_follows_the_task_content(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())
    height = "document.getElementById('cf-task-frame').getBoundingClientRect().height"

    frame.click("#grow")
    page.wait_for_function(f"() => {height} > 1500")

    frame.click("#shrink")
    page.wait_for_function(f"() => {height} < 300")


def test_a_fixed_frame_height_is_kept(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page(frame_height="400"))

    frame.click("#grow")
    frame.evaluate("task.resize(); task.progress(1, 1)")
    # Messages from one window arrive in order: once the progress shows, the resize came too.
    expect(page.locator("#cf-progress")).to_have_text("1 / 1")

    assert frame_height(page) == 400


def test_progress_shows_on_the_gateway_page(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())

    frame.evaluate("task.progress(3, 10)")

    expect(page.locator("#cf-progress")).to_have_text("3 / 10")


def test_an_error_from_the_task_is_shown_as_text_and_truncated(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())

    frame.evaluate("task.showError('<img src=x onerror=alert(1)>' + 'x'.repeat(1000))")

    status = page.locator("#cf-status")
    expect(status).to_contain_text("<img src=x onerror=alert(1)>xxx")
    assert len(status.text_content() or "") == 300
    assert status.locator("img").count() == 0


def test_the_timer_counts_down_and_warns_the_task(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page(deadline=int(time.time()) + 45))

    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^00:4\d left$"))
    frame.wait_for_function("expiring.length === 1")
    assert 40 <= frame.evaluate("expiring[0]") <= 45


def test_a_heartbeat_reaches_the_gateway_and_the_timer_follows_the_longer_lease(
    page: Page, world: World
) -> None:
    frame = connected_task(page, world.frame_page(deadline=int(time.time()) + 45, heartbeat=True))
    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^00:4\d left$"))

    # Messages from one window arrive in order: once the progress shows, both heartbeats came.
    frame.evaluate("task.heartbeat(); task.heartbeat(); task.progress(1, 2)")
    expect(page.locator("#cf-progress")).to_have_text("1 / 2")

    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^0[45]:\d\d left$"))
    [post] = world.gateway.received("POST", HEARTBEAT_URL)  # the second came too soon after
    assert post.headers["x-csrf-token"] == CSRF
    assert post.headers["content-type"] == "application/json"
    assert post.json() == {}


def test_a_heartbeat_goes_nowhere_when_the_project_extends_no_lease(
    page: Page, world: World
) -> None:
    frame = connected_task(page, world.frame_page(deadline=int(time.time()) + 45))

    frame.evaluate("task.heartbeat(); task.progress(1, 1)")
    expect(page.locator("#cf-progress")).to_have_text("1 / 1")

    assert world.gateway.received("POST", HEARTBEAT_URL) == []
    expect(page.locator("#cf-timer")).to_have_text(re.compile(r"^00:4\d left$"))


# --- submitting -------------------------------------------------------------------------------


def test_submit_posts_with_csrf_then_opens_the_next_task(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())

    frame.click("#submit")

    page.wait_for_url(f"{world.gateway.origin}/next")
    [post] = world.gateway.received("POST", SUBMIT_URL)
    assert post.headers["x-csrf-token"] == CSRF
    assert post.headers["content-type"] == "application/json"
    assert post.json() == {"result": {"label": "positive", "confidence": 0.9}}


def test_a_double_click_submits_once(page: Page, world: World) -> None:
    world.gateway.post(SUBMIT_URL, json_answer(200, {"next_url": "/next"}, delay=1.0))
    frame = connected_task(page, world.frame_page())

    frame.click("#submit")
    frame.click("#submit")
    # As a page without the widget's guard would: the host ignores a submit while one is in flight.
    frame.evaluate(
        "parent.postMessage({cf: 1, type: 'submit', request_id: 'again', result: {}}, '*')"
    )

    page.wait_for_function("() => seen.some((m) => m.requestId === 'again')")
    submits = page.evaluate("seen.filter((m) => m.fromTask && m.type === 'submit').length")
    expect(frame.locator("#outcome")).to_have_text("failed: a submission is already in progress")
    page.wait_for_url(f"{world.gateway.origin}/next")
    assert submits == 2  # the first click and the forced one; the second click stayed in the page
    assert len(world.gateway.received("POST", SUBMIT_URL)) == 1


def test_a_refused_submission_shows_the_gateway_message(page: Page, world: World) -> None:
    refusal = {"error": {"code": "conflict", "message": "<b>This assignment has expired.</b>"}}
    world.gateway.post(SUBMIT_URL, json_answer(409, refusal))
    frame = connected_task(page, world.frame_page())

    frame.click("#submit")

    expect(frame.locator("#outcome")).to_have_text("failed: <b>This assignment has expired.</b>")
    expect(page.locator("#cf-status")).to_have_text("<b>This assignment has expired.</b>")
    assert page.locator("#cf-status b").count() == 0
    assert page.url == f"{world.gateway.origin}/frame"


def test_a_next_url_to_another_site_is_not_followed(page: Page, world: World) -> None:
    # "/\host" is "//host" to a browser: a path in appearance, another site in fact.
    world.gateway.post(SUBMIT_URL, json_answer(200, {"next_url": f"/\\{world.stranger.host}/"}))
    frame = connected_task(page, world.frame_page())

    frame.click("#submit")

    expect(frame.locator("#outcome")).to_have_text("submitted null")
    page.wait_for_timeout(300)  # the host navigates 150 ms after `submitted`, when it does
    assert page.url == f"{world.gateway.origin}/frame"


def test_an_oversized_result_never_leaves_the_browser(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())
    big = "{text: 'x'.repeat(1_000_001)}"

    in_page = frame.evaluate(f"task.submit({big}).catch((err) => err.message)")
    # Past the widget, straight to the host: refused there too.
    from_host = frame.evaluate(
        f"""new Promise((resolve) => {{
              addEventListener('message', (e) => {{
                if (e.data.request_id === 'big') resolve(e.data);
              }});
              parent.postMessage({{cf: 1, type: 'submit', request_id: 'big', result: {big}}}, '*');
            }})"""
    )

    assert in_page == "Crowdframe: the result is larger than 1 MB"
    assert from_host["type"] == "submit-failed"
    assert from_host["error"] == "the result is larger than 1 MB"
    assert world.gateway.received("POST", SUBMIT_URL) == []


def test_get_token_returns_a_fresh_token_from_the_gateway(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())

    fresh = frame.evaluate("task.getToken()")

    assert fresh == FRESH_TOKEN
    assert frame.evaluate("task.token") == FRESH_TOKEN
    [post] = world.gateway.received("POST", TOKEN_URL)
    assert post.headers["x-csrf-token"] == CSRF


def test_preview_mode_refuses_submit(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page(mode="preview"), mode="preview")

    frame.click("#submit")
    expect(frame.locator("#outcome")).to_have_text("failed: preview")
    assert page.evaluate("seen.filter((m) => m.type === 'submit').length") == 0
    # Past the widget, straight to the host: refused too, and nothing reaches the gateway.
    answer = frame.evaluate(
        """new Promise((resolve) => {
             addEventListener('message', (e) => {
               if (e.data.type === 'submit-failed') resolve(e.data);
             });
             parent.postMessage({cf: 1, type: 'submit', request_id: 'r1', result: {a: 1}}, '*');
           })"""
    )
    token_error = frame.evaluate("task.getToken().catch((err) => err.message)")

    assert answer == {"cf": 1, "type": "submit-failed", "request_id": "r1", "error": "preview"}
    assert token_error == "preview"
    assert world.gateway.received("POST", SUBMIT_URL) == []


def test_the_example_page_in_the_docs_works(page: Page, world: World) -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "widgets.md").read_text()
    example = docs.split("```html\n", 1)[1].split("```", 1)[0]
    example = example.replace("https://gateway.example", world.gateway.origin)
    world.client.get("/task", html(example))
    page.goto(world.frame_page())
    frame = task_frame(page)

    frame.get_by_label("Positive").check()
    frame.get_by_role("button", name="Submit").click()

    page.wait_for_url(f"{world.gateway.origin}/next")
    [post] = world.gateway.received("POST", SUBMIT_URL)
    assert post.json() == {"result": {"label": "positive"}}


# --- the host refuses what it should not trust ------------------------------------------------


def assert_nothing_was_accepted(page: Page, world: World) -> None:
    # The host acts at once on a message it accepts: the text would show and the POST be sent.
    expect(page.locator("#cf-progress")).to_have_text("")
    expect(page.locator("#cf-status")).to_have_text("")
    page.wait_for_timeout(100)
    assert world.gateway.received("POST", SUBMIT_URL) == []
    assert world.gateway.received("POST", TOKEN_URL) == []


def test_forged_messages_from_another_origin_are_ignored(page: Page, world: World) -> None:
    forger = world.serve(world.stranger, "forge.html", target="parent")
    connected_task(page, world.frame_page(extra=f'<iframe src="{forger}"></iframe>'))

    wait_for_more_messages(page, world.stranger.origin, 10, from_task=False)

    assert_nothing_was_accepted(page, world)


def test_the_task_origin_in_another_window_is_ignored(page: Page, world: World) -> None:
    # The same origin as the task page, but a sibling frame rather than the task frame.
    forger = world.serve(world.client, "forge.html", target="parent")
    connected_task(page, world.frame_page(extra=f'<iframe src="{forger}"></iframe>'))

    wait_for_more_messages(page, world.client.origin, 10, from_task=False)

    assert_nothing_was_accepted(page, world)


def test_a_page_the_task_frame_navigates_to_is_ignored(page: Page, world: World) -> None:
    # The task page links out: the page it opens in the frame is the right window, wrong origin.
    frame = connected_task(page, world.frame_page())
    forger = world.serve(world.stranger, "forge.html", target="parent")

    frame.evaluate("(url) => { location.href = url; }", forger)

    wait_for_more_messages(page, world.stranger.origin, 10, from_task=True)
    assert_nothing_was_accepted(page, world)


def test_a_late_reply_never_reaches_the_page_the_frame_navigated_to(
    page: Page, world: World
) -> None:
    # The host answers a token request after the frame has left for another origin: the fresh
    # token must not follow it there (replies go to the task origin only, never "*").
    world.gateway.post(TOKEN_URL, json_answer(200, {"token": FRESH_TOKEN}, delay=0.4))
    listener = world.serve(world.stranger, "listen.html")
    frame = connected_task(page, world.frame_page())

    frame.evaluate(
        """(url) => {
             parent.postMessage({cf: 1, type: 'token-request', request_id: 'late'}, '*');
             location.href = url;
           }""",
        listener,
    )

    stranger = task_frame(page)
    stranger.wait_for_url(listener)
    page.wait_for_timeout(800)
    assert len(world.gateway.received("POST", TOKEN_URL)) == 1
    assert stranger.evaluate("received") == []


def test_malformed_messages_from_the_task_frame_are_ignored(page: Page, world: World) -> None:
    frame = connected_task(page, world.frame_page())

    frame.evaluate(
        """for (const message of [
             {cf: 1, type: 'progress', done: 11, total: 10},
             {cf: 1, type: 'progress', done: 1.5, total: 10},
             {cf: 1, type: 'progress', done: '3', total: 10},
             {cf: 1, type: 'progress', done: 3, total: 200000},
             {cf: 2, type: 'progress', done: 3, total: 10},
             {type: 'progress', done: 3, total: 10},
             {cf: 1, type: 'error', message: {toString: null}},
             {cf: 1, type: 'submit', request_id: 'x'.repeat(101), result: {}},
             {cf: 1, type: 'submit', request_id: 42, result: {}},
             {cf: 1, type: 'resize', height: 'tall'},
             {cf: 1, type: 'navigate', url: 'https://example.com/'},
             'cf:1 submit',
           ]) parent.postMessage(message, '*');"""
    )
    # Messages from one window arrive in order: a genuine round trip comes after them all.
    assert frame.evaluate("task.getToken()") == FRESH_TOKEN

    assert world.gateway.received("POST", SUBMIT_URL) == []
    expect(page.locator("#cf-progress")).to_have_text("")
    expect(page.locator("#cf-status")).to_have_text("")


# --- the task widget refuses what it should not trust -----------------------------------------


@pytest.mark.parametrize("forger_party", ["stranger", "gateway"])
def test_the_task_ignores_an_init_from_another_window(
    page: Page, world: World, forger_party: str
) -> None:
    # A stranger's frame, or another gateway frame (the right origin, the wrong window), keeps
    # sending init. The host widget arrives late, so the forgeries reach the task page first.
    site = world.stranger if forger_party == "stranger" else world.gateway
    forger_url = world.serve(site, "forge-init.html")
    token = world.token()
    url = world.frame_page(
        token=token,
        extra=f'<iframe id="forger" src="{forger_url}"></iframe>',
        slow_host_widget=True,
    )
    page.goto(url, wait_until="commit")
    frame = task_frame(page)
    frame.wait_for_function("() => typeof Crowdframe === 'object'")
    forger = frame_in(page, "#forger")
    forger.wait_for_function("(n) => sent >= n + 5", arg=forger.evaluate("sent"))
    expect(frame.locator("#state")).to_have_text("connecting")

    world.host_widget_release.set()

    expect(frame.locator("#state")).to_have_text("connected work")
    assert frame.evaluate("[task.token, task.assignment]") == [token, ASSIGNMENT]


def test_connect_refuses_a_cf_origin_that_is_not_the_issuer(page: Page, world: World) -> None:
    token = world.token()
    src = world.task_src(token, cf_origin=world.stranger.origin)
    page.goto(world.frame_page(token=token, src=src))

    expect(task_frame(page).locator("#state")).to_have_text(
        f"refused: Crowdframe: cf_origin {world.stranger.origin} is not the token issuer "
        f"{world.gateway.origin}"
    )


def test_connect_refuses_a_page_framed_by_another_origin(page: Page, world: World) -> None:
    # A stranger frames the task page with a stolen, still valid, launch URL.
    page.goto(world.embed(world.stranger, world.task_src(world.token())))

    expect(task_frame(page).locator("#state")).to_have_text(
        f"refused: Crowdframe: this page is framed by {world.stranger.origin}, "
        f"not {world.gateway.origin}"
    )


def test_connect_refuses_a_page_outside_a_frame(page: Page, world: World) -> None:
    page.goto(world.task_src(world.token()))

    expect(page.locator("#state")).to_have_text(
        "refused: Crowdframe: this page is not inside the Crowdframe frame"
    )
    assert "cf_token" not in page.url
