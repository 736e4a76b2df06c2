"""A client's developer in the console, in Debian's Chromium: a webhook delivery that failed is
opened, its attempts read, and it is sent again until the receiver has it, without a reload;
a project's charts are drawn, with their numbers as tables beside them."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from accessibility import serious_violations
from flows import SENTIMENT, answer_a_task, sign_up
from receiver import running_receiver
from services import World
from test_console import accept_the_invitation

pytestmark = pytest.mark.e2e


def failed_message(world: World, receiver_url: str) -> str:
    """A test event to a new endpoint that answers 500 to every attempt: its message's id,
    once the gateway has given up on it."""
    api = httpx.Client(
        base_url=world.gateway.origin + "/api/v1",
        headers={"authorization": f"Bearer {world.account.api_key}"},
    )
    with api:
        made = api.post("/webhook-endpoints", json={"url": receiver_url})
        assert made.status_code == 201, made.text
        endpoint_id = made.json()["id"]
        sent = api.post(f"/webhook-endpoints/{endpoint_id}/test")
        message_id: str = sent.json()["message_id"]
        for _ in range(300):  # the world retries after 0.2, 0.5 and 1 s
            if api.get(f"/webhook-messages/{message_id}").json()["status"] == "failed":
                return message_id
            time.sleep(0.05)
    raise AssertionError("the message did not fail")


def test_a_failed_delivery_is_opened_and_sent_again(page: Page, world: World) -> None:
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    with running_receiver() as receiver:
        receiver.script = [500] * 4  # the first attempt and its three retries
        message_id = failed_message(world, receiver.url)
        accept_the_invitation(page, world)

        page.get_by_role("link", name="Developers").click()
        expect(page.get_by_role("heading", name="Developers", exact=True)).to_be_visible()
        expect(
            page.get_by_text("crowdframe listen --gateway " + world.gateway.origin)
        ).to_be_visible()
        assert serious_violations(page) == []
        page.get_by_role("link", name=receiver.url).click()
        page.get_by_role("link", name="failed", exact=True).click()
        assert serious_violations(page) == []
        page.get_by_role("link", name="endpoint.test").click()

        attempts = page.locator("table.attempts tbody tr")
        expect(attempts).to_have_count(4)
        expect(attempts.first.locator(".status-code")).to_have_text("500")
        expect(page.get_by_role("heading", name="Delivery: failed")).to_be_visible()
        expect(page.locator("pre.payload")).to_contain_text('"type": "endpoint.test"')
        assert serious_violations(page) == []
        page.evaluate("window.notReloaded = true")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.get_by_role("button", name="Send again").click()

        expect(page.get_by_text("Sent again: the message is due now.")).to_be_visible()
        expect(page.get_by_role("heading", name="Delivery: delivered")).to_be_visible(
            timeout=15_000
        )
        expect(attempts).to_have_count(5)
        expect(attempts.last.locator(".status-code")).to_have_text("200")
        assert page.evaluate("window.notReloaded === true"), "the page was reloaded"
        assert page.url.endswith(f"/console/developers/messages/{message_id}")
    assert len(receiver.received) == 5
    assert receiver.received[-1].headers["webhook-id"] == message_id


def test_a_projects_charts_are_drawn_with_their_numbers_beside_them(
    page: Page, browser: Browser, world: World
) -> None:
    worker = browser.new_context().new_page()
    sign_up(worker, world.gateway.origin, "charted.worker@example.org")
    answer_a_task(worker, SENTIMENT, "Positive")

    accept_the_invitation(page, world)
    page.get_by_role("heading", name=SENTIMENT, exact=True).get_by_role("link").click()
    charts = page.locator("[data-charts]")
    expect(charts).to_be_visible()
    for kind in ("hours", "times", "agreement"):
        expect(charts.locator(f'[data-chart="{kind}"] canvas')).to_have_count(1)
    expect(page.get_by_text("Submissions per hour, the last 7 days: 1 in all")).to_be_visible()

    assert serious_violations(page) == []
    page.get_by_text("The numbers").first.click()
    hours = page.get_by_role("table", name="Submissions per hour (hours without any are left out)")
    expect(hours).to_be_visible()
    expect(hours.locator("tbody tr")).to_have_count(1)
    times = page.locator('[data-table="times"]')
    expect(times).to_be_attached()
    counts = times.locator("tbody tr td:nth-child(2)").all_text_contents()  # closed
    assert sum(int(n) for n in counts) == 1
