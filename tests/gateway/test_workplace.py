"""The worker's pages: sign-up answers, CSRF, security headers, nobody else's work, and the
task list a page at a time."""

from __future__ import annotations

import re

from harness import ON_BOTH_STORES, ApiClient, Gateway


async def test_sign_up_explains_what_is_wrong_and_keeps_the_answers(gateway: Gateway) -> None:
    browser = gateway.browser()
    await browser.get("/signup")
    answer = await browser.post_form(
        "/signup",
        {"email": "me@example.org", "password": "short", "country": "DE", "languages": ["de"]},
    )
    assert answer.status_code == 422
    assert "at least 10 characters" in answer.text
    assert 'value="me@example.org"' in answer.text
    assert 'id="password" name="password"' in answer.text and 'aria-invalid="true"' in answer.text
    assert (await browser.get("/work")).status_code == 303  # still signed out


async def test_an_email_can_hold_only_one_account(gateway: Gateway) -> None:
    await gateway.worker("same@example.org")
    again = gateway.browser()
    await again.get("/signup")
    answer = await again.post_form(
        "/signup",
        {
            "email": "Same@Example.org",
            "password": "long enough!",
            "country": "US",
            "languages": ["en"],
        },
    )
    assert answer.status_code == 409 and "exists" in answer.text


async def test_sign_in_with_a_wrong_password_is_refused(gateway: Gateway) -> None:
    await gateway.worker("me@example.org")
    browser = gateway.browser()
    await browser.get("/signin")
    wrong = await browser.post_form("/signin", {"email": "me@example.org", "password": "nope"})
    assert wrong.status_code == 401 and "Wrong email or password." in wrong.text
    right = await browser.post_form(
        "/signin", {"email": "me@example.org", "password": "correct horse"}
    )
    assert right.status_code == 303 and right.headers["location"] == "/work"


async def test_a_form_without_the_csrf_token_changes_nothing(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)
    worker = await gateway.worker()
    forged = await worker.http.post(f"/work/projects/{project['id']}/accept", data={})
    assert forged.status_code == 403
    wrong = await worker.http.post(f"/work/projects/{project['id']}/accept", data={"csrf": "guess"})
    assert wrong.status_code == 403
    listed = await api.call("GET", "/assignments")
    assert listed.json()["data"] == []


