"""Where a German-speaking worker stands, in Debian's Chromium with ``locale="de-DE"``: the
reading test shows its progress and asks its questions in an order of its own (another
worker's differs), a task's page receives ``de``, the confirmation after a submit stays, the
work is pending on /earnings as ``0,10 $``, and a client's rejection is read there with its
reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

import crowdframe
from flows import SENTIMENT, answer_the_test
from services import World

pytestmark = pytest.mark.e2e

REASON = "Die Rezension ist eindeutig negativ."


@pytest.fixture
def example_options() -> list[str]:
    return []  # the reading test the sentiment project requires


def german_worker(browser: Browser, world: World, email: str) -> Page:
    """A new worker signs up in a German browser; ends on the task list, in German."""
    page = browser.new_context(locale="de-DE").new_page()
    page.goto(world.gateway.origin + "/signup")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_label("E-Mail").fill(email)
    page.get_by_label("Passwort").fill("a long password")
    page.get_by_label("Land, in dem Sie leben").select_option("DE")
    page.get_by_label("Englisch").check()
    page.get_by_role("button", name="Konto anlegen").click()
    expect(page.get_by_role("heading", name="Verfügbare Aufgaben")).to_be_visible()
    return page


def take_the_test(page: Page) -> list[str]:
    """From the task list, the reading test, passed; the questions in the order asked."""
    offer = page.get_by_role("listitem").filter(has_text=SENTIMENT)
    offer.get_by_role("link", name="Qualifikationstest ablegen").click()
    page.get_by_role("button", name="Test beginnen").click()
    expect(page.locator('form[action$="/return"]')).to_have_count(0)  # answered, not returned
    asked = answer_the_test(page, right=True, progress=lambda n: f"Frage {n} von 5")
    expect(page.get_by_role("status")).to_contain_text("Bestanden")
    expect(page.get_by_role("link", name="Arbeit finden")).to_have_count(1)
    return asked


def submit_sentiment(page: Page, sentiment: str) -> str:
    """Answer the task in the frame; the answered assignment's id."""
    assignment_id = page.url.rsplit("/", 1)[1]
    task = page.frame_locator("#cf-task-frame")
    expect(task.get_by_role("button", name="Submit")).to_be_enabled()
    task.get_by_label(sentiment).check()
    task.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: assignment_id not in url)
    return assignment_id


def test_a_german_worker_sees_where_they_stand(browser: Browser, world: World) -> None:
    page = german_worker(browser, world, "leserin@example.org")
    first_order = take_the_test(page)
    other = german_worker(browser, world, "leser@example.org")
    other_order = take_the_test(other)
    assert first_order != other_order, "each attempt asks its questions in its own order"

    page.get_by_role("link", name="Arbeit finden").click()
    offer = page.get_by_role("listitem").filter(has_text=SENTIMENT)
    offer.locator('form[action$="/accept"] button').click()
    src = page.locator("#cf-task-frame").get_attribute("src") or ""
    assert "cf_locale=de" in src, "the task's page is told the worker's language"
    first = submit_sentiment(page, "Positive")

    confirmation = page.locator("#cf-submitted")
    expect(confirmation).to_contain_text(f"Abgegeben: {SENTIMENT}")
    expect(confirmation).to_contain_text("0,10\xa0$, ausstehend, bis der Auftraggeber")
    expect(confirmation).to_contain_text("Heute 1 bezahlte Aufgabe erledigt.")
    expect(page.locator("#cf-submitted-status")).to_contain_text(f"Abgegeben: {SENTIMENT}")
    focused = page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "cf-task-frame", "the focus is on the new task"
    page.wait_for_timeout(1500)  # the confirmation stays
    expect(confirmation).to_be_visible()

    second = submit_sentiment(page, "Negative")
    expect(page.locator("#cf-submitted")).to_contain_text("Heute 2 bezahlte Aufgaben erledigt.")
    with crowdframe.Client(world.account.api_key, base_url=world.gateway.origin) as api:
        assert api.reject(second, REASON).status == "rejected"

    page.goto(world.gateway.origin + "/earnings")
    expect(page.get_by_role("heading", name="Verdienst", exact=True)).to_be_visible()
    pending = page.locator(f'tr[data-key="{first}"]')
    expect(pending).to_have_attribute("data-status", "submitted")
    expect(pending.locator(".amount")).to_have_text(re.compile(r"^0,10\s\$$"))
    expect(pending.locator(".status")).to_contain_text("Ausstehend: wird am")
    rejected = page.locator(f'tr[data-key="{second}"]')
    expect(rejected.locator(".reason")).to_have_text(REASON)
    card = page.locator(f'li.rejection[data-assignment="{second}"]')
    expect(card.locator(".reason")).to_have_text(REASON)
    expect(page.locator('.total-line[data-status="submitted"]')).to_contain_text("0,10\xa0$")
    expect(page.locator("main")).not_to_contain_text("Requester")
