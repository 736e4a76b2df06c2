"""A client reviews answers in the console, in Debian's Chromium, at a phone's width: while
workers answer the sentiment example's tasks, the client approves a selection, rejects one with a
reason the worker then reads on /earnings, pays a bonus, blocks a worker, approves everything
filtered (page by page, without a reload), downloads the CSV of what is filtered (read back with
csv.DictReader) and sees the money it cost."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from flows import SENTIMENT, answer_a_task, sign_up
from services import World
from test_console import accept_the_invitation

pytestmark = pytest.mark.e2e

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_client_reviews_answers_pays_a_bonus_blocks_and_downloads(
    page: Page, browser: Browser, world: World
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    accept_the_invitation(page, world)
    page.get_by_role("link", name=SENTIMENT, exact=True).click()
    page.get_by_role("link", name="Answers").click()
    expect(page.get_by_role("heading", name=f"Answers to {SENTIMENT}")).to_be_visible()
    results_url = page.url

    workers, answered = [], []
    for n, sentiment in enumerate(("Positive", "Negative", "Neutral")):
        worker = browser.new_context().new_page()
        sign_up(worker, world.gateway.origin, f"reviewed.worker{n}@example.org")
        answered.append(answer_a_task(worker, SENTIMENT, sentiment))
        workers.append(worker)

    page.goto(results_url)
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(3)
    assert page.evaluate(NO_OVERFLOW), "the page is wider than a phone"

    # approve a selection: the first two answers
    first, second, third = answered
    page.locator(f"#pick-{first}").check()
    page.locator(f"#pick-{second}").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_text("Approved.", exact=True)).to_be_visible()
    expect(page.locator(f'tr[data-assignment="{first}"] .status')).to_have_text("approved")
    expect(page.locator(f'tr[data-assignment="{second}"] .status')).to_have_text("approved")

    # reject the third with a reason, on its own page
    page.locator(f'tr[data-assignment="{third}"]').get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Input")).to_be_visible()
    page.get_by_label("Reason for a rejection (the worker reads it)").fill(
        "The review is clearly positive"
    )
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator("#answer-status")).to_have_text("rejected")
    assert page.evaluate(NO_OVERFLOW), "the answer's page is wider than a phone"
    workers[2].goto(world.gateway.origin + "/earnings")
    reason = workers[2].locator("li.rejection .reason")  # also in the statement's row
    expect(reason).to_have_text("The review is clearly positive")

    # a bonus on the first answer, and its worker hears of it
    page.goto(f"{results_url}/{first}")
    page.get_by_label("Amount (cents, USD)").fill("25")
    page.get_by_label("Why (the worker reads it)").fill("Careful work")
    page.get_by_role("button", name="Pay the bonus").click()
    expect(page.get_by_text("Bonus paid: the worker is told.")).to_be_visible()
    workers[0].goto(world.gateway.origin + "/earnings")
    expect(workers[0].get_by_text("Careful work")).to_be_visible()

    # block the second answer's worker: the project leaves their task list
    page.goto(f"{results_url}/{second}")
    page.get_by_label("Reason (kept for you)").fill("Too quick")
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_text("Worker blocked")).to_be_visible()
    workers[1].goto(world.gateway.origin + "/work")
    expect(workers[1].get_by_role("heading", name="Available tasks")).to_be_visible()
    expect(workers[1].get_by_role("listitem").filter(has_text=SENTIMENT)).to_have_count(0)

    # the first worker answers the task they went on to; everything waiting is approved
    workers[0].goto(world.gateway.origin + "/work")
    fourth = answer_a_task(workers[0], SENTIMENT, "Positive")
    page.goto(results_url)
    page.get_by_label("Status").select_option("submitted")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(rows).to_have_count(1)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Approve everything filtered").click()
    expect(page.locator("#review-done")).to_be_visible()
    expect(page.locator("#reviewing")).to_contain_text("Approved 1 so far")
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"

    # the CSV of what is filtered: the approved answers
    page.goto(results_url)
    page.get_by_label("Status").select_option("approved")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(rows).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    read = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["assignment_id"] for r in read) == sorted([first, second, fourth])
    assert {r["status"] for r in read} == {"approved"}
    assert {r["result_sentiment"] for r in read} == {"positive", "negative"}

    # the workers: each with their answers and approval rate
    page.get_by_role("link", name="Workers").click()
    expect(page.locator("table.workers-table tbody tr")).to_have_count(3)
    assert page.evaluate(NO_OVERFLOW), "the workers' page is wider than a phone"

    # and what it cost: three rewards approved, one rejected, the bonus
    page.get_by_role("link", name="Money").first.click()
    expect(page.get_by_role("heading", name="Money", exact=True)).to_be_visible()
    bonuses = page.locator('dd[data-total="bonus_cents"] [data-currency="USD"]')
    expect(bonuses).to_have_attribute("data-cents", "25")
    assert page.evaluate(NO_OVERFLOW), "the money page is wider than a phone"
