"""The console's results: a project's answers filtered (status, signal, gold, worker, date),
their input and result readable and escaped, agreement per task; a selection approved, one
rejected with a reason the worker reads on /earnings, everything filtered reviewed page by page;
a bonus the worker is paid, a worker blocked, the CSV of what is filtered; the workers' records;
the money against a recount; and nothing of it for another client."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from console_world import ConsoleUser, console_owner
from crowdframe_gateway.catalog.fairpay import minimum_wage
from crowdframe_gateway.core.page import Page
from crowdframe_gateway.core.params import AssignmentQuery
from crowdframe_gateway.core.records import Assignment, now
from crowdframe_gateway.review import answers
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway

pytestmark = ON_BOTH_STORES


def text_of(answer: httpx.Response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", answer.text).split())


def rows_of(answer: httpx.Response) -> list[str]:
    """The assignment ids of the table's rows, in order."""
    return re.findall(r'<tr data-assignment="([^"]+)"', answer.text)


@dataclass
class World:
    owner: ConsoleUser
    project: dict[str, object]
    workers: list[tuple[Browser, list[str]]]  # each worker's browser and their answers

    @property
    def base(self) -> str:
        return f"/console/projects/{self.project['id']}"

    @property
    def answers(self) -> list[str]:
        return [a for _, ids in self.workers for a in ids]


async def answered(
    gateway: Gateway, api: ApiClient, per_worker: tuple[int, ...] = (2, 2, 1), **fields: object
) -> World:
    """A project whose workers answered, one after another (each given their own tasks, which
    they do one after the other as the frame page goes on to the next): the first answers of
    each are labelled "cat", the last "<b>dog</b>"."""
    owner = await console_owner(api)
    project = await api.project(**fields)
    workers: list[tuple[Browser, list[str]]] = []
    for n, count in enumerate(per_worker):
        await api.tasks(project["id"], count, prefix=f"w{n}-")
        worker = await gateway.worker(f"w{n}@example.org")
        ids = [await worker.accept(project["id"])]
        for i in range(count):
            label = "<b>dog</b>" if i == count - 1 else "cat"
            after = await worker.submit(ids[-1], {"label": label})
            if i < count - 1:
                ids.append(after["next_url"].rsplit("/", 1)[1])
                await worker.get(after["next_url"])
        workers.append((worker, ids))
    return World(owner, project, workers)


async def pseudonym(api: ApiClient, assignment_id: str) -> str:
    seen = (await api.call("GET", f"/assignments/{assignment_id}")).json()
    return str(seen["worker_id"])


async def test_the_table_shows_answers_readable_and_filters_them(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api)
    owner, base = world.owner, world.base
    first, second, _third = world.workers
    await api.call("POST", f"/assignments/{first[1][0]}/approve")

    table = await owner.browser.get(f"{base}/results")
    assert table.status_code == 200
    assert rows_of(table) == world.answers  # in the order they were accepted
    assert "&lt;b&gt;dog&lt;/b&gt;" in table.text and "<b>dog</b>" not in table.text
    assert "&#34;label&#34;: &#34;cat&#34;" in table.text or '"label": "cat"' in text_of(table)
    assert "100%" in text_of(table)  # one answer per task: it agrees with itself

    approved = await owner.browser.get(f"{base}/results?status=approved")
    assert rows_of(approved) == [first[1][0]]
    waiting = await owner.browser.get(f"{base}/results?status=submitted")
    assert set(rows_of(waiting)) == set(world.answers) - {first[1][0]}

    theirs = await pseudonym(api, second[1][0])
    by_worker = await owner.browser.get(f"{base}/results?worker={theirs}")
    assert rows_of(by_worker) == second[1]
    assert (await owner.browser.get(f"{base}/results?gold=gold")).status_code == 200
    assert rows_of(await owner.browser.get(f"{base}/results?gold=gold")) == []
    assert rows_of(await owner.browser.get(f"{base}/results?gold=work")) == world.answers

    today = datetime.now(UTC).date()
    since_today = await owner.browser.get(f"{base}/results?since={today}&until={today}")
    assert rows_of(since_today) == world.answers
    tomorrow = today + timedelta(days=1)
    assert rows_of(await owner.browser.get(f"{base}/results?since={tomorrow}")) == []
    assert rows_of(await owner.browser.get(f"{base}/results?signal=too_fast&status=approved")) in (
        [],
        [first[1][0]],
    )

    wrong = await owner.browser.get(f"{base}/results?status=accepted")
    assert wrong.status_code == 422 and "status must be one of" in wrong.text
    bad_day = await owner.browser.get(f"{base}/results?since=yesterday")
    assert bad_day.status_code == 422 and "since must be a date" in bad_day.text