async def test_every_page_carries_the_security_headers(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project(allow=["microphone"], tasks=1)
    worker = await gateway.worker()
    frame = await worker.get(f"/work/assignments/{await worker.accept(project['id'])}")
    for answer in (await worker.get("/work"), await gateway.browser().get("/signin"), frame):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    csp = frame.headers["content-security-policy"]
    assert "frame-src http://localhost:8001;" in csp
    assert 'microphone=(self "http://localhost:8001")' in frame.headers["permissions-policy"]
    assert "camera=()" in frame.headers["permissions-policy"]
    assert 'allow="microphone http://localhost:8001"' in frame.text
    assert 'sandbox="allow-scripts allow-forms allow-same-origin"' in frame.text
    assert 'referrerpolicy="no-referrer"' in frame.text

    signed_up = await gateway.browser().sign_up("cookie@example.org")
    cookie = signed_up.headers["set-cookie"].lower()
    assert cookie.startswith("cf_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie


async def test_a_worker_cannot_touch_another_workers_assignment(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=2)
    alice = await gateway.worker("alice@example.org")
    mallory = await gateway.worker("mallory@example.org")
    target = await alice.accept(project["id"])
    await mallory.get("/work")
    page = await mallory.get(f"/work/assignments/{target}")
    assert page.status_code == 404
    for action in ("submit", "token"):
        answer = await mallory.http.post(
            f"/work/assignments/{target}/{action}",
            json={"result": {"x": 1}},
            headers={"x-csrf-token": mallory.csrf},
        )
        assert answer.status_code == 404, action
    returned = await mallory.post_form(f"/work/assignments/{target}/return", {})
    assert returned.status_code == 404
    mine = await api.call("GET", f"/assignments/{target}")
    assert mine.json()["status"] == "accepted", "nothing changed"


async def test_a_client_supplied_title_is_shown_as_text(gateway: Gateway, api: ApiClient) -> None:
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    project = await api.project(title=payload, instructions=payload, tasks=1)
    worker = await gateway.worker()
    for page in (
        await worker.get("/work"),
        await worker.get(f"/work/projects/{project['id']}/preview"),
    ):
        assert "<script>alert(2)</script>" not in page.text
        assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page.text


async def test_returning_a_task_puts_it_back_and_submit_goes_on_to_the_next(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=2)
    worker, first = await gateway.worker_on(project["id"])
    returned = await worker.post_form(f"/work/assignments/{first}/return", {})
    assert returned.headers["location"] == "/work?notice=returned"
    second = await worker.accept(project["id"])
    assert second != first
    done = await worker.http.post(
        f"/work/assignments/{second}/submit",
        json={"result": {"ok": True}},
        headers={"x-csrf-token": worker.csrf},
    )
    # the worker returned the other task, so there is nothing left for them
    assert done.json() == {"status": "submitted", "next_url": "/work?notice=finished"}
    other = await gateway.worker("other@example.org")
    assert await other.accept(project["id"])  # the returned task went back to the pool


async def test_a_result_over_a_megabyte_is_refused_naming_the_field_and_nothing_is_kept(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)
    worker, assignment = await gateway.worker_on(project["id"])
    refused = await worker.http.post(
        f"/work/assignments/{assignment}/submit",
        json={"result": {"text": "x" * 1_000_001}},
        headers={"x-csrf-token": worker.csrf},
    )
    assert refused.status_code == 413
    assert refused.json()["error"]["field"] == "result"
    assert (await worker.submit(assignment, {"text": "short"}))["status"] == "submitted"


@ON_BOTH_STORES
async def test_the_task_list_shows_fifty_projects_and_a_link_to_the_rest(
    gateway: Gateway, api: ApiClient
) -> None:
    projects = [await api.project(title=f"Project {n:02d}", tasks=1) for n in range(51)]
    worker = await gateway.worker()
    first = await worker.get("/work")
    titles = re.findall(r"<h2>(Project \d+)</h2>", first.text)
    assert titles == [p["title"] for p in projects[:50]], "the first fifty, oldest first"
    more = re.search(r'href="(/work\?after=[^"]+)"[^>]*>More projects<', first.text)
    assert more is not None
    rest = await worker.get(more.group(1).replace("&amp;", "&"))
    assert re.findall(r"<h2>(Project \d+)</h2>", rest.text) == ["Project 50"]
    assert "More projects<" not in rest.text and 'href="/work">First projects<' in rest.text


async def test_a_broken_more_projects_link_shows_the_first_page_and_says_why(
    gateway: Gateway, api: ApiClient
) -> None:
    await api.project(title="Still here", tasks=1)
    worker = await gateway.worker()
    answer = await worker.get("/work?after=not-a-cursor")
    assert answer.status_code == 422
    assert "That link to more projects is not valid (after:" in answer.text
    assert "<h2>Still here</h2>" in answer.text


async def test_pages_can_be_used_from_the_keyboard_and_say_where_the_worker_is(
    gateway: Gateway,
) -> None:
    worker = await gateway.worker()
    page = (await worker.get("/earnings")).text
    body = page.split("<body", 1)[1]
    first_link = re.search(r"<a [^>]*>", body).group(0)  # type: ignore[union-attr]
    assert 'href="#main"' in first_link, "a skip link comes first"
    assert 'id="main" tabindex="-1"' in page
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', page) == ["/earnings"]


async def test_a_failed_sign_up_keeps_every_answer_the_password_too(gateway: Gateway) -> None:
    browser = gateway.browser()
    await browser.get("/signup")
    answer = await browser.post_form(
        "/signup",
        {"email": "me@example.org", "password": "long enough!", "country": "", "languages": ["de"]},
    )
    assert answer.status_code == 422 and "Choose your country." in answer.text
    assert 'value="long enough!"' in answer.text
    assert answer.headers["cache-control"] == "no-store"
