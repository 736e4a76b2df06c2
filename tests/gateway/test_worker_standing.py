"""Where the worker stands: the confirmation that stays after a submit, the statement of work
on /earnings (pending until its auto-approval date, approved, rejected with the client's
reason; the totals; fifty lines a page), a task in progress on the task list, and a
qualification test's progress."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape

import pytest

from crowdframe_gateway.core.records import now
from crowdframe_gateway.ledger import WorkLine
from crowdframe_gateway.quality import assessments
from crowdframe_gateway.quality.rules import attempt_questions
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway

pytestmark = ON_BOTH_STORES

DAY = 86_400
RIGHT = {"label": "cat"}


def text_of(html: str) -> str:
    """What a reader reads of ``html``: its text, with every run of spaces as one."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def confirmation(page: str) -> str:
    """The text of the page's confirmation after a submit ('' for none)."""
    found = re.search(r'<section id="cf-submitted".*?</section>', page, re.S)
    return text_of(found.group(0)) if found else ""


def rows(page: str) -> list[tuple[str, str]]:
    """The statement's rows: (status, the row's text)."""
    found = re.findall(r'<tr data-key="[^"]+" data-status="(\w+)">(.*?)</tr>', page, re.S)
    return [(status, text_of(row)) for status, row in found]


async def test_the_page_after_a_submit_confirms_it_and_what_it_earns(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(title="Label cats", reward_cents=10, estimated_seconds=20, tasks=2)
    worker, first = await gateway.worker_on(project["id"])
    reply = await worker.submit(first, {"ok": True})
    assert reply["next_url"].startswith("/work/assignments/")
    page = (await worker.get(reply["next_url"])).text
    said = confirmation(page)
    assert "Submitted: Label cats" in said
    assert "$0.10, pending until the client approves it" in said
    assert "1 paid task done today." in said
    assert 'data-focus="task"' in page, "the focus goes to the next task"
    assert 'role="status" aria-live="polite"></p>' in page, "a live region reads it out"

    second = reply["next_url"].rsplit("/", 1)[1]
    reply = await worker.submit(second, {"ok": True})
    assert reply["next_url"] == "/work?notice=finished"
    page = (await worker.get(reply["next_url"])).text
    assert "2 paid tasks done today." in confirmation(page)
    assert "There are no more tasks in that project" in confirmation(page), "said with it"
    assert 'data-focus="self"' in page, "no task follows: the focus goes to the confirmation"

    again = (await worker.get(reply["next_url"])).text
    assert confirmation(again) == "", "shown once: the page after the submit confirms it"
    stranger = await gateway.worker("stranger@example.org")
    assert confirmation((await stranger.get("/work?notice=finished")).text) == ""


async def test_earnings_show_pending_approved_and_rejected_work_with_the_totals(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(
        title="Label cats",
        reward_cents=10,
        estimated_seconds=20,
        auto_approve_delay=3 * DAY,
        tasks=4,
    )
    worker = await gateway.worker()
    done = []
    for _ in range(4):
        done.append(await worker.accept(project["id"]))
        await worker.submit(done[-1], {"ok": True})
    assert (await api.call("POST", f"/assignments/{done[0]}/approve")).status_code == 200
    rejected = await api.call(
        "POST", f"/assignments/{done[1]}/reject", json={"reason": "<b>blurry</b> photo"}
    )
    assert rejected.status_code == 200
    bonus = await api.call(
        "POST", f"/assignments/{done[0]}/bonus", json={"amount_cents": 25, "reason": "Thanks"}
    )
    assert bonus.status_code == 201, bonus.text

    page = (await worker.get("/earnings")).text
    assert "Nothing yet" not in page
    shown = rows(page)
    assert [status for status, _ in shown] == [
        "bonus",
        "submitted",
        "submitted",
        "rejected",
        "approved",
    ]
    assert "Pending: approved automatically on" in shown[1][1] and "$0.10" in shown[1][1]
    assert "Rejected: <b>blurry</b> photo" in shown[3][1]
    assert "&lt;b&gt;blurry&lt;/b&gt;" in page, "the client's reason, as text"
    totals = text_of(page.split('class="totals"')[1].split("</dl>")[0])
    assert "Pending approval $0.20 (2 tasks)" in totals
    assert "Approved $0.10 (1 task)" in totals and "Rejected $0.10 (1 task)" in totals
    assert "Bonuses $0.25 (1 bonus)" in totals
    assert re.findall(r'class="total" data-currency="USD">([^<]+)<', page) == ["$0.35"]
    assert "requester" not in page.lower()

    worker.http.headers["accept-language"] = "de-DE,de;q=0.9"
    german = (await worker.get("/earnings")).text
    assert "Annahme ausstehend 0,20 $ (2 Aufgaben)" in text_of(german), "money as German writes it"
    assert "Ausstehend: wird am" in german


async def test_earnings_come_fifty_lines_a_page_with_a_link_to_the_next(
    gateway: Gateway, api: ApiClient
) -> None:
    worker = await gateway.worker()
    me = await gateway.rt.store.worker_by_email("worker@example.org")
    assert me is not None
    at = now()
    line = WorkLine(
        "", "asg_x", me.id, "cli_x", "prj_x", "Label cats", "submitted", 10, "EUR", at, at + DAY
    )
    for i in range(60):
        await gateway.rt.store.note_work(replace(line, key=f"asg_{i:03}", submitted_at=at - i))
    first = (await worker.get("/earnings")).text
    assert len(rows(first)) == 50
    more = re.search(r'href="/earnings\?after=([^"]+)" rel="next"', first)
    assert more is not None
    second = (await worker.get(f"/earnings?after={more.group(1)}")).text
    assert len(rows(second)) == 10 and 'rel="next"' not in second
    assert 'href="/earnings">Latest work<' in second
    mangled = await worker.get("/earnings?after=nonsense")
    assert mangled.status_code == 422 and "That link to older work is not valid" in mangled.text
    assert len(rows(mangled.text)) == 50


async def test_a_task_in_progress_is_shown_with_continue_and_its_time_left(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(title="Label cats", assignment_duration=1800, tasks=3)
    worker, held = await gateway.worker_on(project["id"])
    listing = (await worker.get("/work")).text
    assert "In progress" in listing
    assert f'href="/work/assignments/{held}"' in listing and ">Continue<" in listing
    assert re.search(r"have not submitted it: (29|30) minutes left\.", listing)
    assert f'action="/work/projects/{project["id"]}/accept"' not in listing
    await worker.submit(held, {"ok": True})
    # the next task the submit gave is in progress now; once returned, none is
    [nxt] = re.findall(r'href="/work/assignments/([^"?]+)"', (await worker.get("/work")).text)
    await worker.post_form(f"/work/assignments/{nxt}/return", {})
    assert "In progress" not in (await worker.get("/work")).text


async def test_a_test_shows_its_progress_and_no_return_button(
    gateway: Gateway, api: ApiClient
) -> None:
    test = await api.project(title="Cat test", kind="assessment", test_size=2, pass_score=1.0)
    test_id = test["id"]
    questions = [{"external_id": f"q{i}", "input": {"n": i}, "gold": RIGHT} for i in range(3)]
    added = await api.call("POST", f"/projects/{test_id}/tasks", json={"tasks": questions})
    assert added.status_code == 201, added.text
    worker: Browser = await gateway.worker()
    await worker.get(f"/work/tests/{test_id}")
    first = await worker.accept(test_id)
    frame = (await worker.get(f"/work/assignments/{first}")).text
    assert "Question 1 of 2" in frame
    assert "/return" not in frame and "Return task" not in frame
    reply = await worker.submit(first, RIGHT)
    frame = (await worker.get(reply["next_url"])).text
    assert "Question 2 of 2" in frame and "Answer saved" in confirmation(frame)
    second = reply["next_url"].rsplit("/", 1)[1]
    result = (await worker.get((await worker.submit(second, RIGHT))["next_url"])).text
    card = result.split('class="card narrow test-page"')[1].split("</section>")[0]
    assert "You passed" in card
    assert len(re.findall(r"<a ", card)) == 1, "one way on from the result"


async def test_two_workers_get_a_test_s_questions_in_orders_of_their_own(
    gateway: Gateway, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    test = await api.project(title="Cat test", kind="assessment", test_size=4, pass_score=0.5)
    questions = [{"external_id": f"q{i}", "input": {"n": i}, "gold": RIGHT} for i in range(6)]
    added = await api.call("POST", f"/projects/{test['id']}/tasks", json={"tasks": questions})
    assert added.status_code == 201, added.text
    pool = sorted(t["id"] for t in added.json()["tasks"])
    seeds = iter([1, 2])
    monkeypatch.setattr(assessments.secrets, "randbits", lambda _bits: next(seeds))
    asked = []
    for email in ("ada@example.org", "bob@example.org"):
        worker = await gateway.worker(email)
        await worker.get(f"/work/tests/{test['id']}")
        assignment_id, tasks = await worker.accept(test["id"]), []
        for _ in range(4):
            assignment = await gateway.rt.store.get_assignment(assignment_id)
            assert assignment is not None
            tasks.append(assignment.task_id)
            reply = await worker.submit(assignment_id, RIGHT)
            assignment_id = reply["next_url"].rsplit("/", 1)[1]
        asked.append(tuple(tasks))
    assert asked == [attempt_questions(pool, 4, 1), attempt_questions(pool, 4, 2)]
    assert asked[0] != asked[1], "each attempt its own questions, or its own order"