async def test_signals_and_gold_filter_the_answers_that_carry_them(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    # every claim takes a gold question while one is left
    project = await api.project(gold_ratio=1.0, gold_min_answers=100)
    body = {"tasks": [{"external_id": "g0", "input": {"n": 0}, "gold": {"label": "cat"}},
                      {"external_id": "t1", "input": {"n": 1}}]}  # fmt: skip
    assert (
        await api.call("POST", f"/projects/{project['id']}/tasks", json=body)
    ).status_code == 201
    worker = await gateway.worker()
    gold = await worker.accept(project["id"])
    await worker.submit(gold, {"label": "cat"})
    work = await worker.accept(project["id"])
    await worker.submit(work, {"label": "cat"})  # the same answer again: same_answer
    base = f"/console/projects/{project['id']}"

    assert rows_of(await owner.browser.get(f"{base}/results?gold=gold")) == [gold]
    assert rows_of(await owner.browser.get(f"{base}/results?gold=work")) == [work]
    listed = (await api.call("GET", f"/assignments?project_id={project['id']}")).json()["data"]
    flagged = [a["id"] for a in listed if "too_fast" in a["signals"]]
    assert rows_of(await owner.browser.get(f"{base}/results?signal=too_fast")) == flagged


async def test_a_selection_is_approved_and_one_rejected_with_a_reason_the_worker_reads(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api)
    owner, base = world.owner, world.base
    (_first_worker, first), (_, second), (third_worker, third) = world.workers
    await owner.browser.get(f"{base}/results")

    chosen = [*first, second[0]]
    approved = await owner.browser.post_form(
        f"{base}/results/review",
        {"ids": chosen, "action": "approve", "back": f"{base}/results"},
    )
    assert approved.status_code == 303
    assert approved.headers["location"] == f"{base}/results?notice=approved"
    for assignment_id in chosen:
        seen = (await api.call("GET", f"/assignments/{assignment_id}")).json()
        assert seen["status"] == "approved"
    assert "Approved." in (await owner.browser.get(approved.headers["location"])).text

    page = await owner.browser.get(f"{base}/results/{third[0]}")
    assert 'name="action" value="reject"' in page.text
    refused = await owner.browser.post_form(
        f"{base}/results/review", {"ids": third[0], "action": "reject", "reason": ""}
    )
    assert refused.status_code == 422 and "reason must be 1 to 1000 characters" in refused.text
    rejected = await owner.browser.post_form(
        f"{base}/results/review",
        {"ids": third[0], "action": "reject", "reason": "The <label> is wrong",
         "back": f"{base}/results/{third[0]}"},
    )  # fmt: skip
    assert rejected.headers["location"] == f"{base}/results/{third[0]}?notice=rejected"
    earnings = await third_worker.get("/earnings")
    assert "The &lt;label&gt; is wrong" in earnings.text

    again = await owner.browser.post_form(
        f"{base}/results/review", {"ids": [third[0], second[1]], "action": "approve"}
    )
    assert again.status_code == 200  # one refused: each is reviewed on its own, as the API does
    assert f"{third[0]} : Only a submitted assignment can be approved" in text_of(again)
    assert (await api.call("GET", f"/assignments/{second[1]}")).json()["status"] == "approved"


async def test_everything_filtered_is_reviewed_a_page_at_a_time(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api, per_worker=(56, 3))
    owner, base = world.owner, world.base
    (_, many), (_, few) = world.workers
    await owner.browser.get(f"{base}/results")
    theirs = await pseudonym(api, many[0])

    first = await owner.browser.get(f"{base}/results?worker={theirs}")
    assert len(rows_of(first)) == 50 and 'id="next-page"' in first.text
    cursor = re.search(r'id="next-page" href="[^"]*cursor=([^"]+)"', first.text)
    assert cursor is not None
    rest = await owner.browser.get(f"{base}/results?worker={theirs}&cursor={cursor.group(1)}")
    assert rows_of(first) + rows_of(rest) == many

    steps, data = [], {"worker": theirs, "action": "approve"}
    while True:
        answer = await owner.browser.http.post(
            f"{base}/results/review-all", data={"csrf": owner.browser.csrf, **data},
            headers={"hx-request": "true"},
        )  # fmt: skip
        assert answer.status_code == 200 and "<html" not in answer.text
        steps.append(text_of(answer))
        following = dict(re.findall(r'name="(cursor|done|refused)" value="([^"]*)"', answer.text))
        if "cursor" not in following:
            break
        data.update(following)
    assert steps[0].startswith("Approved 50 so far") and steps[-1].startswith("Approved 56 so far")
    statuses = {
        a["id"]: a["status"]
        for a in (await api.call("GET", f"/assignments?project_id={world.project['id']}"
                                 "&limit=100")).json()["data"]
    }  # fmt: skip
    assert all(statuses[a] == "approved" for a in many)
    assert all(statuses[a] == "submitted" for a in few), "only what the filter keeps"

    # without JavaScript: every page, then the table
    plain = await owner.browser.post_form(
        f"{base}/results/review-all", {"status": "submitted", "action": "reject", "reason": "no"}
    )
    assert plain.headers["location"] == f"{base}/results?status=submitted&notice=rejected"
    after = await api.call("GET", f"/assignments?project_id={world.project['id']}&limit=100")
    assert {a["status"] for a in after.json()["data"] if a["id"] in few} == {"rejected"}

    # a rejection needs its reason, even when nothing is left to reject
    none_left = await owner.browser.post_form(
        f"{base}/results/review-all", {"status": "submitted", "action": "reject", "reason": " "}
    )
    assert none_left.status_code == 422 and "reason must be 1 to 1000 characters" in none_left.text
    stepwise = await owner.browser.http.post(
        f"{base}/results/review-all",
        data={"csrf": owner.browser.csrf, "action": "reject"},
        headers={"hx-request": "true"},
    )
    assert stepwise.status_code == 200 and 'id="review-error"' in stepwise.text


async def test_a_bonus_is_paid_once_and_a_worker_blocked(gateway: Gateway, api: ApiClient) -> None:
    world = await answered(gateway, api, per_worker=(2,))
    owner, base = world.owner, world.base
    worker, (first, second) = world.workers[0]
    page = await owner.browser.get(f"{base}/results/{first}")
    once = re.search(r'name="once" value="([^"]+)"', page.text)
    assert once is not None
    form = {"amount_cents": "25", "reason": "Thorough work", "once": once.group(1)}
    paid = await owner.browser.post_form(f"{base}/results/{first}/bonus", form)
    assert paid.headers["location"] == f"{base}/results/{first}?notice=bonus"
    await owner.browser.post_form(f"{base}/results/{first}/bonus", form)  # sent twice
    bonuses = (await api.call("GET", f"/bonuses?assignment_id={first}")).json()["data"]
    assert [(b["amount_cents"], b["reason"]) for b in bonuses] == [(25, "Thorough work")]
    assert "Thorough work" in (await worker.get("/earnings")).text

    wrong = await owner.browser.post_form(
        f"{base}/results/{first}/bonus", {**form, "amount_cents": "lots", "once": "x2"}
    )
    assert wrong.status_code == 422 and "amount_cents must be an integer" in wrong.text

    blocked = await owner.browser.post_form(
        f"{base}/results/{second}/block", {"reason": "copies answers", "scope": "project"}
    )
    assert blocked.headers["location"] == f"{base}/results/{second}?notice=blocked"
    blocks = (await api.call("GET", "/blocks")).json()["data"]
    assert [(b["worker_id"], b["project_id"]) for b in blocks] == [
        (await pseudonym(api, second), world.project["id"])
    ]
    more = await api.tasks(str(world.project["id"]), 1, prefix="more")
    assert more
    refused = await worker.post_form(f"/work/projects/{world.project['id']}/accept", {})
    assert not refused.headers.get("location", "").startswith("/work/assignments/")


async def test_the_download_is_the_export_of_what_is_filtered(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api)
    owner, base = world.owner, world.base
    (_, first), _, _ = world.workers
    await api.call("POST", f"/assignments/{first[0]}/approve")
    await owner.browser.get(f"{base}/results")

    everything = await owner.browser.http.get(f"{base}/results/export?format=csv")
    assert everything.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(everything.text)))
    assert [r["assignment_id"] for r in rows] == world.answers
    by_api = await api.call("GET", f"/projects/{world.project['id']}/results?format=csv")
    assert everything.text == by_api.text, "the console's download is the API's export"
    assert {r["result_label"] for r in rows} == {"cat", "<b>dog</b>"}

    approved = await owner.browser.http.get(f"{base}/results/export?format=csv&status=approved")
    assert [r["assignment_id"] for r in csv.DictReader(io.StringIO(approved.text))] == [first[0]]
    lines = await owner.browser.http.get(f"{base}/results/export?format=jsonl&status=approved")
    assert lines.text.count("\n") == 1 and first[0] in lines.text
    bad = await owner.browser.http.get(f"{base}/results/export?format=xls")
    assert bad.status_code == 422


