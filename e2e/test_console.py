"""A client's first hour in the console, in Debian's Chromium: accept the invitation, create a
project (refused for unfair pay, explained before saving, then fixed), and watch a project's
progress bars move while a worker does a task, without reloading the page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from flows import SENTIMENT, answer_a_task, sign_up
from services import CONSOLE_OWNER, World

pytestmark = pytest.mark.e2e

PASSWORD = "a long console password"


def accept_the_invitation(page: Page, world: World) -> None:
    assert world.account.console_invitation is not None
    path = urlsplit(world.account.console_invitation).path
    page.goto(world.gateway.origin + path)
    expect(page.get_by_text(CONSOLE_OWNER)).to_be_visible()
    page.get_by_label("Password", exact=False).first.fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Choose password and sign in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    expect(page.get_by_text("Welcome!")).to_be_visible()


def create_a_fairly_paid_project(page: Page, world: World) -> None:
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Title").fill("Photos of cats")
    page.get_by_label("Task page URL").fill(world.example.origin + "/task")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_label("Estimated time per task (seconds)").fill("60")
    page.get_by_label("Countries", exact=True).fill("DE")
    page.get_by_label("Reward per task (cents)").fill("15")
    pay = page.locator("#pay")
    # explained before saving, as the form is filled in
    expect(pay).to_contain_text("Pays €9.00 an hour; the minimum in Germany is €13.90")
    expect(pay).to_contain_text("Too low")

    page.get_by_role("button", name="Create project").click()

    expect(page.get_by_role("alert")).to_contain_text("below the minimum wage in DE")
    reward = page.get_by_label("Reward per task (cents)")
    expect(reward).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reward_cents-error")).to_contain_text("below the minimum wage in DE")
    expect(page.get_by_label("Title")).to_have_value("Photos of cats")  # kept

    reward.fill("25")
    expect(pay).to_contain_text("Pays €15.00 an hour; the minimum in Germany is €13.90")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Photos of cats")).to_be_visible()
    expect(page.get_by_text("Project created.")).to_be_visible()


def card(page: Page, title: str) -> Locator:
    """A project's card on the projects list."""
    heading = page.get_by_role("heading", name=title, exact=True)
    return page.locator("li.project").filter(has=heading)


def answers_counted(page: Page, project_id: str) -> int:
    return int(page.evaluate(COUNTED, project_id))


# what the card's bars count as answers now, read in the page
COUNTED = """(id) => ["submitted", "approved", "rejected"].reduce((n, key) => n + Number(
    document.querySelector(`li[data-project="${id}"] [data-count="${key}"]`).textContent), 0)"""


def test_a_client_creates_a_project_and_watches_its_progress_move(
    page: Page, browser: Browser, world: World
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    accept_the_invitation(page, world)
    create_a_fairly_paid_project(page, world)

    page.get_by_role("link", name="Projects").click()
    sentiment = card(page, SENTIMENT)
    expect(sentiment).to_be_visible()
    expect(card(page, "Photos of cats")).to_be_visible()
    project_id = sentiment.get_attribute("data-project")
    before = answers_counted(page, project_id)
    page.evaluate("window.notReloaded = true")
    no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow), "the list is wider than a phone"

    worker = browser.new_context().new_page()
    sign_up(worker, world.gateway.origin, "busy.worker@example.org")
    answer_a_task(worker, SENTIMENT, "Positive")

    page.wait_for_function(
        f"([id, before]) => ({COUNTED})(id) > before", arg=[project_id, before], timeout=15_000
    )
    assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
    assert answers_counted(page, project_id) == before + 1
    answered = sentiment.locator("progress[value='1']")
    expect(answered.first).to_be_visible()