async def test_the_workers_page_counts_each_workers_answers(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api, per_worker=(3, 1))
    owner, base = world.owner, world.base
    (_, many), (_, one) = world.workers
    await api.call("POST", f"/assignments/{many[0]}/approve")
    await api.call("POST", f"/assignments/{many[1]}/reject", json={"reason": "no"})
    page = await owner.browser.get(f"{base}/workers")
    assert page.status_code == 200
    theirs = await pseudonym(api, many[0])
    row = page.text.split(f'<tr data-worker="{theirs}">', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'data-figure="answers">3<', row)
    assert "50% (1/2)" in row  # approved among those reviewed
    assert re.search(r'data-figure="median">\d+ s<', row)
    other = page.text.split(f'<tr data-worker="{await pseudonym(api, one[0])}">', 1)[1]
    assert re.search(r'data-figure="answers">1<', other)


def cents(answer: httpx.Response, project_id: str) -> dict[str, int]:
    row = answer.text.split(f'<tr data-project="{project_id}">', 1)[1].split("</tr>", 1)[0]
    return {k: int(v) for k, v in re.findall(r'data-figure="(\w+)" data-cents="(\d+)"', row)}


async def test_the_money_is_what_a_recount_of_the_answers_and_bonuses_gives(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api, per_worker=(3, 2))
    owner = world.owner
    other = await api.project(tasks=1, reward_cents=50, currency="EUR", title="Other")
    (_, first), (_, second) = world.workers
    await api.call("POST", f"/assignments/{first[0]}/approve")
    await api.call("POST", f"/assignments/{first[1]}/approve")
    await api.call("POST", f"/assignments/{second[0]}/reject", json={"reason": "no"})
    for amount, assignment_id in ((40, first[0]), (15, second[0])):
        await api.call("POST", f"/assignments/{assignment_id}/bonus",
                       json={"amount_cents": amount, "reason": "thanks"})  # fmt: skip
    late = await gateway.worker("late@example.org")
    await late.accept(str(other["id"]))  # in progress on the other project

    listed = (await api.call("GET", "/assignments?limit=100")).json()["data"]
    reward = {world.project["id"]: 30, other["id"]: 50}

    def recount(project_id: object, *statuses: str) -> int:
        return sum(reward[project_id] for a in listed
                   if a["project_id"] == project_id and a["status"] in statuses)  # fmt: skip

    bonuses = (await api.call("GET", "/bonuses")).json()["data"]
    page = await owner.browser.get("/console/money")
    for project_id in (world.project["id"], other["id"]):
        assert cents(page, str(project_id)) == {
            "committed_cents": recount(project_id, "accepted", "submitted"),
            "approved_cents": recount(project_id, "approved"),
            "rejected_cents": recount(project_id, "rejected"),
            "bonus_cents": sum(
                b["amount_cents"] for b in bonuses
                if any(a["id"] == b["assignment_id"] and a["project_id"] == project_id
                       for a in listed)
            ),
        }  # fmt: skip
    assert cents(page, str(world.project["id"]))["approved_cents"] == 60
    totals = {
        figure: dict(re.findall(r'data-currency="(\w+)" data-cents="(\d+)"', cell))
        for figure, cell in re.findall(r'data-total="(\w+)">(.*?)</dd>', page.text)
    }
    assert totals["bonus_cents"] == {"USD": "55", "EUR": "0"}
    assert totals["committed_cents"] == {"USD": "60", "EUR": "50"}
    assert totals["approved_cents"] == {"USD": "60", "EUR": "0"}

    one = await owner.browser.get(f"{world.base}/money")
    assert one.status_code == 200
    assert "that pays" in text_of(one) and "an hour" in text_of(one)


async def test_another_clients_user_gets_404_on_every_results_route(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api, per_worker=(1,))
    answer = world.answers[0]
    rival = await console_owner(await gateway.client("rival"), "eve@rival.example")
    own_project = await rival.api.project()
    await rival.browser.get("/console/projects")
    base = world.base
    gets = [f"{base}/results", f"{base}/results/export?format=csv", f"{base}/workers",
            f"{base}/money", f"{base}/results/{answer}",
            f"/console/projects/{own_project['id']}/results/{answer}"]  # fmt: skip
    for path in gets:
        seen = await rival.browser.http.get(path)
        assert seen.status_code == 404, path
    posts = {
        f"{base}/results/review": {"ids": answer, "action": "approve"},
        f"/console/projects/{own_project['id']}/results/review": {"ids": answer,
                                                                 "action": "approve"},
        f"{base}/results/review-all": {"action": "approve"},
        f"{base}/results/{answer}/bonus": {"amount_cents": "5", "reason": "x"},
        f"{base}/results/{answer}/block": {"reason": "x"},
        f"/console/projects/{own_project['id']}/results/{answer}/block": {"reason": "x"},
    }  # fmt: skip
    for path, data in posts.items():
        sent = await rival.browser.post_form(path, data)
        assert sent.status_code == 404, path
    assert (await api.call("GET", f"/assignments/{answer}")).json()["status"] == "submitted"
    assert (await rival.api.call("GET", "/blocks")).json()["data"] == []
    money = await rival.browser.get("/console/money")
    assert str(world.project["id"]) not in money.text

    signed_out = gateway.browser()
    assert (await signed_out.http.get(f"{base}/results")).status_code == 303

    forged = await world.owner.browser.http.post(
        f"{base}/results/review", data={"ids": answer, "action": "approve", "csrf": "forged"}
    )
    assert forged.status_code == 403, "every POST carries the session's CSRF token"
    assert (await api.call("GET", f"/assignments/{answer}")).json()["status"] == "submitted"


async def test_a_page_costs_the_same_however_few_answers_the_filters_keep(
    gateway: Gateway, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most ``SCAN_READS`` reads of the store's listing a page: a filter that keeps few
    answers gives short pages (empty, even) with a cursor, and the cursors lead to them all."""
    world = await answered(gateway, api, per_worker=(12, 2))
    (_, many), (_, few) = world.workers
    rt = gateway.rt
    client = await rt.store.get_client(api.made.client.id)
    project = await rt.store.get_project(str(world.project["id"]))
    assert client is not None and project is not None
    reads: list[int] = []
    listing = rt.store.list_assignments

    async def counted(client_id: str, query: AssignmentQuery) -> Page[Assignment]:
        reads.append(query.limit)
        return await listing(client_id, query)

    monkeypatch.setattr(rt.store, "list_assignments", counted)
    monkeypatch.setattr(answers, "SCAN_READS", 2)
    chosen = answers.AnswerFilter(worker=await pseudonym(api, few[0]))

    pages, cursor, found = 0, None, []
    while True:
        reads.clear()
        page = await answers.answers_page(rt, client, project, chosen, cursor, limit=3)
        assert len(reads) <= 2 and all(n <= 3 for n in reads), "a page's reads are bounded"
        pages, found = pages + 1, found + [a.assignment.id for a in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert found == few
    assert pages > 2, "the first pages held none of them, and still had a next one"

    everything = answers.AnswerFilter()
    reads.clear()
    first = await answers.answers_page(rt, client, project, everything, None, limit=5)
    assert [a.assignment.id for a in first.items] == many[:5] and reads == [5]


async def test_the_measured_pay_is_judged_against_each_targeted_countrys_minimum(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    # 30 cents for an estimated minute pays $18 an hour, fair in Germany and France
    project = await api.project(tasks=2, countries=["DE", "FR"], estimated_seconds=60)
    base = f"/console/projects/{project['id']}"
    before = await owner.browser.get(f"{base}/money")
    assert "No answers yet: nothing measured." in text_of(before)

    with time_machine.travel(now(), tick=False) as clock:
        worker = await gateway.worker(country="DE")
        assignment_id = await worker.accept(project["id"])
        clock.shift(600)  # ten minutes on a task estimated at one
        await worker.submit(assignment_id, {"label": "cat"})
    measured = text_of(await owner.browser.get(f"{base}/money"))
    germany, france = minimum_wage("DE"), minimum_wage("FR")
    assert germany is not None and france is not None
    assert "Workers took 600 seconds (median); that pays $1.80 an hour." in measured
    assert f"Germany: minimum ${germany.hourly_usd:.2f} — below the minimum" in measured
    assert "France: minimum" in measured and "fair pay" not in measured


async def test_the_results_pages_mark_where_the_client_is_and_switch_language_in_place(
    gateway: Gateway, api: ApiClient
) -> None:
    world = await answered(gateway, api, (1,))
    for tab, label in (("results", "Answers"), ("workers", "Workers"), ("money", "Money")):
        shown = await world.owner.browser.get(f"{world.base}/{tab}")
        assert shown.status_code == 200
        assert f'aria-current="page">{label}</a>' in shown.text, tab
        assert f'name="next" value="{world.base}/{tab}"' in shown.text, "the switch comes back"
        title = shown.text.split("<title>", 1)[1].split("</title>", 1)[0]
        assert "<" not in title, "the page's title is text only"
